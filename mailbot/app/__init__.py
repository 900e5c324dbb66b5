"""The shell: the Context, the ingest pipeline, review, reminders and summaries queued, the
scheduled worker and the demo. It wires the stages to the store, the mailbox and the outbox."""
