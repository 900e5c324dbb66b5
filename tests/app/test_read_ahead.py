"""Read-ahead on a backlog: the next mails' files parsed while one is recorded, and the
store ends exactly as when every mail is read in order."""

from __future__ import annotations

import os
import threading
from datetime import timedelta

from mailbot.app import pipeline, samples
from mailbot.extract import Budget, ReadAhead, read_files
from mailbot.extract.sandbox import BUDGET_SPENT
from mailbot.intake.message import parse
from mailbot.mailbox.maildir import MaildirSource
from tests.forms import make_form_docx, zip_bytes
from tests.office import plain_docx
from tests.pipeline import SEPT, open_context, unit_mail

UNITS = ("区人社局", "区卫健局", "区教体局", "区残联", "区民政局", "区法院")


def backlog(ctx) -> list[bytes]:
    """Seventeen mails of every kind: reports, corrections, a form alone, a stranger's,
    a broken file, a zip, the blank form, an agenda."""
    campaign = ctx.config.campaign
    mails = [unit_mail(ctx, unit, SEPT + timedelta(minutes=n)) for n, unit in enumerate(UNITS)]
    mails += [unit_mail(ctx, unit, SEPT + timedelta(hours=2, minutes=n), files=("docx",),
                        texts={1: f"更正：第{n}次"}) for n, unit in enumerate(UNITS[:4])]
    stranger = "someone@elsewhere.example"
    mails += [
        unit_mail(ctx, "区人社局", SEPT + timedelta(hours=3), sender=stranger),
        unit_mail(ctx, "区卫健局", SEPT + timedelta(hours=3, minutes=1), files=(),
                  extra_files=[("坏文件.docx", b"PK\x03\x04 not really a zip")]),
        unit_mail(ctx, "区教体局", SEPT + timedelta(hours=3, minutes=2), files=(),
                  extra_files=[("材料.zip", zip_bytes({
                      "进展.docx": samples.form_docx(campaign, "区教体局", "2026Q3"),
                      "盖章.pdf": samples.scanned_pdf()}))]),
        unit_mail(ctx, "区残联", SEPT + timedelta(hours=3, minutes=3), files=(),
                  extra_files=[("通知.docx", make_form_docx(campaign, {}))]),
        unit_mail(ctx, "区民政局", SEPT + timedelta(hours=3, minutes=4), files=("pdf",)),
        unit_mail(ctx, "区法院", SEPT + timedelta(hours=3, minutes=5), files=()),
        unit_mail(ctx, "区司法局", SEPT + timedelta(hours=3, minutes=6), files=(),
                  extra_files=[("座谈会议程.docx", plain_docx("座谈会议程\n一、领导讲话"))]),
    ]
    return mails


def maildir(folder, mails: list[bytes]) -> MaildirSource:
    source = MaildirSource(folder)
    for number, raw in enumerate(mails):
        path = folder / "new" / f"{number:03d}.eml"
        path.write_bytes(raw)
        when = (SEPT + timedelta(minutes=number)).timestamp()
        os.utime(path, (when, when))
    return source


def recorded(ctx) -> tuple:
    """Everything the store says of the mails: each mail's outcome in order, what counts
    for each unit now, and what was queued to whom."""
    mails = [(m.source_key, m.state, m.reason, m.unit, m.quarter)
             for m in ctx.store.messages()]
    current = [(r.unit, r.message_id, r.electronic, r.stamped_pdf, r.items, r.problems, r.rows,
                r.form_from, r.stamped_from) for r in ctx.current("2026Q3")]
    queued = ctx.store.db.execute(
        "SELECT kind, recipients, subject FROM outgoing ORDER BY id").fetchall()
    return mails, current, [tuple(row) for row in queued]


def test_a_backlog_read_ahead_ends_with_the_same_store_as_read_in_order(tmp_path):
    serial = open_context(tmp_path / "serial")
    serial.ahead = None
    ahead = open_context(tmp_path / "ahead")
    assert isinstance(ahead.ahead, ReadAhead)
    mails = backlog(serial)
    for ctx, name in ((serial, "serial"), (ahead, "ahead")):
        outcomes = pipeline.poll(ctx, maildir(tmp_path / f"{name}-box", mails))
        assert len(outcomes) == len(mails)
    assert recorded(ahead) == recorded(serial)
    states = {m[1] for m in recorded(serial)[0]}
    assert {"done", "held", "not_report"} <= states, states
    with_files = sum(1 for raw in mails if parse(raw).attachments)
    assert ahead.ahead.taken >= with_files - 1  # the stranger's files are read in order
    spent = serial.store.db.execute(
        "SELECT count(*) FROM state WHERE key LIKE 'parse_seconds:%'").fetchone()[0]
    assert spent and spent == ahead.store.db.execute(
        "SELECT count(*) FROM state WHERE key LIKE 'parse_seconds:%'").fetchone()[0]


def test_a_sender_with_less_budget_left_gets_what_an_in_order_read_gives(tmp_path):
    ctx = open_context(tmp_path)
    files = parse(unit_mail(ctx, "区人社局")).attachments
    ahead = ReadAhead()
    ahead.submit(files, ctx.config.campaign, 60.0)
    little = Budget.of(0.1)
    taken, _ = read_files(files, ctx.config.campaign, little, ahead)
    assert ahead.taken == 0
    assert [e.error for e in taken] == [BUDGET_SPENT, BUDGET_SPENT]


def test_what_was_read_ahead_is_taken_under_the_same_budget(tmp_path):
    ctx = open_context(tmp_path)
    files = parse(unit_mail(ctx, "区人社局")).attachments
    ahead = ReadAhead()
    ahead.submit(files, ctx.config.campaign, 60.0)
    taken, spent = read_files(files, ctx.config.campaign, Budget.of(60.0), ahead)
    in_order, _ = read_files(files, ctx.config.campaign, Budget.of(60.0))
    assert ahead.taken == 1 and spent > 0
    assert taken == in_order


def test_a_read_under_a_smaller_budget_than_now_is_never_taken(tmp_path):
    """Files cut short by a budget smaller than the mail's now would be wrong to take."""
    ctx = open_context(tmp_path)
    files = parse(unit_mail(ctx, "区人社局")).attachments
    ahead = ReadAhead()
    ahead.submit(files, ctx.config.campaign, 0.1)
    taken, _ = read_files(files, ctx.config.campaign, Budget.of(60.0), ahead)
    assert ahead.taken == 0
    assert [e.error for e in taken] == [None, None]


def test_polls_in_contexts_of_their_own_read_ahead_on_the_threads_the_first_started(tmp_path):
    """The worker opens a context a job, and each poll reads its mail's files on threads:
    they are the process's, started by the first poll and used by every later one (a
    poll that started and ended its own was half a millisecond slower a mail)."""
    seen = []
    for number, unit in enumerate(UNITS):
        ctx = open_context(tmp_path / f"job{number}")
        notice = ("通知.docx", make_form_docx(ctx.config.campaign, {}))
        mail = unit_mail(ctx, unit, SEPT + timedelta(minutes=number), files=("docx",),
                         extra_files=[notice])
        outcomes = pipeline.poll(ctx, maildir(tmp_path / f"box{number}", [mail]))
        assert [o.state for o in outcomes] == ["done"] and ctx.ahead.taken == 1
        ctx.close()
        seen.append({(thread.name.split("_")[0], thread.ident) for thread in threading.enumerate()
                     if thread.name.startswith(("read-ahead", "mail-files"))})
    assert {name for name, _ in seen[0]} == {"read-ahead", "mail-files"}  # both files at once
    assert all(threads == seen[0] for threads in seen), seen
