"""SQL persistence: schema and migrations, repositories, the reminder outbox, dialog state."""
