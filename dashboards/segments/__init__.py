"""Marketing segments: versioned definitions, their customers, and consented exports."""
