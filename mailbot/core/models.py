"""Frozen dataclasses shared by every stage of the pipeline.

This is the ground floor: it imports nothing from mailbot but its two neighbours
(core.states, core.mail), so every stage can depend on it and the pure core never
reaches the I/O shell through it. The campaign is defined here; the states are
core.states'; the values of a mail's way (Message, Extraction, OutgoingMail...) are
core.mail's, handed out from here at their first use. Import all of them from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import Enum

from mailbot.core.states import (MAIL_STATES_ZH, OUTGOING_STATES_ZH, UNIT_STATES_ZH,  # noqa: F401
                                 HeldReason, IgnoredReason, MailState, OutgoingState, Standing,
                                 UnitState)

# --- the campaign (from config.toml) -------------------------------------


@dataclass(frozen=True)
class Unit:
    """A government unit that must report; `emails` are the registered senders."""

    name: str
    emails: tuple[str, ...]
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Item:
    """One of the campaign's practical projects (a row of the form)."""

    seq: int
    title: str
    units: tuple[str, ...]
    deadline: str


class ColumnRole(Enum):
    """What a column of the form holds; the value is its Chinese name in messages."""

    SEQ = "序号"
    TITLE = "事项名称"
    UNITS = "责任单位"
    FILLED = "由单位填写"
    DEADLINE = "完成时限"


# Keywords naming a role, checked in this order: "具体措施及任务进度情况" holds
# 任务 (a title word) but is the progress column, so FILLED words come first.
_ROLE_WORDS = (
    (ColumnRole.SEQ, ("序号", "编号")),
    (ColumnRole.DEADLINE, ("时限", "完成时间", "截止时间", "时间节点")),
    (ColumnRole.FILLED, ("进度", "进展", "措施", "完成情况", "工作情况")),
    (ColumnRole.UNITS, ("单位", "部门")),
    (ColumnRole.TITLE, ("名称", "实事", "项目", "事项", "任务")),
)


@dataclass(frozen=True)
class Column:
    """One column of the campaign's form, by its heading."""

    name: str
    role: ColumnRole


def column_role(name: str) -> ColumnRole:
    """The role a heading names; anything unrecognised (存在问题, 下步打算) is for units to fill."""
    flat = "".join(name.split())
    for role, words in _ROLE_WORDS:
        if any(word in flat for word in words):
            return role
    return ColumnRole.FILLED


def columns_of(names: tuple[str, ...] | list[str]) -> tuple[Column, ...]:
    return tuple(Column(name, column_role(name)) for name in names)


DEFAULT_COLUMNS = columns_of(("序号", "实事名称", "责任单位", "具体措施及任务进度情况", "完成时限"))


@dataclass(frozen=True)
class Quarter:
    """A reporting period; `due` is the last day a report counts as on time."""

    name: str
    start: date
    end: date
    due: date


@dataclass(frozen=True)
class Campaign:
    """Everything the pure stages need to know about what is being collected."""

    title: str
    federation: str
    federation_emails: tuple[str, ...]
    units: tuple[Unit, ...]
    items: tuple[Item, ...]
    quarters: tuple[Quarter, ...]
    timezone: str = "Asia/Shanghai"
    contact: str = ""
    phone: str = ""
    columns: tuple[Column, ...] = DEFAULT_COLUMNS  # the form's, in order

    @property
    def filled_columns(self) -> tuple[Column, ...]:
        """The columns units write in; the first is the progress column."""
        return tuple(c for c in self.columns if c.role is ColumnRole.FILLED)

    def unit(self, name: str) -> Unit:
        for unit in self.units:
            if unit.name == name:
                return unit
        raise KeyError(name)

    def quarter(self, name: str) -> Quarter:
        for quarter in self.quarters:
            if quarter.name == name:
                return quarter
        raise KeyError(name)

    def items_of(self, unit: str) -> tuple[Item, ...]:
        return tuple(item for item in self.items if unit in item.units)


IMAGE_FORMATS = ("jpeg", "png", "tiff", "bmp", "heic", "webp")  # image attachments, read by OCR
CN_QUARTERS = {"1": "一", "2": "二", "3": "三", "4": "四"}


def quarter_label(name: str) -> str:
    """"2026Q3" -> "2026年第三季度", the way the quarter is named in Chinese mail."""
    year, _, number = name.partition("Q")
    if not year.isdigit() or number not in CN_QUARTERS:
        raise ValueError(f"not a quarter name like 2026Q3: {name!r}")
    return f"{year}年第{CN_QUARTERS[number]}季度"


# The values of a mail's way through the stages live in core.mail, built at their first
# use: a start that reads no mail (an empty poll, status) never creates those classes.
MAIL_VALUES = frozenset({
    "Attachment", "LinkedFile", "Message", "Submission", "Ignored", "Held", "Decision", "FormRow",
    "FormHint", "StampedCheck", "Extraction", "Assessment", "SubmissionRecord", "UnitStatus",
    "HeldMail", "OutgoingMail"})


def __getattr__(name: str):
    if name in MAIL_VALUES:
        from mailbot.core import mail

        return getattr(mail, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
