"""The shell around reminders and summaries: read the store, ask the pure core, queue mail.

Every mail queued here carries a dedup key, so running a tick twice, or after a
restart, queues nothing new; the outbox sends what is queued.
"""

from __future__ import annotations

import logging
import tempfile
from dataclasses import dataclass
from pathlib import Path

from mailbot.outgoing import outbox
from mailbot.app import review
from mailbot.app.pipeline import Context, flush_outbox
from mailbot.core.dates import local
from mailbot.core.models import HeldMail, HeldReason, MailState, UnitStatus
from mailbot.chase.remind import Reminder, active_quarters, due_reminders, due_reminders_all
from mailbot.outgoing.render import render_reminder
from mailbot.report.content import build_annual, build_report, file_name
from mailbot.chase.status import unit_statuses
from mailbot.chase.summary import build_summary, summaries_due

log = logging.getLogger(__name__)


def statuses(ctx: Context, quarter: str) -> list[UnitStatus]:
    return unit_statuses(ctx.config.campaign, quarter, ctx.current(quarter))


def reminders_due(ctx: Context, quarter: str | None = None) -> list[Reminder]:
    """What `remind` would send now: one quarter, or every quarter whose window is open."""
    config, now = ctx.config, ctx.clock()
    sent = ctx.store.dedup_keys("reminder:")
    if quarter:
        return due_reminders(config.campaign, config.reminders, config.calendar,
                             statuses(ctx, quarter), sent, now, quarter=quarter)
    active = active_quarters(config.campaign, config.reminders, config.calendar, now)
    return due_reminders_all(config.campaign, config.reminders, config.calendar,
                             {q.name: statuses(ctx, q.name) for q in active}, sent, now)


def queue_reminders(ctx: Context, reminders: list[Reminder]) -> int:
    """Queue the reminders in one transaction; return how many were new."""
    campaign, queued = ctx.config.campaign, 0
    with ctx.store.transaction() as tx:
        for reminder in reminders:
            mail = render_reminder(ctx.env, campaign, reminder)
            if outbox.queue(tx, campaign, ctx.sender, mail, ctx.clock(),
                            unit=reminder.unit, quarter=reminder.quarter):
                queued += 1
    return queued


@dataclass(frozen=True)
class Sent:
    """What a "send now" did: the reminders decided, how many were new, the outbox's run."""

    reminders: tuple[Reminder, ...]
    queued: int
    sent: int
    failed: int


def remind_now(ctx: Context, transport: outbox.Transport, quarter: str | None = None,
               unit: str | None = None, actor: str = "") -> Sent:
    """`mailbot remind` and the console's 立即提醒: the ladder's due step, queued and sent.

    The same dedup keys as the worker's tick, so a second call (or the worker's
    next tick) sends nothing more for that stage.
    """
    reminders = tuple(r for r in reminders_due(ctx, quarter) if unit in (None, r.unit))
    queued = queue_reminders(ctx, list(reminders))
    if actor:
        review.record(ctx, review.Action.REMIND, actor, "、".join(r.unit for r in reminders))
    sent, failed = flush_outbox(ctx, transport)
    return Sent(reminders, queued, sent, failed)


def send_summary(ctx: Context, transport: outbox.Transport, quarter: str,
                 actor: str = "") -> Sent:
    """`compile --send` and the console's 发送汇总: the summary now, outside the schedule."""
    queued = queue_summary(ctx, quarter, dedup_key=None)
    if actor:
        review.record(ctx, review.Action.SUMMARY, actor, quarter)
    sent, failed = flush_outbox(ctx, transport)
    return Sent((), 1 if queued else 0, sent, failed)


def remind_tick(ctx: Context) -> int:
    """The worker's reminder job."""
    queued = queue_reminders(ctx, reminders_due(ctx))
    if queued:
        log.info("reminders: %d queued", queued)
    return queued


