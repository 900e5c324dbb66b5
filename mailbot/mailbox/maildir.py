"""A local Maildir as a mail source (the demo's mailbox, or local delivery).

Maildir's own protocol does the bookkeeping: mail waiting in new/ has not been
processed; a processed mail is renamed into cur/ (or into the processed folder),
its bytes untouched. The stdlib `mailbox.Maildir` reads the bytes and makes
folders; the rename is done here because its __setitem__ rewrites the file.
"""

from __future__ import annotations

import mailbox
import os
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

from mailbot.mailbox import MailboxError, RawMail

PREFIX = "maildir:"
POLL_INTERVAL = 0.5  # seconds between looks at new/ while waiting


class MaildirSource:
    """Reads new/ oldest first; `state` is unused (new/ itself is the position)."""

    batch = 20  # files read ahead together (poll archives them in one round)

    def __init__(self, path: str | Path, processed: str = "leave", folder: str = "") -> None:
        self.path = Path(path)
        self.processed = processed
        self.folder = folder
        try:
            for sub in ("tmp", "new", "cur"):  # the stdlib creates none if the folder exists
                (self.path / sub).mkdir(parents=True, exist_ok=True)
            self.box = mailbox.Maildir(self.path, factory=None, create=True)
        except OSError as error:
            raise MailboxError(f"cannot open the maildir {self.path}: {error}") from error
        self._seen: set[str] = set()
        self._names: dict[str, str] = {}  # key -> file name in new/, as the last fetch saw it

    def _new_entries(self, ordered: bool = True) -> list[os.DirEntry]:
        try:
            entries = [e for e in os.scandir(self.path / "new") if not e.name.startswith(".")]
        except OSError as error:
            raise MailboxError(f"cannot read {self.path / 'new'}: {error}") from error
        return sorted(entries, key=lambda e: (e.stat().st_mtime, e.name)) if ordered else entries

    def fetch_new(self, state=None) -> Iterator[RawMail]:
        entries = self._new_entries()
        self._seen = {entry.name for entry in entries}
        self._names = {self._key(entry.name): entry.name for entry in entries}
        for entry in entries:
            key = self._key(entry.name)
            try:
                raw = Path(entry.path).read_bytes()
                arrived = datetime.fromtimestamp(entry.stat().st_mtime, tz=timezone.utc)
            except FileNotFoundError:  # taken by another reader meanwhile
                continue
            yield RawMail(source_key=PREFIX + key, raw=raw, received_at=arrived)

    def mark_processed(self, source_key: str) -> None:
        """Move the mail from new/ to cur/ (or to the processed folder's cur/)."""
        if not source_key.startswith(PREFIX):
            raise ValueError(f"not a maildir key: {source_key!r}")
        key = source_key[len(PREFIX):]
        name = self._names.pop(key, None) or self._find(key)
        if name is None:
            return  # already out of new/: processed before, or moved by a person
        target = self.path
        if self.processed == "move" and self.folder:
            try:
                self.box.add_folder(self.folder)  # Maildir++: the folder lives in .NAME
                target = self.path / f".{self.folder}"
            except OSError as error:
                raise MailboxError(f"cannot create maildir folder {self.folder!r}: {error}") from error
        final = name if self.box.colon in name else name + self.box.colon + "2,"
        try:
            os.rename(self.path / "new" / name, target / "cur" / final)
        except FileNotFoundError:
            return  # moved out of new/ since the fetch
        except OSError as error:
            raise MailboxError(f"cannot move {name} to {target / 'cur'}: {error}") from error

    def _key(self, name: str) -> str:
        return name.split(self.box.colon)[0]

    def _find(self, key: str) -> str | None:
        """The file in new/ for a key the last fetch did not list (one pass, unsorted:
        marking each mail of a backlog never re-reads and re-sorts the whole folder)."""
        return next((entry.name for entry in self._new_entries(ordered=False)
                     if self._key(entry.name) == key), None)

    def wait_for_mail(self, timeout: float) -> bool:
        """Poll new/ until a mail not seen by the last fetch appears."""
        deadline = time.monotonic() + timeout
        while True:
            if any(entry.name not in self._seen for entry in self._new_entries()):
                return True
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            time.sleep(min(POLL_INTERVAL, remaining))

    def close(self) -> None:
        """Nothing to release: every call opens what it reads."""
