"""The scheduled worker: APScheduler only wakes the jobs up; the jobs decide from the store.

Jobs are handed in as plain callables (intake, reminder tick, outbox flush,
summary tick), so this module knows nothing of the store or the mail servers. One
worker at a time holds the fcntl lock of app.lock; SIGTERM/SIGINT stop it after the
jobs in hand have finished, so no mail is left half-processed by a normal stop.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler

from mailbot.app.lock import single_instance
from mailbot.core import dates

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    """A callable run every `seconds`; never two runs of the same job at once."""

    name: str
    func: Callable[[], object]
    seconds: float


def _logged(job: Job) -> Callable[[], None]:
    """Run a job, log what it did; a failure is logged and the worker carries on."""

    def run_job() -> None:
        started = time.monotonic()
        try:
            result = job.func()
        except Exception:  # noqa: BLE001 - one bad run must not stop the worker
            log.exception("job %s failed; it runs again at its next tick", job.name)
            return
        log.info("job %s done in %.2f s%s", job.name, time.monotonic() - started,
                 f": {result}" if result is not None else "")

    return run_job


def run(jobs: Sequence[Job], lock_path: str | Path, timezone: str,
        stop: threading.Event | None = None,
        on_hangup: Callable[[], None] | None = None) -> None:
    """Run the jobs on their intervals until SIGTERM/SIGINT (or `stop` is set);
    SIGHUP calls `on_hangup` (the worker re-reads its config).

    Every job runs once at start, then every `seconds`. The signal handler only
    sets `stop` -- long jobs (an IMAP IDLE wait) should watch it too -- and the
    main thread then shuts the scheduler down, waiting for the jobs in hand.
    Raises AlreadyRunning when another worker holds the lock.
    """
    stop = stop or threading.Event()
    with single_instance(lock_path):
        zone = dates.zone(timezone)
        scheduler = BackgroundScheduler(
            timezone=zone,
            executors={"default": ThreadPoolExecutor(max_workers=max(1, len(jobs)))},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
        )
        for job in jobs:
            scheduler.add_job(_logged(job), "interval", seconds=job.seconds, id=job.name,
                              name=job.name, next_run_time=datetime.now(zone))
        previous = _on_signals(stop, on_hangup)
        try:
            scheduler.start()
            log.info("worker started (pid %d): %s", os.getpid(),
                     ", ".join(f"{job.name} every {job.seconds:g} s" for job in jobs))
            stop.wait()
            log.info("stopping: letting the jobs in hand finish")
            scheduler.shutdown(wait=True)
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)
        log.info("worker stopped")


def _on_signals(stop: threading.Event, on_hangup: Callable[[], None] | None) -> dict:
    """Make SIGTERM and SIGINT set `stop`, SIGHUP call `on_hangup`; return the handlers
    they replace."""

    def handle(signum, _frame) -> None:
        log.info("received %s", signal.Signals(signum).name)
        stop.set()

    def hangup(_signum, _frame) -> None:
        log.info("received SIGHUP: the config is re-read at the next job run")
        on_hangup()

    previous = {signum: signal.signal(signum, handle) for signum in (signal.SIGTERM, signal.SIGINT)}
    if on_hangup is not None:
        previous[signal.SIGHUP] = signal.signal(signal.SIGHUP, hangup)
    return previous