def compile_report(ctx: Context, quarter: str, target: Path, fmt: str,
                   year: int | None = None) -> Path:
    """The consolidated report of the current submissions, or the annual view of `year`.

    `target` is the file, or a folder to write it into under its official name.
    The writers (docxtpl, openpyxl: most of a command's start-up) are imported here,
    so `status`, `remind` and `poll` never load them.
    """
    from mailbot.report.docx import write_docx, write_pdf
    from mailbot.report.xlsx import write_xlsx

    campaign = ctx.config.campaign
    if year is None:
        report = build_report(campaign, quarter, ctx.current(quarter))
    else:
        names = [q.name for q in campaign.quarters if q.start.year == year]
        report = build_annual(campaign, year,
                              {name: ctx.current(name) for name in names})
    today = local(ctx.clock(), campaign.timezone).date()
    if target.is_dir():
        target = target / file_name(report, fmt)
    if fmt == "xlsx" and year is None:
        return write_xlsx(report, target, compiled_on=today, **_sheets(ctx, quarter))
    writers = {"docx": write_docx, "pdf": write_pdf, "xlsx": write_xlsx}
    return writers[fmt](report, target, compiled_on=today)


def _sheets(ctx: Context, quarter: str) -> dict:
    """What the workbook's 明细 and 报送情况 sheets need beyond the report."""
    summary = build_summary(ctx.config.campaign, quarter, statuses(ctx, quarter), [],
                            ctx.clock())
    return {"summary": summary, "files": _piece_files(ctx, quarter)}


def _piece_files(ctx: Context, quarter: str) -> dict[str, list[str]]:
    """Each unit's files of its current pieces (the form's mail, the stamped copy's)."""
    counted = ctx.store.counted_submissions(quarter)
    files: dict[str, list[str]] = {}
    for record in ctx.current(quarter):
        sources = {record.form_from, record.stamped_from} - {None}
        for submission in counted:
            if submission.unit == record.unit and submission.message_id in sources:
                names = files.setdefault(record.unit, [])
                names += [n for n in ctx.store.document_files(submission.id) if n not in names]
    return files


def held_mails(ctx: Context, quarter: str) -> list[HeldMail]:
    return [HeldMail(subject=m.subject, sender=m.sender, reason=HeldReason.zh_of(m.reason),
                     received_at=m.received_at, unit=m.unit)
            for m in ctx.store.messages(MailState.HELD, MailState.FAILED) if m.quarter in (quarter, None)]


def queue_summary(ctx: Context, quarter: str, dedup_key: str | None) -> int | None:
    """Queue the summary with the consolidated report attached; None if already queued."""
    from mailbot.outgoing.summary_mail import render_summary  # the chart's PIL: only here

    campaign, now = ctx.config.campaign, ctx.clock()
    summary = build_summary(campaign, quarter, statuses(ctx, quarter),
                            held_mails(ctx, quarter), now)
    with tempfile.TemporaryDirectory(prefix="mailbot-summary-") as scratch:
        report = compile_report(ctx, quarter, Path(scratch), "docx")
        mail = render_summary(campaign, summary, ctx.env, [report], dedup_key=dedup_key)
    with ctx.store.transaction() as tx:
        return outbox.queue(tx, campaign, ctx.sender, mail, now, quarter=quarter)


def summary_tick(ctx: Context) -> int:
    """The worker's summary job: the closing summary and the weekly digests, each once;
    a digest after the due date only for quarters with units missing or incomplete."""
    config = ctx.config
    outstanding = [q.name for q in config.campaign.quarters
                   if not all(s.state.complete for s in statuses(ctx, q.name))]
    due = summaries_due(config.campaign, config.summary, config.calendar, ctx.clock(),
                        ctx.store.dedup_keys("summary:"), outstanding)
    queued = sum(1 for quarter, key in due if queue_summary(ctx, quarter, key))
    if queued:
        log.info("summaries: %d queued", queued)
    return queued
