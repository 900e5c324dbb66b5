"""Shared fixtures. Area fixtures live in their own modules, loaded here as plugins.

Under CI the property tests draw the same examples every run (hypothesis's "ci" profile,
derandomized), so a red CI always means a change, never an unlucky draw; locally each run
draws afresh and keeps exploring.
"""

import os

from hypothesis import settings

pytest_plugins = ["tests.forms", "tests.servers", "tests.console", "tests.invoke"]

settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")
