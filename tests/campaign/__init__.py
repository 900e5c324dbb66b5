"""Tests of mailbot.campaign."""
