"""Tests of mailbot.mailbox."""
