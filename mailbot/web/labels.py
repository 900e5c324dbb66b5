"""The words the console shows for the store's states and kinds of mail.

Enums keyed by the store's values, each carrying its Chinese wording; an unknown
value (a newer store) is shown as such rather than breaking a page.
"""

from __future__ import annotations

from enum import Enum

from mailbot.app.review import Action as ReviewAction
from mailbot.core.models import MailState as CoreMailState


class Worded(Enum):
    """A stored value and its Chinese wording."""

    def __init__(self, stored: str, zh: str):
        self.stored = stored
        self.zh = zh

    @classmethod
    def word(cls, stored: str | None) -> str:
        found = next((member for member in cls if member.stored == stored), None)
        return found.zh if found else f"其他（{stored}）"


class OutgoingKind(Worded):
    RECEIPT = ("receipt", "回执")
    REMINDER = ("reminder", "提醒/催报")
    SUMMARY = ("summary", "汇总")
    HELD_NOTICE = ("held_notice", "待核实通知")


class OutgoingState(Worded):
    QUEUED = ("queued", "待发送")
    SENT = ("sent", "已发送")
    FAILED = ("failed", "发送失败")


class Action:
    """The audit trail's codes in the words of review's Action enum."""

    @staticmethod
    def word(code: str) -> str:
        found = next((a for a in ReviewAction if a.code == code), None)
        return found.zh if found else f"其他（{code}）"


class MailState:
    """A recorded mail's state in the words of core's MailState."""

    @staticmethod
    def word(stored: str) -> str:
        found = next((s for s in CoreMailState if s.value == stored), None)
        return found.zh if found else f"其他（{stored}）"
