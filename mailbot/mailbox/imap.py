"""An IMAP mailbox as a mail source, behaving like a careful mail client.

Every rule here answers a bug other mail consumers shipped (docs/design.md, Lessons):
ID after login for Coremail, capabilities re-read after login, UID SEARCH UID n:*
only (no SEARCH CHARSET), BODY.PEEK so \\Seen stays the staff's, the position
kept as (UIDVALIDITY, UID) by the caller, MOVE else COPY + \\Deleted + UID EXPUNGE
and never a plain EXPUNGE, IDLE re-issued well inside the 29-minute limit.
"""

from __future__ import annotations

import imaplib
import logging
import random
import ssl
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timezone
from typing import Iterator
from urllib.parse import unquote, urlsplit

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError, LoginError

from mailbot.mailbox import ConnectionLost, LoginFailed, MailboxError, RawMail
from mailbot.config.secure import (MissingSecret, explain_failure, explain_login_refused,
                                   password_from_env, plaintext_allowed, tls_context)

log = logging.getLogger(__name__)
IDLE_RENEW = 10 * 60  # seconds; servers may drop an IDLE after 29 minutes (RFC 2177)
CLIENT_ID = {"name": "mailbot", "version": "0.1", "vendor": "mailbot"}
NEWS = (b"EXISTS", b"RECENT")
KEYWORD = "$MailbotProcessed"


@dataclass(frozen=True)
class ImapState:
    """The high-water mark the store keeps: the last committed UID in this UIDVALIDITY."""

    uidvalidity: int
    last_uid: int


@dataclass(frozen=True)
class ImapSettings:
    host: str
    port: int
    user: str
    folder: str = "INBOX"
    implicit_tls: bool = True
    password_env: str = ""
    allow_plaintext: bool = False
    processed: str = "leave"  # leave | keyword | move
    processed_folder: str = ""  # a name in any language, or a SPECIAL-USE flag like \\Archive
    keyword: str = KEYWORD
    timeout: float = 60.0
    batch_size: int = 20
    batch_bytes: int = 8 * 1024 * 1024  # bodies fetched together; a larger mail comes alone
    connect_attempts: int = 5

    @classmethod
    def from_endpoint(cls, endpoint, **overrides) -> ImapSettings:
        """From the [mailbox] section: imaps://user@host:993/INBOX or imap://... (STARTTLS)."""
        parts = urlsplit(endpoint.url)
        implicit = parts.scheme == "imaps"
        return cls(host=parts.hostname or "", port=parts.port or (993 if implicit else 143),
                   user=unquote(parts.username or ""), folder=unquote(parts.path.lstrip("/")) or "INBOX",
                   implicit_tls=implicit, password_env=endpoint.password_env,
                   allow_plaintext=endpoint.allow_plaintext, processed=endpoint.processed,
                   processed_folder=endpoint.processed_folder, **overrides)


