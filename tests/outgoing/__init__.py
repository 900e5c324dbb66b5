"""Tests of mailbot.outgoing."""
