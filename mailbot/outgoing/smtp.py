"""Sending mail over SMTP (smtplib): smtps://, smtp+starttls://, smtp://.

A connection per mail: mailbot sends a handful at a time, and a fresh connection
never trips over a server that dropped an idle one. Failures come out as
TransportError, `temporary` when the SMTP code is 4xx or the network failed (try
again later) and permanent for 5xx (trying again would fail the same way).
"""

from __future__ import annotations

import re
import smtplib
import socket
import ssl
import threading
from dataclasses import dataclass
from collections.abc import Sequence
from urllib.parse import unquote, urlsplit

from mailbot.config.secure import (MissingSecret, explain_failure, explain_login_refused,
                                   password_from_env, plaintext_allowed, tls_context)

DEFAULT_PORTS = {"smtps": 465, "smtp+starttls": 587, "smtp": 25}


def crlf(raw: bytes) -> bytes:
    """SMTP lines end in CRLF (RFC 5321 §2.3.8); smtplib leaves bytes as they are, and a
    mail composed with bare LF reaches the server as one line far over the 1000 limit."""
    return re.sub(rb"\r?\n", b"\r\n", raw)


class TransportError(Exception):
    """A mail was not sent. `temporary`: the same mail may go through later.

    `mail_specific`: the server answered about this mail (its recipients, its
    data); otherwise the server or our settings failed (unreachable, login,
    TLS, 421 closing), and every other mail would fail the same way.
    """

    def __init__(self, message: str, *, temporary: bool, code: int | None = None,
                 mail_specific: bool = False) -> None:
        super().__init__(message)
        self.temporary = temporary
        self.code = code
        self.mail_specific = mail_specific


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    scheme: str = "smtps"  # smtps (implicit TLS) | smtp+starttls (required) | smtp (if offered)
    user: str = ""
    password_env: str = ""
    allow_plaintext: bool = False
    timeout: float = 60.0  # seconds one read may wait
    deadline: float = 180.0  # seconds one whole send may take, however the server trickles

    @classmethod
    def from_endpoint(cls, endpoint, **overrides) -> SmtpSettings:
        """From the [smtp] section: smtps://user@host:465, smtp+starttls://..., smtp://host:25."""
        parts = urlsplit(endpoint.url)
        return cls(host=parts.hostname or "", port=parts.port or DEFAULT_PORTS[parts.scheme],
                   scheme=parts.scheme, user=unquote(parts.username or ""),
                   password_env=endpoint.password_env, allow_plaintext=endpoint.allow_plaintext,
                   **overrides)


def _temporary(code: int | None) -> bool:
    return code is None or 400 <= code < 500


