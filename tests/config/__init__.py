"""Tests of mailbot.config."""
