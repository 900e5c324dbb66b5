"""Reminders carry the unit's own form; its name reads in Chinese in every client.

Outlook and Foxmail read RFC 2047 words in filename=/name=, Thunderbird and Apple
Mail RFC 2231 filename*=: both are in the mail, checked on the bytes the folder
outbox wrote, and read back by Python's parser and by mailbot's own intake.
"""

from __future__ import annotations

import email
import email.policy
from datetime import datetime, timezone
from email.header import decode_header, make_header

from mailbot.app.notices import queue_reminders, reminders_due
from mailbot.app.pipeline import Context, flush_outbox
from mailbot.config import load
from mailbot.extract import extract_attachment
from mailbot.intake.message import parse
from mailbot.outgoing.outbox import FolderTransport
from mailbot.report.unit_form import form_filename
from tests.pipeline import write_config

NOTICE_DAY = datetime(2026, 9, 24, 2, tzinfo=timezone.utc)  # 10:00 in Zichuan
OVERDUE_DAY = datetime(2026, 10, 8, 2, tzinfo=timezone.utc)


def reminder_mails(tmp_path, moment: datetime, edit=lambda text: text) -> list[bytes]:
    """Queue what is due at `moment`, send it to a folder outbox, return the raw mails."""
    ctx = Context.open(load(write_config(tmp_path / "site", edit=edit)), lambda: moment)
    queue_reminders(ctx, reminders_due(ctx, "2026Q3"))
    out = tmp_path / "sent"
    flush_outbox(ctx, FolderTransport(out))
    return [path.read_bytes() for path in sorted(out.glob("*.eml"))]


def test_every_notice_carries_the_units_own_form(tmp_path, campaign):
    raws = reminder_mails(tmp_path, NOTICE_DAY)
    assert len(raws) == 18
    by_address = {unit.emails[0]: unit for unit in campaign.units}
    for raw in raws:
        mail = email.message_from_bytes(raw, policy=email.policy.default)
        [part] = list(mail.iter_attachments())
        unit = by_address[mail["To"]]
        name = form_filename(campaign, unit.name, "2026Q3")
        assert part.get_filename() == name  # RFC 2231, as Python and Thunderbird read it
        assert [a.filename for a in parse(raw).attachments] == [name]  # our own intake
        [found] = extract_attachment(name, part.get_content(), campaign)
        assert found.form_of.unit == unit.name and found.has_form and found.rows == ()
        assert f"附件《{name}》为贵单位本季度的报表" in mail.get_body(("plain",)).get_content()


def test_the_name_is_written_both_ways(tmp_path):
    raw = reminder_mails(tmp_path, NOTICE_DAY)[0].decode("ascii")
    assert "filename*0*=utf-8''%E5" in raw  # RFC 2231
    assert 'filename="=?utf-8?b?' in raw and 'name="=?utf-8?b?' in raw  # RFC 2047
    header = raw.split('filename="', 1)[1].split('"', 1)[0]
    words = " ".join(header.split())  # unfolded, as a client reads it
    assert str(make_header(decode_header(words))).endswith("进展情况报表.docx")
    assert all(len(line) <= 998 for line in raw.splitlines())


def attachments(raw: bytes) -> list:
    return list(email.message_from_bytes(raw, policy=email.policy.default).iter_attachments())


def test_later_reminders_carry_it_only_when_the_ladder_says_so(tmp_path):
    plain = reminder_mails(tmp_path / "a", OVERDUE_DAY)
    assert len(plain) == 18 and all(attachments(raw) == [] for raw in plain)
    every = reminder_mails(tmp_path / "b", OVERDUE_DAY,
                           edit=lambda text: text.replace("form_every = false", "form_every = true"))
    assert len(every) == 18 and all(len(attachments(raw)) == 1 for raw in every)


def test_the_opening_mail_goes_on_the_quarters_first_working_day(tmp_path):
    july_first = datetime(2026, 7, 1, 2, tzinfo=timezone.utc)  # Wednesday, 10:00 local
    opening = lambda text: text.replace("opening = false", "opening = true")
    raws = reminder_mails(tmp_path / "a", july_first, edit=opening)
    assert len(raws) == 18 and all(len(attachments(raw)) == 1 for raw in raws)
    mail = email.message_from_bytes(raws[0], policy=email.policy.default)
    assert mail["Subject"] == ("【通知】2026年第三季度为全区妇女儿童办实事工作进展情况"
                               "报送工作开始，请于9月30日前报送（附本单位报表）")
    assert "报送工作现已开始" in mail.get_body(("plain",)).get_content()
    assert reminder_mails(tmp_path / "b", july_first) == []  # without it, nothing in July
