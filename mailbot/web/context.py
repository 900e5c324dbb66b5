"""What every page and action shares: the Console (config, clock, settings, this thread's
Context), set up by app.create_app."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime

from flask import current_app

from mailbot.app.pipeline import Context
from mailbot.config import Config
from mailbot.web.settings import WebSettings


class Console:
    """What every page needs: config, clock, settings, and this thread's Context."""

    def __init__(self, config: Config, clock: Callable[[], datetime], settings: WebSettings):
        self.config, self.clock, self.settings = config, clock, settings
        self._local = threading.local()

    def context(self) -> Context:
        """A Context per server thread, opened once (a store opening migrates, so not per page)."""
        ctx = getattr(self._local, "ctx", None)
        if ctx is None:
            ctx = self._local.ctx = Context.open(self.config, self.clock)
        return ctx


def console() -> Console:
    return current_app.extensions["mailbot"]
