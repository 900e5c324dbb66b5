"""What the command line says of each mail: Chinese, from the outcome's typed cause."""

import re

from mailbot.app.display import outcome_line, telling
from mailbot.app.pipeline import Outcome
from mailbot.core.models import HeldReason, IgnoredReason, MailState, Standing

LATIN = re.compile(r"[A-Za-z]{2,}")
NAMES = {"PDF", "DKIM", "DMARC", "Outlook", "winmail", "dat"}  # what staff know by these names


def test_every_typed_cause_is_said_in_chinese():
    outcomes = [Outcome(MailState.DONE, Standing.COMPLETE, "区人社局", "2026Q3", Standing.COMPLETE),
                Outcome(MailState.DONE, Standing.INCOMPLETE, "区残联", "2026Q3",
                        Standing.INCOMPLETE),
                Outcome(MailState.NOT_REPORT, "not a report: ...", "区法院", "2026Q3"),
                Outcome(MailState.BEFORE_SINCE, "arrived before 2026-07-01 ([mailbox] since)"),
                Outcome(MailState.DUPLICATE, "seen before")]
    outcomes += [Outcome(MailState.HELD, reason, "团区委", "2026Q3", reason) for reason in HeldReason]
    outcomes += [Outcome(MailState.IGNORED, f"{reason} (detail)", why=reason)
                 for reason in IgnoredReason]
    for outcome in outcomes:
        line = outcome_line(outcome)
        assert line.startswith(outcome.state.zh), line
        assert set(LATIN.findall(line)) <= NAMES, line


def test_a_counted_mail_names_its_unit_quarter_and_standing():
    outcome = Outcome(MailState.DONE, Standing.INCOMPLETE, "区残联", "2026Q3", Standing.INCOMPLETE)
    told: list[str] = []
    telling(told.append)("maildir:a.eml", outcome)
    assert told == ["maildir:a.eml：已计入 区残联2026年第三季度：材料不全"]


def test_a_failure_keeps_its_error_and_a_rejection_the_persons_words():
    assert outcome_line(Outcome(MailState.FAILED, "disk full (attempt 1 of 3)")) == (
        "处理失败：disk full (attempt 1 of 3)")
    assert outcome_line(Outcome(MailState.REJECTED, "误发草稿", "区人社局", "2026Q3")) == (
        "已退回 区人社局2026年第三季度：误发草稿")
