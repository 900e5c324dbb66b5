"""Tests of mailbot.report."""