class ImapSource:
    """One connection, opened lazily, reopened with backoff after any network error."""

    def __init__(self, settings: ImapSettings, ssl_context=None) -> None:
        self.settings = settings
        self.ssl_context = ssl_context
        self.uidvalidity: int | None = None
        self._client: IMAPClient | None = None
        self._caps: frozenset[bytes] = frozenset()
        self._keywords_allowed = False
        self._target: str | None = None

    # --- connection -------------------------------------------------------

    def _open(self) -> IMAPClient:
        s = self.settings
        try:
            client = IMAPClient(s.host, port=s.port, ssl=s.implicit_tls,
                                ssl_context=self.ssl_context, timeout=s.timeout)
        except ssl.SSLCertVerificationError as error:
            raise MailboxError(explain_failure("IMAP", s.host, s.port, error)) from error
        except (OSError, imaplib.IMAP4.error) as error:
            raise ConnectionLost(explain_failure("IMAP", s.host, s.port, error)) from error
        try:
            self._secure_and_login(client)
            return client
        except BaseException:
            _quietly(client.shutdown)
            raise

    def _secure_and_login(self, client: IMAPClient) -> None:
        s = self.settings
        with self._guard(client):
            if not s.implicit_tls and client.has_capability("STARTTLS"):
                client.starttls(self.ssl_context)
            elif not s.implicit_tls and not plaintext_allowed(s.host, s.allow_plaintext):
                raise MailboxError(
                    f"IMAP server {s.host} offers no STARTTLS: refusing to send the password "
                    "unencrypted (use imaps://, or set allow_plaintext = true in [mailbox])")
            password = password_from_env(s.password_env, "mailbox")
            try:
                client.login(s.user, password)
            except LoginError as error:
                raise LoginFailed(explain_login_refused("IMAP", s.host, s.user, str(error))) from error
            client.normalise_times = False  # INTERNALDATE as an aware datetime
            self._caps = frozenset(client.capabilities())  # post-login: they differ
            if b"ID" in self._caps:
                try:
                    client.id_(CLIENT_ID)  # Coremail (163, government mail) refuses SELECT without it
                except IMAPClientError as error:
                    log.info("IMAP ID refused by %s (carrying on): %s", s.host, error)
            self._select(client)

    def _select(self, client: IMAPClient) -> None:
        s = self.settings
        try:
            info = client.select_folder(s.folder, readonly=s.processed == "leave")
        except IMAPClientError as error:
            raise MailboxError(f"cannot open folder {s.folder!r} on {s.host}: {error}") from error
        self.uidvalidity = int(info[b"UIDVALIDITY"])
        self._keywords_allowed = b"\\*" in info.get(b"PERMANENTFLAGS", ())

    def _connected(self) -> IMAPClient:
        """The connection, opened in up to `connect_attempts` tries while the network
        fails (ConnectionLost), with an exponential, jittered backoff between them."""
        attempt = 0
        while self._client is None:
            attempt += 1
            try:
                self._client = self._open()
            except ConnectionLost:
                if attempt >= self.settings.connect_attempts:
                    raise
                time.sleep(backoff(attempt))
        return self._client

    def _fresh(self) -> IMAPClient:
        """A connection synced with the mailbox. A connection idle since the last poll
        may have been closed by the server (timeout, UIDVALIDITY change): reopen it once.
        A connection opened now needs no NOOP: its SELECT (EXAMINE) was the sync point."""
        if self._client is None:
            return self._connected()
        try:
            return self._synced(self._client)
        except ConnectionLost as error:
            log.info("reconnecting: %s", error)
            return self._connected()

    def _synced(self, client: IMAPClient) -> IMAPClient:
        with self._guard():
            client.noop()  # a sync point: Dovecot shows a selected session new mail here
        return client

    @contextmanager
    def _guard(self, client: IMAPClient | None = None):
        """Network errors become ConnectionLost (and drop the connection); protocol
        refusals become MailboxError; MissingSecret says which variable to set."""
        s = self.settings
        try:
            yield
        except MissingSecret as error:
            raise MailboxError(str(error)) from error
        except ssl.SSLCertVerificationError as error:  # permanent: retrying will not help
            self._drop(client)
            raise MailboxError(explain_failure("IMAP", s.host, s.port, error)) from error
        except (imaplib.IMAP4.abort, OSError, EOFError) as error:
            self._drop(client)
            raise ConnectionLost(f"connection to IMAP server {s.host}:{s.port} lost: "
                                 f"{error or type(error).__name__}") from error
        except IMAPClientError as error:
            raise MailboxError(f"IMAP server {s.host} refused a command: {error}") from error

    def _drop(self, client: IMAPClient | None) -> None:
        client = client or self._client
        if client is not None:
            _quietly(client.shutdown)
        if client is self._client:
            self._client = None

    def close(self) -> None:
        if self._client is not None:
            _quietly(self._client.logout)
            self._drop(self._client)

    # --- reading ------------------------------------------------------------

    @property
    def batch(self) -> int:
        return self.settings.batch_size

    def fetch_new(self, state: ImapState | dict | None) -> Iterator[RawMail]:
        """Mail with a UID above state.last_uid; all mail when UIDVALIDITY changed
        (the caller re-checks by hash: a new UIDVALIDITY means neither skip nor redo).
        The state may come back from the store as a plain dict."""
        if isinstance(state, dict):
            state = ImapState(**state)
        client = self._fresh()
        validity = self.uidvalidity
        start = state.last_uid + 1 if state and state.uidvalidity == validity else 1
        with self._guard():
            found = client.search(["UID", f"{start}:*"])  # n:* always includes the last mail
        uids = sorted(uid for uid in found if uid >= start)
        if not uids:
            return
        with self._guard():
            sizes = client.fetch(uids, ["RFC822.SIZE"])
        sized = [(uid, sizes.get(uid, {}).get(b"RFC822.SIZE", 0)) for uid in uids]
        for batch in size_batches(sized, self.settings.batch_size, self.settings.batch_bytes):
            with self._guard():
                data = client.fetch(batch, ["BODY.PEEK[]", "INTERNALDATE"])
            for uid in batch:
                item = data.pop(uid, None)  # handed on, not kept: one batch in memory
                if not item or b"BODY[]" not in item:
                    continue  # expunged by someone else meanwhile
                arrived = item[b"INTERNALDATE"]
                if arrived.tzinfo is None:
                    arrived = arrived.replace(tzinfo=timezone.utc)
                yield RawMail(f"imap:{validity}:{uid}", item.pop(b"BODY[]"), arrived,
                              ImapState(validity, uid))

    def wait_for_mail(self, timeout: float) -> bool:
        """IDLE (renewed every IDLE_RENEW seconds) until news or `timeout`; without
        IDLE, sleep and answer False: the caller polls on its own interval. A lost
        connection answers True: the next fetch reconnects and finds what arrived."""
        client = self._connected()
        if b"IDLE" not in self._caps:
            time.sleep(timeout)
            return False
        deadline = time.monotonic() + timeout
        try:
            with self._guard():
                if _has_news(client.noop()[1]):
                    return True
                while (remaining := deadline - time.monotonic()) > 0:
                    client.idle()
                    try:
                        responses = client.idle_check(timeout=min(remaining, IDLE_RENEW))
                    finally:
                        client.idle_done()
                    if _has_news(responses):
                        return True
        except ConnectionLost as error:
            log.warning("%s", error)
            return True
        return False

    # --- after the commit -----------------------------------------------------

    def mark_processed(self, source_key: str) -> None:
        kind, validity, uid = _split_key(source_key)
        action = self.settings.processed
        if action == "leave":
            return
        client = self._connected()
        if validity != self.uidvalidity:
            log.warning("not marking %s: UIDVALIDITY is now %s", source_key, self.uidvalidity)
            return
        with self._guard():
            if action == "keyword":
                if self._keywords_allowed:
                    client.add_flags([uid], [self.settings.keyword], silent=True)
                else:
                    log.warning("%s does not store keywords; leaving %s", self.settings.host, source_key)
            elif action == "move":
                self._move(client, uid, self._target_folder(client))

    def _move(self, client: IMAPClient, uid: int, folder: str) -> None:
        if b"MOVE" in self._caps:
            client.move([uid], folder)
            return
        client.copy([uid], folder)
        client.add_flags([uid], [b"\\Deleted"], silent=True)
        if b"UIDPLUS" in self._caps:
            client.uid_expunge([uid])  # only this mail: a plain EXPUNGE would take staff's too
        else:
            log.warning("%s has no UIDPLUS: mail %s copied and flagged \\Deleted, not expunged",
                        self.settings.host, uid)

    def _target_folder(self, client: IMAPClient) -> str:
        """The processed folder: found by SPECIAL-USE flag (\\Archive) or by name, created if needed."""
        if self._target:
            return self._target
        wanted = self.settings.processed_folder
        if wanted.startswith("\\"):
            flag = wanted.encode().lower()
            for flags, _sep, name in client.list_folders():
                if flag in (f.lower() for f in flags):
                    self._target = name
                    return name
            raise MailboxError(f"no folder on {self.settings.host} has the SPECIAL-USE flag {wanted}")
        if not client.folder_exists(wanted):
            try:
                client.create_folder(wanted)
            except IMAPClientError as error:
                raise MailboxError(f"cannot create folder {wanted!r} on {self.settings.host} "
                                   f"({error}); create it in web mail, or use processed = \"leave\"") from error
        self._target = wanted
        return wanted


