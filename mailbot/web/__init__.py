"""The staff console: server-rendered Chinese pages over the same functions as the CLI."""
