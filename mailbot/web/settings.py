"""config.toml's [web] section: where the console listens and who may log in.

Only password hashes live in config (or in an environment variable the
section names), never passwords: `mailbot web hash-password` makes the hash.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from enum import Enum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from mailbot.config import Config, ConfigError

DEFAULT_LISTEN = "127.0.0.1:8765"
HASHER = PasswordHasher()
# verified against when the name is unknown, so a wrong name costs as long as a wrong password
DUMMY_HASH = HASHER.hash("mailbot-no-such-user")


class Role(Enum):
    """What a user may do; the value is the config word, `zh` the console's."""

    STAFF = ("staff", "工作人员")
    VIEWER = ("viewer", "只读")

    def __init__(self, word: str, zh: str):
        self.word = word
        self.zh = zh

    @property
    def may_act(self) -> bool:
        return self is Role.STAFF

    @classmethod
    def named(cls, word: str) -> Role | None:
        return next((role for role in cls if role.word == word), None)


@dataclass(frozen=True)
class WebUser:
    name: str
    password_hash: str
    role: Role


@dataclass(frozen=True)
class WebSettings:
    listen: str = DEFAULT_LISTEN
    users: tuple[WebUser, ...] = ()
    idle_minutes: int = 30  # a session unused this long must log in again
    cookie_secure: bool = False  # true behind TLS (nginx): the cookie never goes over http
    proxy_hops: int = 0  # reverse proxies in front whose X-Forwarded-For/-Proto to trust

    @property
    def host_port(self) -> tuple[str, int]:
        host, _, port = self.listen.rpartition(":")
        return host.strip("[]"), int(port)

    def user(self, name: str) -> WebUser | None:
        return next((user for user in self.users if user.name == name), None)


def hash_password(password: str) -> str:
    return HASHER.hash(password)


def check_password(settings: WebSettings, name: str, password: str) -> WebUser | None:
    """The user if the password is right; the same work is done for an unknown name."""
    user = settings.user(name)
    try:
        HASHER.verify(user.password_hash if user else DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    return user


def web_settings(config: Config) -> WebSettings:
    """[web] as settings; ConfigError naming each bad key (exit status 2)."""
    table = config.section("web")
    problems: list[str] = []
    listen = table.get("listen", DEFAULT_LISTEN)
    if not _valid_listen(listen):
        problems.append(f"web.listen：应写成“地址:端口”，例如 \"{DEFAULT_LISTEN}\"")
    users = tuple(filter(None, (_user(entry, number, problems)
                                for number, entry in enumerate(table.get("users", []), 1))))
    settings = WebSettings(
        listen=listen if isinstance(listen, str) else DEFAULT_LISTEN, users=users,
        idle_minutes=_integer(table, "idle_minutes", 30, problems),
        cookie_secure=bool(table.get("cookie_secure", False)),
        proxy_hops=_integer(table, "proxy_hops", 0, problems))
    if problems:
        raise ConfigError(config.path, problems)
    return settings


def require_users(config: Config, settings: WebSettings) -> None:
    """The console without any user would lock everyone out: say how to add one."""
    if not settings.users:
        raise ConfigError(config.path, [
            "web.users：尚未设置任何登录用户；请先运行 `mailbot web hash-password` 生成密码哈希，"
            "再在 config.toml 中添加 [[web.users]]（name、password_hash、role）"])


def _valid_listen(listen) -> bool:
    if not isinstance(listen, str) or ":" not in listen:
        return False
    port = listen.rpartition(":")[2]
    return port.isdigit() and int(port) < 65536  # 0: any free port


def _integer(table: dict, key: str, default: int, problems: list[str]) -> int:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        problems.append(f"web.{key}：应为不小于0的整数")
        return default
    return value


def _user(entry: dict, number: int, problems: list[str]) -> WebUser | None:
    where = f"web.users 第{number}项"
    name = entry.get("name")
    role = Role.named(entry.get("role", "staff"))
    password_hash = entry.get("password_hash")
    if "password_hash_env" in entry:
        password_hash = os.environ.get(str(entry["password_hash_env"]))
        if not password_hash:
            problems.append(f"{where}：环境变量 {entry['password_hash_env']} 未设置")
            return None
    found = []
    if not isinstance(name, str) or not name.strip():
        found.append(f"{where}：缺少 name（登录名）")
    if role is None:
        found.append(f"{where}：role 只能是 \"staff\"（工作人员）或 \"viewer\"（只读）")
    if not isinstance(password_hash, str) or not password_hash.startswith("$argon2"):
        found.append(f"{where}：password_hash 应为 `mailbot web hash-password` 生成的哈希")
    problems += found
    if found:
        return None
    return WebUser(name.strip(), password_hash, role)
