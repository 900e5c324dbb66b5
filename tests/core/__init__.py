"""Tests of mailbot.core."""
