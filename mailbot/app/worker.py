"""`mailbot run`: which jobs the worker runs, and how each opens what it needs.

Every job run opens its own store connection (the scheduler runs jobs in
threads, and a SQLite connection belongs to one thread), and every decision is
taken from the store, so a restart or a missed tick repeats nothing.

The reminder and summary ticks first read the mailbox up to that moment (one
reader at a time, shared with intake), and do nothing while it cannot be read:
so at start, mail already waiting is recorded and answered before any reminder
or summary is decided.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from datetime import datetime

from mailbot.app import notices, pipeline
from mailbot.extract import Stopped, sandbox
from mailbot.app.freshness import read_mailbox
from mailbot.app.live import LiveConfig
from mailbot.config import Config
from mailbot.mailbox import MailboxError, open_source
from mailbot.store import Store, StoreUnavailable, StoreUnusable
from mailbot.app.lock import worker_lock
from mailbot.app.scheduler import Job, run

log = logging.getLogger(__name__)
WAIT_CHUNK = 5.0  # seconds: how soon a stop request is noticed while waiting for mail
STOP_CHECK = 0.5  # seconds: how soon the idle outbox job notices a stop request
OUTBOX_SECONDS = 60
REMIND_SECONDS = 600
SUMMARY_SECONDS = 3600
BACKOFF_LIMIT = 300.0


@contextmanager
def opened(config: Config, clock: Callable[[], datetime], stop: threading.Event | None = None,
           source=None):
    """A context for one job run; `stop` (SIGTERM) ends its parsing within a second;
    `source` is intake's connection, kept across runs for IDLE."""
    ctx = pipeline.Context.open(config, clock, source)
    ctx.stop = stop
    try:
        yield ctx
    finally:
        ctx.close()


READER = threading.Lock()  # one reader of the mailbox at a time: intake or a tick


def intake_loop(live: LiveConfig, clock: Callable[[], datetime], stop: threading.Event,
                after_read: Callable[[], None] = lambda: None) -> None:
    """Read and queue the answers, then wait for news (IDLE where the server has it)
    until stopped; `after_read` then has the answers sent (the worker wakes its
    outbox job): intake never sends, so a slow SMTP server never holds it up.

    The config is asked for at every turn, so an edited config.toml (a unit's new
    address, another mailbox) is used from the next mail on. Network trouble, or a
    store that cannot be written, never ends the loop: it backs off (doubling, up
    to five minutes) and tries again; the store's state makes every retry safe.
    """
    config = live.current()
    source = open_source(config.mailbox)
    sandbox.start()  # the parser processes load and confine themselves meanwhile
    backoff, waited = WAIT_CHUNK, False
    try:
        while not stop.is_set():
            fresh = live.current()
            if fresh.mailbox != config.mailbox:
                source.close()
                source = open_source(fresh.mailbox)
            config = fresh
            try:
                with opened(config, clock, stop, source) as ctx, READER:
                    read = read_mailbox(ctx, ctx.source) is not None
                after_read()
                if read:
                    if not waited:  # once: operators (and tests) see the worker is ready
                        log.info("intake: mailbox read up to now; waiting for new mail")
                        waited = True
                    _wait_for_mail(source, config.mailbox.poll_seconds, stop)
                    backoff = WAIT_CHUNK
                    continue
            except Stopped:
                log.info("intake: stopped in the middle of a mail; it stays claimed and is "
                         "processed at the next start")
                break
            except (MailboxError, StoreUnavailable) as error:
                log.warning("intake: %s", error)
            log.info("intake: trying again in %.0f s", backoff)
            stop.wait(backoff)
            backoff = min(backoff * 2, BACKOFF_LIMIT)
    finally:
        source.close()


