"""Tests of mailbot.app."""
