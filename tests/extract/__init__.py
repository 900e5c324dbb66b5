"""Tests of mailbot.extract."""