def backoff(attempt: int) -> float:
    """Seconds to wait after the `attempt`-th failed connection: 1, 2, 4 ... plus up to
    a second of jitter, at most 60 (tenacity's wait_exponential_jitter(1, 60, 1), written
    out: loading tenacity cost every poll's start-up some 8 ms)."""
    return min(2 ** (attempt - 1) + random.uniform(0, 1), 60.0)


def size_batches(sized: list[tuple[int, int]], count: int, budget: int) -> list[list[int]]:
    """UIDs in order, grouped so one FETCH holds at most `count` mails and `budget` bytes
    (RFC822.SIZE); a mail larger than the budget is fetched alone. Twenty 50 MB mails in
    one FETCH would sit in memory together (1.34 GB RSS for 20 large mails, issue 12)."""
    batches: list[list[int]] = []
    total = 0
    for uid, size in sized:
        if not batches or len(batches[-1]) >= count or total + size > budget:
            batches.append([])
            total = 0
        batches[-1].append(uid)
        total += size
    return batches


def _split_key(source_key: str) -> tuple[str, int, int]:
    try:
        kind, validity, uid = source_key.split(":")
        if kind == "imap":
            return kind, int(validity), int(uid)
    except ValueError:
        pass
    raise ValueError(f"not an IMAP source key: {source_key!r}")


def _has_news(responses) -> bool:
    return any(isinstance(r, tuple) and len(r) > 1 and r[1] in NEWS for r in responses or ())


def _quietly(action) -> None:
    try:
        action()
    except (OSError, imaplib.IMAP4.error, EOFError):
        pass


def check_login(endpoint, ssl_context=None) -> tuple[bool, str]:
    """Try to log in and open the folder; (ok, plain-words explanation for the staff)."""
    settings = ImapSettings.from_endpoint(endpoint, connect_attempts=1, timeout=20)
    source = ImapSource(settings, ssl_context=ssl_context or tls_context(endpoint))
    try:
        source._connected()
    except MailboxError as error:
        if isinstance(error.__cause__, (OSError, MissingSecret)):
            return False, explain_failure("IMAP", settings.host, settings.port, error.__cause__)
        return False, str(error)
    finally:
        source.close()
    return True, (f"IMAP 登录成功：{settings.user}@{settings.host}，文件夹 {settings.folder} "
                  f"可以打开（UIDVALIDITY {source.uidvalidity}）。")
