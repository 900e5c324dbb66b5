"""[mailbox] and [smtp]: where mail comes from and goes to, validated with key paths.

Local folders (maildir:, outbox:) are made absolute against the config file;
network URLs must name a host and leave the password to an environment variable.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

from mailbot.config.problems import mask_url, shown

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
    warnings: tuple[str, ...] = ()  # not errors: an inline password

    @property
    def scheme(self) -> str:
        return self.url.split(":", 1)[0]

    @property
    def local_path(self) -> str:
        """The folder of a maildir:/outbox: URL."""
        return self.url.split(":", 1)[1]



KEYS = {"mailbox": ("url", "password_env", "allow_plaintext", "processed", "processed_folder",
                    "poll_seconds", "since", "ca_file"),
        "smtp": ("url", "password_env", "allow_plaintext", "sender", "ca_file", "give_up_days")}
SENDER = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def parse_endpoint(table, key: str, schemes: tuple[str, ...], base: Path,
                   problems) -> Endpoint:
    """A [mailbox] or [smtp] section; problems are added to `problems` with key paths."""
    if not isinstance(table, dict):
        problems.add(key, "缺少这一节" if table is None else f"应为一节（[{key}]），现为 {shown(table)}")
        return Endpoint(url="")
    warnings = _inline_password(table, key)
    problems.known({k: v for k, v in table.items() if k != "password"}, key, KEYS[key])
    url = problems.require(table, "url", key, str, "")
    scheme = url.split(":", 1)[0]
    if url and scheme not in schemes:
        problems.add(f"{key}.url", f"{shown(url)} 应以 " + "、".join(f"{s}:" for s in schemes)
                     + " 之一开头")
    elif scheme in ("maildir", "outbox"):
        url = f"{scheme}:{(base / url.split(':', 1)[1]).resolve()}"
    elif url:
        _check_network_url(table, key, url, problems)
    processed = problems.optional(table, "processed", key, str, "leave")
    if processed not in ("leave", "keyword", "move"):
        problems.add(f"{key}.processed", f"应为 leave、keyword 或 move，现为 {shown(processed)}")
    folder = problems.optional(table, "processed_folder", key, str, "")
    if processed == "move" and not folder:
        problems.add(f"{key}.processed_folder", "processed = \"move\" 时需要写明移到哪个文件夹")
    return Endpoint(
        url=url,
        password_env=problems.optional(table, "password_env", key, str, ""),
        allow_plaintext=problems.optional(table, "allow_plaintext", key, bool, False),
        sender=_sender(table, key, problems),
        processed=processed,
        processed_folder=folder,
        poll_seconds=problems.between(table, "poll_seconds", key, 1, 86400, 300),
        since=_since(table, key, problems),
        ca_file=_ca_file(table, key, base, problems),
        give_up_days=problems.between(table, "give_up_days", key, 1, 60, 3),
        warnings=warnings,
    )


def _inline_password(table: dict, key: str) -> tuple[str, ...]:
    """A password written into config.toml is not used (and is readable by whoever can
    read the file): a warning that names the variable to use instead, never the value."""
    if "password" not in table:
        return ()
    variable = table.get("password_env") or "password_env 指定的环境变量"
    return (f"[{key}] password：config.toml 里的密码不会被使用，且任何能读这个文件的人都能看到；"
            f"请删去这一行，把密码放进环境变量 {variable}。",)


def _sender(table: dict, key: str, problems) -> str:
    sender = problems.text(table, "sender", key, "")
    if sender and not SENDER.match(sender):
        problems.add(f"{key}.sender", f"{shown(sender)} 不是邮箱地址")
        return ""
    return sender


def _ca_file(table: dict, key: str, base: Path, problems) -> str:
    """`ca_file = "certs/office-ca.pem"`, relative to the config file; it must exist."""
    value = problems.optional(table, "ca_file", key, str, "")
    if not value:
        return ""
    path = (base / value).resolve()
    if not path.is_file():
        problems.add(f"{key}.ca_file", f"找不到证书文件 {path}（应为 PEM 格式的 CA 证书）")
    return str(path)


def _since(table: dict, key: str, problems) -> date | None:
    """`since = 2026-09-01` (a TOML date, or the same as a string); absent: None."""
    value = table.get("since")
    if value is None or (isinstance(value, date) and not hasattr(value, "hour")):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        problems.add(f"{key}.since", f"{shown(value)} 不是日期，应写如 2026-09-01")
        return None


# (scheme, port) pairs that cannot work, with the URL that does: a plain-text
# client on an implicit-TLS port (or the reverse) would otherwise hang until timeout
WRONG_PORTS = {("imap", 993): "imaps", ("imaps", 143): "imap",
               ("smtp+starttls", 465): "smtps", ("smtp", 465): "smtps",
               ("smtps", 587): "smtp+starttls", ("smtps", 25): "smtp+starttls"}


def _check_network_url(table: dict, key: str, url: str, problems) -> None:
    parts = urlsplit(url)
    try:
        host, port = parts.hostname, parts.port
    except ValueError:
        problems.add(f"{key}.url", f"{shown(url)} 的端口号不对")
        return
    if not host:
        problems.add(f"{key}.url", f"{shown(url)} 没有写服务器地址")
    fix = WRONG_PORTS.get((parts.scheme, port))
    if fix:
        problems.add(f"{key}.url", f"端口 {port} 与 {parts.scheme}:// 不匹配，连接会一直等到超时："
                     f"请改为 {mask_url(f'{fix}://{parts.netloc}{parts.path}')}")
    if parts.username and not table.get("password_env"):
        problems.add(f"{key}.password_env", "需要填写：保存密码的环境变量名")
    if parts.password:
        problems.add(f"{key}.url", "地址里不能写密码；请删去密码，改用 password_env 指定的环境变量")
    if key == "smtp" and not table.get("sender"):
        problems.add("smtp.sender", "通过 SMTP 发信时需要填写发件地址")
