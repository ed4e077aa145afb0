"""People and their accounts: log-in, sessions, roles."""
