"""Tests of mailbot.web."""
