"""Message -> Submission | Ignored | Held, with the reason (pure).

Which unit: the sender's registered address; a mail that names a unit from an
unregistered address is held for review, never silently counted. Which quarter:
words in the subject, filenames or body (第三季度, 三季度, Q3, 7-9月...), else the
date against the quarters' reporting windows.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from mailbot.models import Campaign, Held, Ignored, Message, Quarter, Submission, Unit

CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4,
             "１": 1, "２": 2, "３": 3, "４": 4}
QUARTER_WORDS = re.compile(r"(?:第)?([一二三四1-4１-４])\s*季度|[Qq]\s*([1-4])(?![0-9])")
MONTH_RANGE = re.compile(r"(\d{1,2})\s*(?:-|－|—|–|~|～|至|到)\s*(\d{1,2})\s*月")
YEAR = re.compile(r"(20\d\d)\s*年?")
FIRST_MONTHS = {1: 1, 4: 2, 7: 3, 10: 4}
# A report is usually sent in the last month of its quarter or soon after.
WINDOW_BEFORE_END = timedelta(days=31)


UNREGISTERED = "address not registered for this unit"
NO_QUARTER = "no quarter could be found in the subject, body, filenames or date"
NO_ATTACHMENT = "no attachment: nothing to record"
REASONS_ZH = {UNREGISTERED: "发件地址未登记为该单位的报送邮箱",
              NO_QUARTER: "未能从主题、正文、附件名或日期识别报送季度",
              NO_ATTACHMENT: "邮件没有附件"}


def reason_zh(reason: str) -> str:
    """A held mail's reason in the words of the federation's summary."""
    return REASONS_ZH.get(reason, f"处理出错，请人工查看（{reason}）")


def decide(campaign: Campaign, message: Message, automatic: str | None,
           received: datetime) -> Submission | Ignored | Held:
    """Attribute a parsed mail; `automatic` is the reason it is machine mail, if it is."""
    if automatic:
        return Ignored(f"automatic mail ({automatic})")
    unit = unit_by_address(campaign, message.from_addr)
    quarter = quarter_of(campaign, message, received)
    if unit is None:
        named = unit_named_in(campaign, message)
        if named is None:
            return Ignored(f"sender {message.from_addr or '(none)'} is not a registered unit"
                           " and the mail names none")
        return Held(UNREGISTERED, unit=named.name,
                    quarter=quarter.name if quarter else None)
    if quarter is None:
        return Held(NO_QUARTER, unit=unit.name)
    if not message.attachments:
        return Held(NO_ATTACHMENT, unit=unit.name, quarter=quarter.name)
    return Submission(unit=unit.name, quarter=quarter.name, attachments=message.attachments)


def unit_by_address(campaign: Campaign, address: str) -> Unit | None:
    address = address.strip().lower()
    for unit in campaign.units:
        if address in unit.emails:
            return unit
    return None


def unit_named_in(campaign: Campaign, message: Message) -> Unit | None:
    """The unit a mail names in its subject or filenames (longest name wins)."""
    text = " ".join([message.subject, message.from_name]
                    + [attachment.filename for attachment in message.attachments])
    best: tuple[int, Unit] | None = None
    for unit in campaign.units:
        for name in (unit.name, *unit.aliases):
            if name and name in text and (best is None or len(name) > best[0]):
                best = (len(name), unit)
    return best[1] if best else None


def quarter_of(campaign: Campaign, message: Message, received: datetime) -> Quarter | None:
    """The quarter named in the mail, else the one whose reporting window holds the date."""
    texts = [message.subject, *(a.filename for a in message.attachments), message.text[:2000]]
    year = _year_named(texts) or received.year
    for text in texts:
        number = quarter_number(text)
        if number:
            return _find(campaign, f"{year}Q{number}")
    return quarter_by_date(campaign, received.date())


def quarter_number(text: str) -> int | None:
    """1..4 from words like 第三季度, 3季度, Q3, 7-9月, 7至9月; None if absent."""
    match = QUARTER_WORDS.search(text)
    if match:
        return CN_DIGITS[match[1]] if match[1] else int(match[2])
    for start, end in MONTH_RANGE.findall(text):
        if int(start) in FIRST_MONTHS and int(end) == int(start) + 2:
            return FIRST_MONTHS[int(start)]
    return None


def quarter_by_date(campaign: Campaign, day: date) -> Quarter | None:
    """The latest quarter whose reporting window (a month before its end) has begun."""
    candidates = [q for q in campaign.quarters if q.end - WINDOW_BEFORE_END <= day]
    return candidates[-1] if candidates else None


def _year_named(texts: list[str]) -> int | None:
    for text in texts[:2]:
        match = YEAR.search(text)
        if match:
            return int(match[1])
    return None


def _find(campaign: Campaign, name: str) -> Quarter | None:
    try:
        return campaign.quarter(name)
    except KeyError:
        return None
