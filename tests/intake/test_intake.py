"""Message -> Submission | Ignored | Held: pure decisions on plain values."""

from datetime import datetime, timezone

import pytest

from mailbot.intake import rules
from mailbot.config import load
from mailbot.intake.rules import decide, quarter_by_date, quarter_number
from mailbot.core.models import (Attachment, Extraction, FormRow, Held, HeldReason, Ignored,
                                 IgnoredReason, Message, Submission)
from mailbot.config import PACKAGED_CONFIG

CAMPAIGN = load(PACKAGED_CONFIG).campaign
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


def test_automatic_mail_is_ignored_unless_a_unit_sends_report_files():
    automatic = "Auto-Submitted: auto-replied"
    for mail in (message("someone@163.com"), message(attachments=())):
        decision = decide(CAMPAIGN, mail, automatic, SEPT)
        assert decision == Ignored(IgnoredReason.AUTOMATIC, automatic)
        assert decision.reason == f"automatic mail ({automatic})"  # as the store keeps it
    assert isinstance(decide(CAMPAIGN, message(), automatic, SEPT), Submission)  # a copier's scan


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


# --- forwarded originals, Authentication-Results, winmail.dat, form cells -------

FEDERATION = "fulian-office@zichuan.example.org"
TRUSTED = ("mx.zichuan.example.org",)


def forward(original: Message | None, subject="转发：区人社局三季度进展", text="") -> Message:
    return Message(message_id="<f@x>", subject=subject, from_addr=FEDERATION, from_name="",
                   to=(), date=SEPT, text=text, attachments=(),
                   forwarded=(original,) if original else ())


def with_auth(*values: str, sender="rsj@zichuan.example.org") -> Message:
    return Message(message_id="<m@x>", subject="三季度进展", from_addr=sender, from_name="",
                   to=(), date=SEPT, text="", attachments=(DOCX,),
                   headers=tuple(("Authentication-Results", v) for v in values))


def test_a_forwarded_original_counts_for_the_unit_that_sent_it():
    decision = decide(CAMPAIGN, forward(message(subject="三季度进展")), None, SEPT)
    assert (decision.unit, decision.quarter, decision.attachments) == ("区人社局", "2026Q3", (DOCX,))
    assert decision.notes == (f"forwarded by {FEDERATION}",)


def test_a_forwarded_original_from_an_unregistered_address_is_held():
    decision = decide(CAMPAIGN, forward(message("x@163.com", subject="团区委报表")), None, SEPT)
    assert decision == Held(HeldReason.FORWARD_NOT_FROM_UNIT, "区人社局", "2026Q3")


def test_a_forward_in_the_body_without_the_original_is_held():
    decision = decide(CAMPAIGN, forward(None, text="---- 原始邮件 ----\n发件人：rsj"), None, SEPT)
    assert decision.reason == HeldReason.FORWARD_WITHOUT_ORIGINAL and decision.unit == "区人社局"
    plain = forward(None, subject="会议通知", text="请各位参会。")
    assert isinstance(decide(CAMPAIGN, plain, None, SEPT), Ignored)


@pytest.mark.parametrize("values, held", [
    (["mx.zichuan.example.org; dkim=fail header.d=zichuan.example.org"], True),
    (["MX.zichuan.example.org 1; spf=pass; dmarc=fail (p=reject) header.from=x"], True),
    (["mx.zichuan.example.org; dkim=fail; dkim=pass header.d=list.example"], True),  # unaligned
    (["mx.zichuan.example.org; dkim=fail; dkim=pass header.d=zichuan.example.org"], False),
    (["mx.zichuan.example.org; dkim=pass; dmarc=pass"], True),  # for which domain?
    (["mx.zichuan.example.org; dmarc=pass header.from=zichuan.example.org"], False),
    (["evil.example; dkim=fail; dmarc=fail"], False),  # untrusted: ignored (RFC 8601 §7.1)
    (["mx.zichuan.example.org; none"], False),
])
def test_authentication_results_count_only_from_trusted_servers(values, held):
    decision = decide(CAMPAIGN, with_auth(*values), None, SEPT, TRUSTED)
    assert (decision == Held(HeldReason.AUTH_FAILED, "区人社局", "2026Q3")) is held
    assert isinstance(decide(CAMPAIGN, with_auth(*values), None, SEPT), Submission)


def test_winmail_dat_is_held_for_review():
    tnef = Attachment("winmail.dat", "application/ms-tnef", b"\x78\x9f\x3e\x22")
    decision = decide(CAMPAIGN, message(attachments=(DOCX, tnef)), None, SEPT)
    assert decision == Held(HeldReason.WINMAIL, "区人社局", "2026Q3")


def test_the_form_cells_name_the_unit_of_an_unregistered_sender():
    row = FormRow(seq=7, title="t", units=("区应急管理局",), unit=None, progress="p",
                  deadline="")
    plain = message("someone@163.com", "报表")
    assert rules.read_before_deciding(decide(CAMPAIGN, plain, None, SEPT), plain)
    extraction = Extraction(file="报表.docx", format="docx", has_form=True, rows=(row,))
    decision = decide(CAMPAIGN, plain, None, SEPT, extractions=(extraction,))
    assert decision == Held(HeldReason.UNREGISTERED, "区应急管理局", "2026Q3")
    shared = Extraction(file="b.docx", format="docx", rows=(FormRow(1, "t", ("区人社局", "区妇联"),
                                                                    None, "p", ""),))
    assert isinstance(decide(CAMPAIGN, plain, None, SEPT, extractions=(shared,)), Ignored)


