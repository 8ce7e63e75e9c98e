"""Getting in: portal sessions, one-time login codes, merchant logins and API keys."""
