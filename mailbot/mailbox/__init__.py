"""Sources of raw mail: the interface every mailbox implements.

A source hands out raw bytes with a stable key and a position (`state`); it
keeps no memory of what was processed: the store does (docs/design.md, Lessons). The
poll loop stores `mail.state` after committing a mail and hands the last stored
state back to `fetch_new`, then calls `mark_processed` (touching the mailbox
only after the commit).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Iterator, Protocol


class MailboxError(Exception):
    """The mailbox could not be read or changed; the message says why in plain words."""


class ConnectionLost(MailboxError):
    """The connection broke (network, server restart); the next fetch reconnects
    and resumes from the last committed state, so nothing is lost."""


class LoginFailed(MailboxError):
    """The server refused the credentials: retrying will not help."""


@dataclass(frozen=True)
class RawMail:
    """One mail as the server stored it.

    source_key: stable within the mailbox ("imap:UIDVALIDITY:UID", "maildir:KEY").
    received_at: the server's arrival time (IMAP INTERNALDATE, Maildir delivery time).
    state: the source's position once this mail is committed (ImapState for IMAP,
    None for Maildir); store it and pass it to the next fetch_new.
    """

    source_key: str
    raw: bytes = field(repr=False)
    received_at: datetime
    state: Any = None


class Source(Protocol):
    batch: int  # mails fetched in one round trip: the poll archives them together

    def fetch_new(self, state: Any) -> Iterator[RawMail]:
        """Mail after `state` (None: from the start), oldest first, fetched in batches."""

    def mark_processed(self, source_key: str) -> None:
        """Apply the configured action (leave, keyword, move) to a committed mail."""

    def wait_for_mail(self, timeout: float) -> bool:
        """Block up to `timeout` seconds; True when new mail may have arrived."""

    def close(self) -> None:
        """Release the connection; the source reconnects if used again."""


def open_source(endpoint, **options) -> Source:
    """The source for a config.Endpoint ([mailbox] section): maildir:, imap:, imaps:."""
    if endpoint.scheme == "maildir":
        from mailbot.mailbox.maildir import MaildirSource
        return MaildirSource(endpoint.local_path, processed=endpoint.processed,
                             folder=endpoint.processed_folder)
    from mailbot.config.secure import tls_context
    from mailbot.mailbox.imap import ImapSource, ImapSettings
    options.setdefault("ssl_context", tls_context(endpoint))
    return ImapSource(ImapSettings.from_endpoint(endpoint), **options)
