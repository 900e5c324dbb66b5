"""Tests of mailbot.chase."""
