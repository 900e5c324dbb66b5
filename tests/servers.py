"""Real servers for tests: Dovecot IMAP and aiosmtpd SMTP on loopback.

Dovecot runs from a config written into a temporary folder (facts in
docs/design.md, "Real parts"): one full server, and one whose advertised
capabilities lack MOVE and IDLE, the way 163.com looks to a client. Each test
takes a fresh user (the passdb accepts any name with PASSWORD), so tests share a
server without sharing a mailbox.
"""

from __future__ import annotations

import itertools
import os
import shutil
import socket
import sqlite3
import ssl
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from imapclient import IMAPClient
from tests.tools import need_tool
from mailbot.config import PACKAGED_CONFIG

PASSWORD = "secret"
LIMITED_CAPABILITIES = ("IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE SORT UNSELECT CHILDREN "
                        "NAMESPACE UIDPLUS LIST-EXTENDED I18NLEVEL=1 ESEARCH SPECIAL-USE LITERAL+")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {seconds} s")


@dataclass(frozen=True)
class Cert:
    cert: Path
    key: Path

    def client_context(self) -> ssl.SSLContext:
        """A client context that trusts only this self-signed certificate."""
        return ssl.create_default_context(cafile=str(self.cert))

    def server_context(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(str(self.cert), str(self.key))
        return context


@pytest.fixture(scope="session")
def tls_cert(tmp_path_factory) -> Cert:
    return make_cert(tmp_path_factory.mktemp("tls"))


def make_cert(folder: Path) -> Cert:
    """A self-signed certificate for 127.0.0.1 (also used by the benchmark scripts)."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run([need_tool("openssl"), "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                    "-keyout", str(key), "-out", str(cert), "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
                   check=True, capture_output=True)
    return Cert(cert, key)


def _dovecot_conf(root: Path, cert: Cert, port: int, tls_port: int, extra: str) -> str:
    as_root = os.geteuid() == 0
    me = "root" if as_root else os.environ.get("USER") or str(os.getuid())
    users = ("default_login_user = nobody\ndefault_internal_user = root\n"
             "mail_uid = nobody\nmail_gid = nogroup\n") if as_root else (
        f"default_login_user = {me}\ndefault_internal_user = {me}\n"
        f"default_internal_group = {me}\n"
        "service imap-login {\n  chroot =\n}\nservice anvil {\n  chroot =\n}\n")
    return f"""base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
listen = 127.0.0.1
protocols = imap
ssl = yes
ssl_cert = <{cert.cert}
ssl_key = <{cert.key}
auth_failure_delay = 0
auth_mechanisms = plain login
mail_max_userip_connections = 200
mail_location = maildir:{root}/mail/%u
{users}passdb {{
  driver = static
  args = password={PASSWORD}
}}
userdb {{
  driver = static
  args = home={root}/mail/%u
}}
service imap-login {{
  inet_listener imap {{
    port = {port}
  }}
  inet_listener imaps {{
    port = {tls_port}
    ssl = yes
  }}
}}
namespace inbox {{
  inbox = yes
  separator = /
  mailbox Archive {{
    special_use = \\Archive
    auto = create
  }}
}}
{extra}
"""


@dataclass
class Dovecot:
    """A running Dovecot, with the helpers tests need to act on its mailboxes."""

    root: Path
    conf: Path
    port: int
    tls_port: int
    cert: Cert
    process: subprocess.Popen
    _users: itertools.count = field(default_factory=lambda: itertools.count(1))

    def new_user(self) -> str:
        return f"user{next(self._users)}-{os.getpid()}"

    def url(self, user: str, folder: str = "INBOX", tls: bool = False) -> str:
        if tls:
            return f"imaps://{user}@127.0.0.1:{self.tls_port}/{folder}"
        return f"imap://{user}@127.0.0.1:{self.port}/{folder}"

    def client(self, user: str) -> IMAPClient:
        """A plain client for the test's own look at the mailbox (STARTTLS skipped: loopback)."""
        client = IMAPClient("127.0.0.1", port=self.port, ssl=False, timeout=10)
        client.login(user, PASSWORD)
        return client

    def append(self, user: str, raw: bytes, folder: str = "INBOX") -> None:
        client = self.client(user)
        try:
            if folder != "INBOX" and not client.folder_exists(folder):
                client.create_folder(folder)
            client.append(folder, raw)
        finally:
            client.logout()

    def doveadm(self, *args: str) -> str:
        result = subprocess.run([need_tool("doveadm"), "-c", str(self.conf), *args],
                                capture_output=True, text=True, timeout=30)
        if result.returncode != 0:
            raise RuntimeError(f"doveadm {' '.join(args)}: {result.stderr.strip()}")
        return result.stdout

    def set_uidvalidity(self, user: str, value: int, folder: str = "INBOX") -> None:
        """Change UIDVALIDITY the way a server migration does (sessions are cut)."""
        self.doveadm("mailbox", "update", "-u", user, "--uid-validity", str(value), folder)

    def kick(self, user: str) -> None:
        """Cut every connection of `user`, as a network failure would."""
        self.doveadm("kick", user)


def _start_dovecot(cert: Cert, extra: str = "") -> Dovecot:
    binary = need_tool("dovecot")
    root = Path(tempfile.mkdtemp(prefix="mailbot-dovecot-"))
    root.chmod(0o755)  # the mail processes run as nobody and must reach mail/
    (root / "mail").mkdir()
    if os.geteuid() == 0:
        shutil.chown(root / "mail", "nobody", "nogroup")
    port, tls_port = free_port(), free_port()
    conf = root / "dovecot.conf"
    conf.write_text(_dovecot_conf(root, cert, port, tls_port, extra), encoding="utf-8")
    process = subprocess.Popen([binary, "-c", str(conf), "-F"],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        wait_for_port(port)
    except RuntimeError:
        process.kill()
        output = process.communicate()[0].decode(errors="replace")
        log = (root / "dovecot.log").read_text(errors="replace") if (root / "dovecot.log").exists() else ""
        raise RuntimeError(f"dovecot did not start:\n{output}\n{log}") from None
    return Dovecot(root, conf, port, tls_port, cert, process)


def _stop_dovecot(server: Dovecot) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()
    shutil.rmtree(server.root, ignore_errors=True)


@contextmanager
def running_dovecot(cert: Cert, extra: str = "") -> Iterator[Dovecot]:
    """A Dovecot outside pytest's fixtures, for the benchmark scripts."""
    server = _start_dovecot(cert, extra)
    try:
        yield server
    finally:
        _stop_dovecot(server)


@pytest.fixture(scope="session")
def dovecot(tls_cert):
    """A full Dovecot: STARTTLS, implicit TLS, IDLE, MOVE, UIDPLUS, SPECIAL-USE."""
    server = _start_dovecot(tls_cert)
    yield server
    _stop_dovecot(server)


@pytest.fixture(scope="session")
def dovecot_limited(tls_cert):
    """A Dovecot that advertises neither MOVE nor IDLE (like 163.com): COPY+EXPUNGE, polling."""
    server = _start_dovecot(tls_cert, f"protocol imap {{\n  imap_capability = {LIMITED_CAPABILITIES}\n}}")
    yield server
    _stop_dovecot(server)


@pytest.fixture(scope="session")
def dovecot_bad_logins(tls_cert):
    """A server of its own for failed-login tests: after a failure Dovecot delays every
    login from that IP for a while (anvil's auth penalty), which would slow other tests."""
    server = _start_dovecot(tls_cert)
    yield server
    _stop_dovecot(server)


# --- SMTP: aiosmtpd ------------------------------------------------------------


@dataclass(frozen=True)
class Received:
    mail_from: str
    rcpt_tos: tuple[str, ...]
    data: bytes


class _Recorder:
    """aiosmtpd handler that keeps every envelope; a recipient named reject-5xx@
    or busy-4xx@ is refused with that class of code, to test error mapping."""

    def __init__(self) -> None:
        self.received: list[Received] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("reject-"):
            return "550 5.1.1 no such user here"
        if address.startswith("busy-"):
            return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.received.append(Received(envelope.mail_from, tuple(envelope.rcpt_tos),
                                      envelope.original_content or envelope.content))
        return "250 Message accepted"


@dataclass
class SmtpServer:
    port: int
    received: list[Received]
    user: str = ""
    password: str = ""
    cert: Cert | None = None

    def url(self, scheme: str = "smtp") -> str:
        user = f"{self.user}@" if self.user else ""
        return f"{scheme}://{user}127.0.0.1:{self.port}"


def _authenticator(user: str, password: str):
    from aiosmtpd.smtp import AuthResult, LoginPassword

    def check(server, session, envelope, mechanism, auth_data):
        good = (isinstance(auth_data, LoginPassword) and auth_data.login == user.encode()
                and auth_data.password == password.encode())
        return AuthResult(success=good, handled=False)  # handled=False: a proper 535 on failure
    return check


def _controller(handler, **kwargs):
    """aiosmtpd is a test extra (pip install -e '.[test]'), so it is always there."""
    from aiosmtpd.controller import Controller

    controller = Controller(handler, hostname="127.0.0.1", port=free_port(), **kwargs)
    controller.start()
    return controller


@contextmanager
def running_smtp() -> Iterator[SmtpServer]:
    """The plain loopback SMTP server outside pytest's fixtures, for benchmarks."""
    handler = _Recorder()
    controller = _controller(handler)
    try:
        yield SmtpServer(controller.port, handler.received)
    finally:
        controller.stop()


@pytest.fixture
def smtp_server():
    """A plain SMTP server on loopback, no STARTTLS, no AUTH (like a local relay)."""
    handler = _Recorder()
    controller = _controller(handler)
    yield SmtpServer(controller.port, handler.received)
    controller.stop()


@pytest.fixture
def smtp_tls_server(tls_cert):
    """STARTTLS required, AUTH only after it, one user: a submission port (587)."""
    handler = _Recorder()
    controller = _controller(handler, tls_context=tls_cert.server_context(), require_starttls=True,
                             authenticator=_authenticator("bot", PASSWORD),
                             auth_require_tls=True)
    yield SmtpServer(controller.port, handler.received, "bot", PASSWORD, tls_cert)
    controller.stop()


# --- a mailbot site on these servers -------------------------------------------

def site_config(folder: Path, dovecot: Dovecot, user: str, smtp: SmtpServer,
                password_env: str, trusted: tuple[str, ...] = ()) -> Path:
    """The shipped config.toml, its [mailbox] and [smtp] pointed at these servers.

    The mailbot it configures speaks STARTTLS to Dovecot: run it with SSL_CERT_FILE
    set to dovecot.cert.cert (and the password in `password_env`)."""
    text = PACKAGED_CONFIG.read_text(encoding="utf-8")
    text = (text.replace('url = "maildir:var/mail"', f'url = "{dovecot.url(user)}"')
            .replace('"MAILBOT_IMAP_PASSWORD"', f'"{password_env}"')
            .replace('url = "outbox:var/outbox"', f'url = "{smtp.url()}"')
            .replace("trusted_authserv_ids = []",
                     f"trusted_authserv_ids = {list(trusted)!r}".replace("'", '"')))
    path = folder / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def mail_reaches(path: Path, state: str, timeout: float = 60) -> bool:
    """Wait until a worker process has a mail in `state` in the store at `path`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists():
            db = sqlite3.connect(path, timeout=30)
            try:
                if db.execute("SELECT 1 FROM messages WHERE state = ?", (state,)).fetchone():
                    return True
            except sqlite3.OperationalError:  # the schema is being created
                pass
            finally:
                db.close()
        time.sleep(0.05)
    return False
