"""E-mail: the outbox, message building, SMTP delivery and reminders."""
