"""Who may see what: roles, page access, personal-data masking, credentials and logins."""