class Deadline:
    """Cuts a connection whose overall time is up: smtplib's timeout is per read, so a
    server answering a byte every 59 s would otherwise hold a send for ever. A timer
    shuts the socket down; the blocked read then fails and `expired` says why."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.expired = False
        self.server: smtplib.SMTP | None = None
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def __enter__(self) -> Deadline:
        self._timer.start()
        return self

    def __exit__(self, *_exc) -> None:
        self._timer.cancel()

    def _expire(self) -> None:
        self.expired = True
        sock = getattr(self.server, "sock", None)
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass  # already closed: nothing to cut


class SmtpTransport:
    """The outbox's Transport over SMTP: send(raw, sender, recipients), or TransportError."""

    @classmethod
    def from_endpoint(cls, endpoint) -> SmtpTransport:
        return cls(SmtpSettings.from_endpoint(endpoint), tls_context(endpoint))

    def __init__(self, settings: SmtpSettings, ssl_context: ssl.SSLContext | None = None) -> None:
        self.settings = settings
        self.ssl_context = ssl_context or ssl.create_default_context()

    def _open(self, deadline: Deadline | None = None) -> smtplib.SMTP:
        s = self.settings
        server = (smtplib.SMTP_SSL(timeout=s.timeout, context=self.ssl_context)
                  if s.scheme == "smtps" else smtplib.SMTP(timeout=s.timeout))
        if deadline is not None:
            deadline.server = server
        # connected here, not by the constructor, so the deadline covers the greeting; the
        # constructor would have set _host, which the certificate check needs
        server._host = s.host
        try:
            server.connect(s.host, s.port)
            if s.scheme == "smtps":
                return server
            server.ehlo()
            if server.has_extn("starttls"):
                server.starttls(context=self.ssl_context)
                server.ehlo()
            elif s.scheme == "smtp+starttls":
                raise TransportError(f"SMTP server {s.host} offers no STARTTLS, which "
                                     "smtp+starttls:// requires", temporary=False)
            elif s.user and not plaintext_allowed(s.host, s.allow_plaintext):
                raise TransportError(f"SMTP server {s.host} offers no STARTTLS: refusing to send "
                                     "the password unencrypted (use smtps://, or set "
                                     "allow_plaintext = true in [smtp])", temporary=False)
            return server
        except BaseException:
            server.close()
            raise

    def _login(self, server: smtplib.SMTP) -> None:
        s = self.settings
        if not s.user:
            return
        password = password_from_env(s.password_env, "smtp")
        try:
            server.login(s.user, password)
        except smtplib.SMTPAuthenticationError as error:
            detail = f"{error.smtp_code} {error.smtp_error.decode(errors='replace')}"
            raise TransportError(explain_login_refused("SMTP", s.host, s.user, detail),
                                 temporary=False, code=error.smtp_code) from error

    def send(self, raw: bytes, sender: str, recipients: Sequence[str]) -> None:
        """Send one mail; raise TransportError saying what failed and whether to retry."""
        s = self.settings
        with Deadline(s.deadline) as deadline:
            try:
                refused = self._send(deadline, raw, sender, recipients)
            except (smtplib.SMTPException, OSError) as error:
                if not deadline.expired:
                    raise
                raise TransportError(f"SMTP server {s.host}:{s.port} took longer than "
                                     f"{s.deadline:g} s for one mail (cut off); the mail waits "
                                     "for the next try", temporary=True) from error
        if refused:  # delivered to the others: a retry would send them a second copy
            raise TransportError(f"SMTP server {s.host} accepted the mail but refused "
                                 + _listing(refused), temporary=False, code=max(
                                     code for code, _text in refused.values()),
                                 mail_specific=True)

    def _send(self, deadline: Deadline, raw: bytes, sender: str,
              recipients: Sequence[str]) -> dict:
        """One connection, one mail; smtplib's errors become TransportError (a cut-off
        connection's error is left to send(), which knows the deadline passed)."""
        s = self.settings
        try:
            with self._open(deadline) as server:
                self._login(server)
                return server.sendmail(sender, list(recipients), crlf(raw))
        except smtplib.SMTPRecipientsRefused as error:
            codes = [code for code, _text in error.recipients.values()]
            raise TransportError(f"SMTP server {s.host} refused every recipient: "
                                 + _listing(error.recipients),
                                 temporary=all(map(_temporary, codes)), code=max(codes),
                                 mail_specific=True) from error
        except smtplib.SMTPResponseException as error:
            text = error.smtp_error.decode(errors="replace") if isinstance(
                error.smtp_error, bytes) else str(error.smtp_error)
            # the data refused is about this mail; a refused sender or login is ours
            about_mail = isinstance(error, smtplib.SMTPDataError)
            raise TransportError(f"SMTP server {s.host} answered {error.smtp_code} {text}",
                                 temporary=_temporary(error.smtp_code), code=error.smtp_code,
                                 mail_specific=about_mail and error.smtp_code != 421) from error
        except MissingSecret as error:
            raise TransportError(str(error), temporary=False) from error
        except ssl.SSLCertVerificationError as error:
            raise TransportError(explain_failure("SMTP", s.host, s.port, error),
                                 temporary=False) from error
        except (smtplib.SMTPException, OSError) as error:
            if deadline.expired:
                raise
            raise TransportError(f"SMTP server {s.host}:{s.port} unreachable or disconnected: "
                                 f"{error}", temporary=True) from error


def _listing(recipients: dict) -> str:
    return "; ".join(f"{address} ({code} {text.decode(errors='replace') if isinstance(text, bytes) else text})"
                     for address, (code, text) in recipients.items())


def check_login(endpoint, ssl_context: ssl.SSLContext | None = None) -> tuple[bool, str]:
    """Connect, secure and log in without sending; (ok, plain-words explanation)."""
    settings = SmtpSettings.from_endpoint(endpoint, timeout=20)
    transport = SmtpTransport(settings, ssl_context or tls_context(endpoint))
    try:
        with transport._open() as server:
            transport._login(server)
    except TransportError as error:
        return False, str(error)
    except MissingSecret as error:
        return False, explain_failure("SMTP", settings.host, settings.port, error)
    except (smtplib.SMTPException, OSError) as error:
        return False, explain_failure("SMTP", settings.host, settings.port, error)
    who = f"{settings.user}@" if settings.user else ""
    return True, f"SMTP 连接成功：{who}{settings.host}:{settings.port}。"
