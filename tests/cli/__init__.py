"""Tests of mailbot.cli."""
