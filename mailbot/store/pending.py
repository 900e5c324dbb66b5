"""What a group commit still owes the disk (Store.group, docs/design.md, Durability).

A poll records many mails in a row. Waiting for the disk after each one costs more
than the mail itself (an fsync of the archived file, of its folder and of SQLite's
log: three waits a mail), so inside a group the store notes what it wrote and syncs
it in rounds: the archived files and their folders before the next commit, the log
(whose one sync makes every commit before it durable) when the group settles.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Pending:
    """Archived files (their descriptors, kept open for the sync) and folders written
    since the last round of syncs, and whether anything was committed since the log
    was last synced."""

    files: list[int] = field(default_factory=list)
    folders: dict[Path, None] = field(default_factory=dict)  # an ordered set
    committed: bool = False

