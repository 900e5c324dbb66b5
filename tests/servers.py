"""Real servers for tests: Dovecot IMAP and aiosmtpd SMTP on loopback."""
