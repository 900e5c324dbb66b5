"""Shared fixtures. Area fixtures live in their own modules, loaded here as plugins."""

pytest_plugins = ["tests.forms", "tests.servers", "tests.console"]
