"""The analysts' SQL workbench: statement guard, hardened connections, schema docs, history."""
