"""Problems found in config.toml, each said in Chinese with where it is in the file.

Keys are tracked as paths ("items[6].units[0]", "mailbox.poll_seconds") and shown
the way the operator finds them in the file: 第7个[[items]]的 units 第1项,
[mailbox] poll_seconds. Values are shown as TOML writes them, never as Python
reprs, and a value under a secret-looking key is never shown.
"""

from __future__ import annotations

import json
import re
from datetime import date
from urllib.parse import urlsplit

ARRAYS = ("units", "items")  # [[units]], [[items]]: arrays of tables, numbered from 1
PATH = re.compile(r"^(\w+)(?:\[(\d+)\])?(?:\.(.+))?$")
KIND_ZH = {str: "文字（加英文双引号）", int: "整数", list: "列表（[...]）", dict: "一节（[名称]）",
           date: "日期（如 2026-09-01）", bool: "布尔值（true 或 false）"}


def where(key: str) -> str:
    """A key path as the operator finds it in the file."""
    match = PATH.match(key)
    if not match:
        return key
    name, index, rest = match.groups()
    if name in ARRAYS:
        base = f"第{int(index) + 1}个[[{name}]]" if index is not None else f"[[{name}]]"
        return f"{base}的 {_inner(rest)}" if rest else base
    return f"[{name}] {_inner(rest)}" if rest else f"[{name}]"


def _inner(rest: str) -> str:
    return re.sub(r"\[(\d+)\]", lambda m: f" 第{int(m[1]) + 1}项", rest.replace(".", " "))


def shown(value) -> str:
    """A value as TOML would write it ("5m", 123, ["a"], true); URLs with their password
    masked."""
    if isinstance(value, str):
        return json.dumps(mask_url(value), ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value, ensure_ascii=False, default=str)


def mask_url(text: str) -> str:
    """imaps://user:secret@host -> imaps://user:***@host: a password is never echoed."""
    try:
        parts = urlsplit(text)
        password = parts.password
    except ValueError:
        return re.sub(r"(//[^/:@]*:)[^@/]*@", r"\1***@", text)
    if not password:
        return text
    return text.replace(f":{password}@", ":***@", 1)


class Problems:
    """Collects problems with their key paths while reading the file."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, key: str, message: str) -> None:
        self.items.append(f"{where(key)}：{message}" if key else message)

    def require(self, table: dict, key: str, path: str, kind: type, default=None):
        """A key that must be there, of its kind; the default stands in when it is not."""
        if table.get(key) is None:
            self.add(_join(path, key), "缺少此项")
            return default
        return self.optional(table, key, path, kind, default)

    def optional(self, table: dict, key: str, path: str, kind: type, default=None):
        """A key that may be left out (then `default`); when given, of its kind."""
        value = table.get(key)
        if value is None:
            return default
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)) or (
                kind is date and hasattr(value, "hour")):
            self.add(_join(path, key), f"应为{KIND_ZH.get(kind, kind.__name__)}，现为 {shown(value)}")
            return default
        return value

    def text(self, table: dict, key: str, path: str, default: str = "") -> str:
        """An optional string, stripped; a given but blank one is a problem."""
        value = self.optional(table, key, path, str, None)
        if value is None:
            return default
        if not value.strip():
            self.add(_join(path, key), "不能为空")
            return default
        return value.strip()

    def between(self, table: dict, key: str, path: str, low: int, high: int,
                default: int) -> int:
        value = self.optional(table, key, path, int, default)
        if not low <= value <= high:
            self.add(_join(path, key), f"应在 {low} 到 {high} 之间，现为 {value}")
            return default
        return value

    def strings(self, table: dict, key: str, path: str) -> tuple[str, ...]:
        """An optional list of non-empty strings (a bare string is not split into letters)."""
        values = self.optional(table, key, path, list, [])
        good = []
        for index, value in enumerate(values):
            if not isinstance(value, str) or not value.strip():
                self.add(f"{_join(path, key)}[{index}]", f"应为非空文字，现为 {shown(value)}")
            else:
                good.append(value.strip())
        return tuple(good)

    def section(self, data: dict, key: str) -> dict:
        """A [section] that may be left out; anything but a table is a problem."""
        value = data.get(key, {})
        if not isinstance(value, dict):
            self.add(key, f"应为一节（[{key}]），现为 {shown(value)}")
            return {}
        return value

    def known(self, table: dict, path: str, keys) -> None:
        """Every key not in `keys` is a problem (a typo would otherwise be ignored)."""
        for key in table:
            if key not in keys:
                self.add(_join(path, key), "不认识这一项；可用的有：" + "、".join(keys))


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key