def test_a_reply_to_our_mail_with_a_photo_is_read_before_it_is_taken_for_thanks():
    """Its photo may be the stamped form (a reminder answered by phone): read, it decides."""
    photo = Attachment("IMG_0930.jpg", "image/jpeg", b"\xff\xd8\xff\xe0")
    reply = message(subject="回复：【催报】请报送2026年第三季度进展情况", attachments=(photo,))
    thanks = decide(CAMPAIGN, reply, None, SEPT)
    assert thanks.why is IgnoredReason.NOT_FOR_US and rules.read_before_deciding(thanks, reply)
    form = Extraction(file="IMG_0930.jpg", format="jpeg", has_form=True, scanned=True)
    assert isinstance(decide(CAMPAIGN, reply, None, SEPT, extractions=(form,)), Submission)
    screenshot = Extraction(file="IMG_0930.jpg", format="jpeg", scanned=True)
    assert decide(CAMPAIGN, reply, None, SEPT, extractions=(screenshot,)) == thanks
    plain = message(subject="回复：【催报】请报送2026年第三季度进展情况", attachments=())
    assert not rules.read_before_deciding(decide(CAMPAIGN, plain, None, SEPT), plain)


def test_a_stored_held_reason_reads_in_chinese_without_its_notes():
    for reason in HeldReason:
        assert reason.zh and reason.zh.isascii() is False
        assert HeldReason.zh_of(f"{reason}; held_notice not sent: rate limit") == reason.zh
    assert HeldReason.zh_of("boom: disk full") == "处理出错，请人工查看（boom: disk full）"


def test_the_unit_is_told_only_of_its_own_mail_or_mail_in_its_name():
    told = {reason for reason in HeldReason if reason.told}
    assert told == {HeldReason.UNREGISTERED, HeldReason.NO_ATTACHMENT, HeldReason.LINKED_ONLY,
                    HeldReason.NO_QUARTER, HeldReason.WINMAIL, HeldReason.UNREADABLE,
                    HeldReason.EMPTY_FORM}


# --- answer only what deserves an answer --------------------------------------------

JPG = Attachment("IMG_2041.jpg", "image/jpeg", b"\xff\xd8")


def test_a_thank_you_reply_to_our_receipt_is_not_answered():
    reply = message(subject="Re: 回执：区人社局2026年第三季度进展情况已收到（材料齐全）",
                    attachments=(), text="收到，谢谢！")
    assert decide(CAMPAIGN, reply, None, SEPT) == Ignored(IgnoredReason.NOT_FOR_US)
    threaded = Message(message_id="<r@x>", subject="收到", from_addr="rsj@zichuan.example.org",
                       from_name="", to=(), date=SEPT, text="好的", attachments=(),
                       references=("<177.1.2.mailbot@zichuan.example.org>",))
    assert decide(CAMPAIGN, threaded, None, SEPT) == Ignored(IgnoredReason.NOT_FOR_US)


def test_a_reply_to_a_reminder_that_carries_the_report_is_a_submission():
    reply = message(subject="回复：【提醒】请报送三季度进展情况")
    assert isinstance(decide(CAMPAIGN, reply, None, SEPT), Submission)


def test_mail_merely_about_a_unit_is_not_held_in_its_name():
    city = message(sender="office@zbfulian.example.cn", subject="关于区妇联参加市妇联培训的通知",
                   attachments=(Attachment("培训通知.docx", "application/octet-stream", b"PK"),))
    assert isinstance(decide(CAMPAIGN, city, None, SEPT), Ignored)
    photos = message(sender="colleague@163.com", subject="团区委活动照片", attachments=(JPG,))
    assert isinstance(decide(CAMPAIGN, photos, None, SEPT), Ignored)
    report = message(sender="tuanquwei@163.com", subject="团区委三季度进展情况")
    assert decide(CAMPAIGN, report, None, SEPT) == Held(HeldReason.UNREGISTERED, "团区委", "2026Q3")


def test_a_units_photo_mail_gets_no_answer():
    photos = message(subject="座谈会照片", attachments=(JPG,))
    assert decide(CAMPAIGN, photos, None, SEPT) == Ignored(IgnoredReason.NOT_FOR_US)


def test_an_original_forwarded_from_another_units_address_counts_for_the_sender():
    original = message(sender="canlian@zichuan.example.org", subject="区残联三季度进展")
    forward = Message(message_id="<f@x>", subject="转发：区残联三季度进展",
                      from_addr="fulian@zichuan.example.org", from_name="", to=(), date=SEPT,
                      text="请登记", attachments=(), forwarded=(original,))
    decision = decide(CAMPAIGN, forward, None, SEPT)
    assert (decision.unit, decision.quarter) == ("区残联", "2026Q3")
    own = Message(message_id="<o@x>", subject="转发：区妇联三季度进展",
                  from_addr="fulian@zichuan.example.org", from_name="", to=(), date=SEPT,
                  text="", attachments=(),
                  forwarded=(message(sender="fulian@zichuan.example.org", subject="三季度"),))
    assert decide(CAMPAIGN, own, None, SEPT).unit == "区妇联"
