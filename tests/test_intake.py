"""Message -> Submission | Ignored | Held: pure decisions on plain values."""

from datetime import datetime, timezone

import pytest

from mailbot.config import load
from mailbot.intake import decide, quarter_by_date, quarter_number
from mailbot.models import Attachment, Held, Ignored, Message, Submission

CAMPAIGN = load("config.toml").campaign
DOCX = Attachment("报表.docx", "application/octet-stream", b"PK")
SEPT = datetime(2026, 9, 28, 2, tzinfo=timezone.utc)


def message(sender="rsj@zichuan.example.org", subject="进展情况", attachments=(DOCX,), text=""):
    return Message(message_id="<m@x>", subject=subject, from_addr=sender, from_name="",
                   to=(), date=SEPT, text=text, attachments=attachments)


@pytest.mark.parametrize("text, number", [
    ("2026年第一季度进展", 1), ("二季度报表", 2), ("3季度", 3), ("第４季度", 4),
    ("2026 Q3 report", 3), ("q2", 2), ("7-9月工作进展", 3), ("10至12月", 4),
    ("1—3月", 1), ("工作进展情况", None), ("Q12", None), ("3-5月", None),
])
def test_quarter_words(text, number):
    assert quarter_number(text) == number


def test_registered_sender_with_a_quarter_in_the_subject_is_a_submission():
    decision = decide(CAMPAIGN, message(subject="区人社局2026年二季度进展"), None, SEPT)
    assert decision == Submission("区人社局", "2026Q2", (DOCX,))


def test_quarter_falls_back_to_the_reporting_window_of_the_date():
    assert decide(CAMPAIGN, message(), None, SEPT).quarter == "2026Q3"
    early_october = datetime(2026, 10, 9, tzinfo=timezone.utc)
    assert decide(CAMPAIGN, message(), None, early_october).quarter == "2026Q3"
    assert quarter_by_date(CAMPAIGN, datetime(2026, 12, 5).date()).name == "2026Q4"
    assert quarter_by_date(CAMPAIGN, datetime(2026, 1, 5).date()) is None


def test_sender_address_is_case_insensitive():
    assert isinstance(decide(CAMPAIGN, message("RSJ@Zichuan.Example.org"), None, SEPT), Submission)


def test_automatic_mail_is_ignored_whoever_sends_it():
    decision = decide(CAMPAIGN, message(), "Auto-Submitted: auto-replied", SEPT)
    assert decision == Ignored("automatic mail (Auto-Submitted: auto-replied)")


def test_unregistered_sender_naming_a_unit_is_held_for_review():
    decision = decide(CAMPAIGN, message("someone@163.com", "团区委三季度报送"), None, SEPT)
    assert decision == Held("address not registered for this unit", "团区委", "2026Q3")


def test_longest_unit_name_wins():
    decision = decide(CAMPAIGN, message("x@163.com", "区人才发展中心报表"), None, SEPT)
    assert decision.unit == "区人才发展中心"


def test_unrelated_mail_is_ignored():
    decision = decide(CAMPAIGN, message("news@example.com", "Weekly news"), None, SEPT)
    assert isinstance(decision, Ignored) and "not a registered unit" in decision.reason


def test_mail_without_attachment_is_held_not_counted():
    decision = decide(CAMPAIGN, message(attachments=()), None, SEPT)
    assert decision == Held("no attachment: nothing to record", "区人社局", "2026Q3")
