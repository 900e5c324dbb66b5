"""Serving the console with waitress: alone (`mailbot web`) or beside the worker (`mailbot run`).

waitress is a pure-Python production WSGI server with no C build and no
dependencies, so it installs anywhere pip does, and it runs in a thread of the
worker's process as happily as on its own.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from waitress.server import create_server

from mailbot.config import Config
from mailbot.web.app import create_app
from mailbot.web.settings import require_users, web_settings

log = logging.getLogger(__name__)
THREADS = 4


def make_server(config: Config, clock: Callable[[], datetime], listen: str | None = None):
    """A bound (not yet serving) waitress server; ConfigError for a bad [web]."""
    settings = web_settings(config)
    require_users(config, settings)
    if listen:
        settings = replace(settings, listen=listen)
    host, port = settings.host_port
    server = create_server(create_app(config, clock, settings), host=host, port=port,
                           threads=THREADS, ident="mailbot", clear_untrusted_proxy_headers=True)
    log.info("console listening on http://%s:%s/", host, server.effective_port)
    return server


class Background:
    """The console served from a thread; `close` stops it."""

    def __init__(self, server):
        self.server = server
        self.closing = threading.Event()
        self.thread = threading.Thread(target=self._run, name="console", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        try:
            self.server.run()
        except OSError:  # close() pulled the socket from under the select loop: expected
            if not self.closing.is_set():
                raise

    @property
    def port(self) -> int:
        return int(self.server.effective_port)

    def close(self) -> None:
        self.closing.set()
        self.server.close()
        self.thread.join(timeout=10)


def serve_in_background(config: Config, clock: Callable[[], datetime],
                        listen: str | None = None) -> Background:
    return Background(make_server(config, clock, listen))


def wants_console(config: Config) -> bool:
    """`mailbot run` serves the console only when [web] listen is set."""
    return "listen" in config.section("web")
