"""Mail we send: Jinja2 templates -> OutgoingMail, the store-first outbox, and its transports
(SMTP, or a folder for the demo and tests)."""
