"""The "no invented rows" rule (pure): is a progress cell's text a report at all?

A row is a report only when its progress text is something the unit wrote. What
the form itself prints - unit names, item titles, deadlines - and what Word shows
in an unfilled content control are not, wherever they turn up (a shifted grid puts
the 责任单位 column under the progress header; an unfilled control shows its
placeholder; a unit copies the deadline into every row).
"""

from __future__ import annotations

import re

from mailbot.extract.match import split_units
from mailbot.extract.text import key
from mailbot.core.models import Campaign

PLACEHOLDERS = tuple(key(text) for text in (
    "单击或点击此处输入文字", "单击此处输入文字", "点击此处输入文字", "单击或点击此处输入日期",
    "click or tap here to enter text", "click here to enter text", "请输入", "请填写",
    "在此处输入", "此处填写"))
DEADLINE = re.compile(r"^(\d{4}年)?(\d{1,2}月)?(\d{1,2}日)?(底|末|前|以前|之前|内|止)*$")


def boilerplate(text: str, campaign: Campaign) -> bool:
    """True when `text` is only the form's own text, a placeholder or a dash, not a report."""
    flat = key(text)
    if not flat or placeholder(text):
        return True
    if DEADLINE.match(flat) and any(ch.isdigit() for ch in flat):
        return True
    if any(flat == key(item.title) or flat == key(item.deadline) for item in campaign.items):
        return True
    return _only_unit_names(text, campaign)


def placeholder(text: str) -> bool:
    """Is this the prompt of an empty field (Word's content control, a template's hint)?"""
    flat = key(text)
    return any(flat.startswith(prompt) for prompt in PLACEHOLDERS)


def _only_unit_names(text: str, campaign: Campaign) -> bool:
    """Does the text list configured units and nothing else (a 责任单位 cell)?"""
    named, rest = split_units(text, campaign)
    return bool(named) and not any(key(piece) for piece in rest)
