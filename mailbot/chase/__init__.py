"""Who is due what: the reminder ladder, the summary schedule and each unit's state (pure).

Functions of (campaign, schedule, calendar, what the store holds, now); the app queues the mail."""
