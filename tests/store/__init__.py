"""Tests of mailbot.store."""
