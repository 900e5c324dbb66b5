"""`mailbot rebuild`: a new store from the raw-mail archive, the source of truth.

Every mail is archived before anything else happens to it, with a journal line
saying where and when it arrived, so a lost or damaged store can be rebuilt by
ingesting the archive again, quietly: nothing is queued, nothing is sent. The new
store is built beside the old one and swapped in at the end; the old file, if
any, is kept aside. The worker's lock is held meanwhile, so no worker runs.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from mailbot.app import pipeline
from mailbot.app.lock import single_instance
from mailbot.config import Config
from mailbot.outgoing.render import template_env
from mailbot.store import Store

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Rebuilt:
    """What a rebuild did: mails ingested, per outcome, and where the old file went."""

    mails: int
    states: dict[str, int]
    kept_aside: Path | None


def rebuild(config: Config, clock: Callable[[], datetime],
            tell: pipeline.Tell = pipeline.log_outcome) -> Rebuilt:
    """Ingest every archived mail into a fresh store, answering none, and swap it in."""
    with single_instance(config.store_path.parent / "mailbot.lock"):
        building = config.store_path.with_name(config.store_path.name + ".rebuilding")
        _remove(building)
        store = Store(building, config.archive_path, create=True)
        try:
            ctx = pipeline.Context(config, store, clock,
                                   template_env(pipeline.templates_dir(config)), answer=False)
            states = _ingest_archive(ctx, tell)
        finally:
            store.close()
        kept = _swap(building, config.store_path, clock())
    return Rebuilt(sum(states.values()), states, kept)


def _ingest_archive(ctx: pipeline.Context, tell: pipeline.Tell) -> dict[str, int]:
    """Oldest arrival first, as they came; a mail the journal does not know arrived
    when its archive file was written."""
    entries = []
    for sha, journal in ctx.store.archived():
        path = ctx.store.archive_dir / sha[:2] / f"{sha}.eml"
        received = (datetime.fromisoformat(journal["received_at"]) if journal
                    else datetime.fromtimestamp(path.stat().st_mtime, timezone.utc))
        entries.append((received, sha, journal.get("source_key", f"archive:{sha}")))
    states: dict[str, int] = {}
    since = ctx.since()
    for number, (received, sha, source_key) in enumerate(sorted(entries), start=1):
        outcome = pipeline.ingest(ctx, ctx.store.raw(sha), source_key, received, since)
        states[outcome.state.zh] = states.get(outcome.state.zh, 0) + 1
        tell(f"[{number}/{len(entries)}] {source_key}", outcome)
    return states


def _swap(building: Path, target: Path, now: datetime) -> Path | None:
    """Put the new store in place; the old one (if any) is renamed, never deleted."""
    kept = None
    if target.exists():
        kept = target.with_name(f"{target.name}.before-rebuild-{now:%Y%m%dT%H%M%S}")
        for suffix in ("", "-wal", "-shm"):
            if (old := target.with_name(target.name + suffix)).exists():
                os.replace(old, kept.with_name(kept.name + suffix))
    os.replace(building, target)
    return kept


def _remove(path: Path) -> None:
    for each in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        each.unlink(missing_ok=True)
