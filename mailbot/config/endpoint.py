"""[mailbox] and [smtp]: where mail comes from and goes to, validated with key paths.

Local folders (maildir:, outbox:) are made absolute against the config file;
network URLs must name a host and leave the password to an environment variable.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

MAILBOX_SCHEMES = ("imaps", "imap", "maildir")
SMTP_SCHEMES = ("smtps", "smtp+starttls", "smtp", "outbox")


@dataclass(frozen=True)
class Endpoint:
    """Where mail comes from or goes to: a URL plus the secret's variable name."""

    url: str
    password_env: str = ""
    allow_plaintext: bool = False
    sender: str = ""
    processed: str = "leave"  # leave | keyword | move
    processed_folder: str = ""
    poll_seconds: int = 300
    since: date | None = None  # [mailbox] only: mail that arrived before it is never answered
    ca_file: str = ""  # PEM of a self-signed or internal CA's certificate to trust
    give_up_days: int = 3  # [smtp] only: a mail still refused (4xx) this long after queueing

    @property
    def scheme(self) -> str:
        return self.url.split(":", 1)[0]

    @property
    def local_path(self) -> str:
        """The folder of a maildir:/outbox: URL."""
        return self.url.split(":", 1)[1]



def parse_endpoint(table, key: str, schemes: tuple[str, ...], base: Path,
                   problems) -> Endpoint:
    """A [mailbox] or [smtp] section; problems are added to `problems` with key paths."""
    if not isinstance(table, dict):
        problems.add(key, "the section is missing")
        return Endpoint(url="")
    url = problems.require(table, "url", key, str, "")
    scheme = url.split(":", 1)[0]
    if url and scheme not in schemes:
        problems.add(f"{key}.url", f"{url!r} must start with one of "
                     + ", ".join(f"{s}:" for s in schemes))
    elif scheme in ("maildir", "outbox"):
        url = f"{scheme}:{(base / url.split(':', 1)[1]).resolve()}"
    elif url:
        _check_network_url(table, key, url, problems)
    processed = table.get("processed", "leave")
    if processed not in ("leave", "keyword", "move"):
        problems.add(f"{key}.processed", "must be leave, keyword or move")
    if processed == "move" and not table.get("processed_folder"):
        problems.add(f"{key}.processed_folder", "is needed when processed = \"move\"")
    return Endpoint(
        url=url,
        password_env=table.get("password_env", ""),
        allow_plaintext=bool(table.get("allow_plaintext", False)),
        sender=table.get("sender", ""),
        processed=processed,
        processed_folder=table.get("processed_folder", ""),
        poll_seconds=int(table.get("poll_seconds", 300)),
        since=_since(table, key, problems),
        ca_file=_ca_file(table, key, base, problems),
        give_up_days=int(table.get("give_up_days", 3)),
    )


def _ca_file(table: dict, key: str, base: Path, problems) -> str:
    """`ca_file = "certs/office-ca.pem"`, relative to the config file; it must exist."""
    value = table.get("ca_file", "")
    if not value:
        return ""
    path = (base / str(value)).resolve()
    if not path.is_file():
        problems.add(f"{key}.ca_file", f"找不到证书文件 {path}（应为 PEM 格式的 CA 证书）")
    return str(path)


def _since(table: dict, key: str, problems) -> date | None:
    """`since = 2026-09-01` (a TOML date, or the same as a string); absent: None."""
    value = table.get("since")
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        problems.add(f"{key}.since", f"{value!r} is not a date such as 2026-09-01")
        return None


# (scheme, port) pairs that cannot work, with the URL that does: a plain-text
# client on an implicit-TLS port (or the reverse) would otherwise hang until timeout
WRONG_PORTS = {("imap", 993): "imaps", ("imaps", 143): "imap",
               ("smtp+starttls", 465): "smtps", ("smtp", 465): "smtps",
               ("smtps", 587): "smtp+starttls", ("smtps", 25): "smtp+starttls"}


def _check_network_url(table: dict, key: str, url: str, problems) -> None:
    parts = urlsplit(url)
    if not parts.hostname:
        problems.add(f"{key}.url", f"{url!r} names no host")
    try:
        port = parts.port
    except ValueError:
        problems.add(f"{key}.url", f"{url!r} has a bad port")
        return
    fix = WRONG_PORTS.get((parts.scheme, port))
    if fix:
        problems.add(f"{key}.url", f"端口 {port} 与 {parts.scheme}:// 不匹配，连接会一直等到超时："
                     f"请改为 {fix}://{parts.netloc}{parts.path}")
    if parts.username and not table.get("password_env"):
        problems.add(f"{key}.password_env",
                     "is needed: name the environment variable that holds the password")
    if parts.password:
        problems.add(f"{key}.url", "must not contain a password; use password_env")
    if key == "smtp" and not table.get("sender"):
        problems.add("smtp.sender", "is needed to send over SMTP")
