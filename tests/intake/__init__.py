"""Tests of mailbot.intake."""
