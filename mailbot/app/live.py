"""The running worker's config: re-read when config.toml changes, or on SIGHUP.

Staff add a unit's second address or fix a phone number while the worker runs;
a restart nobody knows to do must not be the price. Every job asks `current()`
at the start of its run: a changed file (modification time, size) or a SIGHUP
makes it re-read and validate the file; a bad file is logged with every problem
and the previous config stays in use, so a typo never stops the service.
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path

from mailbot.config import Config, ConfigError, load

log = logging.getLogger(__name__)


class LiveConfig:
    """The config in force; thread-safe, since every job runs in its own thread."""

    def __init__(self, config: Config):
        self.path: Path = config.path
        self._config = config
        self._stamp = _stamp(self.path)
        self._asked = False
        self._lock = threading.Lock()

    def request_reload(self) -> None:
        """SIGHUP: re-read at the next `current()`, even if the file looks unchanged.
        (A signal handler must not do the work itself: it only sets the flag.)"""
        self._asked = True

    def current(self) -> Config:
        with self._lock:
            stamp = _stamp(self.path)
            if stamp != self._stamp or self._asked:
                self._stamp, self._asked = stamp, False
                self._reload()
            return self._config

    def _reload(self) -> None:
        try:
            config = load(self.path)
        except ConfigError as error:
            log.error("config %s changed but is not valid; the previous config stays in use "
                      "until it is fixed:\n%s", self.path, error)
            return
        self._config = config
        log.info("config %s re-read: now in use", self.path)
        for warning in config.warnings:
            log.warning("%s", warning)


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        status = os.stat(path)
    except OSError:
        return None
    return status.st_mtime_ns, status.st_size
