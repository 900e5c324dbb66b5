"""The words the console shows for the store's states and kinds of mail.

Enums keyed by the store's values, each carrying its Chinese wording; an unknown
value (a newer store) is shown as such rather than breaking a page.
"""

from __future__ import annotations

from enum import Enum


class Worded(Enum):
    """A stored value and its Chinese wording."""

    def __init__(self, stored: str, zh: str):
        self.stored = stored
        self.zh = zh

    @classmethod
    def word(cls, stored: str | None) -> str:
        found = next((member for member in cls if member.stored == stored), None)
        return found.zh if found else f"其他（{stored}）"


class MailState(Worded):
    CLAIMED = ("claimed", "处理中")
    DONE = ("done", "已登记")
    IGNORED = ("ignored", "无需处理")
    HELD = ("held", "待核实")
    FAILED = ("failed", "处理出错")
    REJECTED = ("rejected", "已退回")
    ACCEPTED = ("accepted", "已接受")


class OutgoingKind(Worded):
    RECEIPT = ("receipt", "回执")
    REMINDER = ("reminder", "提醒/催报")
    SUMMARY = ("summary", "汇总")
    HELD_NOTICE = ("held_notice", "待核实通知")


class OutgoingState(Worded):
    QUEUED = ("queued", "待发送")
    SENT = ("sent", "已发送")
    FAILED = ("failed", "发送失败")


class Action(Worded):
    ACCEPT = ("accept", "接受登记")
    REJECT = ("reject", "退回")
    REQUEUE = ("requeue", "重新处理")
    RESEND = ("resend", "重新发送")
    REMIND = ("remind", "立即提醒")
    SUMMARY = ("summary", "发送汇总")