def current_tick(live: LiveConfig, clock: Callable[[], datetime], action,
                 stop: threading.Event) -> Callable[[], object]:
    """A reminder or summary tick that first reads the mailbox up to now, and waits
    (decides nothing) while it cannot be read; what it queues is sent at once, after
    the mailbox is let go (a slow SMTP server never holds up intake's reading). Once the
    worker is stopping it decides nothing either."""

    def run_once():
        try:
            with opened(live.current(), clock, stop) as ctx:  # its own source, closed with it
                with READER:
                    readable = read_mailbox(ctx, ctx.source) is not None
                if not readable:
                    pipeline.flush_outbox(ctx, ctx.transport)  # the alert, if this is news
                    return "waiting: the mailbox cannot be read"
                if stop.is_set():
                    return "stopping: nothing decided"
                result = action(ctx)
                pipeline.flush_outbox(ctx, ctx.transport)
                return result
        except Stopped:
            return "stopping: the mail in hand stays claimed"

    return run_once


def outbox_loop(live: LiveConfig, clock: Callable[[], datetime], stop: threading.Event,
                wake: threading.Event) -> None:
    """The worker's sender: flush when woken (intake queued answers) or every
    OUTBOX_SECONDS, until stopped. Each send has its own deadline (smtp.py), so a
    slow server delays the outbox alone."""
    while not stop.is_set():
        wake.clear()
        config = live.current()
        try:
            with opened(config, clock) as ctx:
                pipeline.flush_outbox(ctx, ctx.transport)
        except StoreUnavailable as error:
            log.warning("outbox: %s", error)
        deadline = time.monotonic() + OUTBOX_SECONDS
        while not stop.is_set() and not wake.is_set() and time.monotonic() < deadline:
            wake.wait(STOP_CHECK)


def _wait_for_mail(source, seconds: float, stop: threading.Event) -> None:
    deadline = time.monotonic() + seconds
    while not stop.is_set() and (left := deadline - time.monotonic()) > 0:
        if source.wait_for_mail(min(WAIT_CHUNK, left)):
            return


def worker_jobs(live: LiveConfig, clock: Callable[[], datetime],
                stop: threading.Event) -> list[Job]:
    config, wake = live.current(), threading.Event()
    return [
        Job("intake", lambda: intake_loop(live, clock, stop, wake.set),
            config.mailbox.poll_seconds),
        Job("remind", current_tick(live, clock, notices.remind_tick, stop), REMIND_SECONDS),
        Job("summary", current_tick(live, clock, notices.summary_tick, stop), SUMMARY_SECONDS),
        Job("outbox", lambda: outbox_loop(live, clock, stop, wake), OUTBOX_SECONDS),
    ]


def run_worker(config: Config, clock: Callable[[], datetime],
               stop: threading.Event | None = None) -> None:
    """Run until SIGTERM/SIGINT; SIGHUP (or an edit of config.toml) re-reads the config.
    Raises lock.AlreadyRunning if another worker runs, and StoreUnusable when the
    store cannot be used, at start or later (the worker then stops: systemd shows it)."""
    for warning in config.warnings:
        log.warning("%s", warning)
    Store(config.store_path, config.archive_path).close()
    stop, live = stop or threading.Event(), LiveConfig(config)
    fatal: list[StoreUnusable] = []
    jobs = [stopping_on_unusable(job, stop, fatal) for job in worker_jobs(live, clock, stop)]
    run(jobs, worker_lock(config.store_path), config.campaign.timezone, stop,
        on_hangup=live.request_reload)
    if fatal:
        raise fatal[0]


def stopping_on_unusable(job: Job, stop: threading.Event, fatal: list) -> Job:
    """A job whose store became unusable (deleted, damaged) stops the whole worker:
    carrying on would only fail every job, or start again from an empty store."""

    def guarded():
        try:
            return job.func()
        except StoreUnusable as error:
            log.error("job %s: the store cannot be used, the worker stops: %s", job.name, error)
            fatal.append(error)
            stop.set()
            return None

    return Job(job.name, guarded, job.seconds)
