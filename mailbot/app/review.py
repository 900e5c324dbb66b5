"""`mailbot review`: a person corrects what intake decided, on any recorded mail.

Reject a counted mail (its pieces stop counting and the earlier ones count
again), count a mail for another unit or quarter, confirm a seal by hand, confirm
that a stamped copy the check found different is this report after all, or run
a held or failed mail again. Nothing is deleted, and every action is written to
the store's audit trail (who did it, when and why) before or with its effect,
so the trail never misses a change. An action that cannot apply is refused with
a Refusal, in the words the console and the command line show staff.
"""

from __future__ import annotations

import getpass
import logging
import os
from enum import Enum

from mailbot.intake.assess import WRONG_COPY, file_problems
from mailbot.intake.rules import files_of
from mailbot.app.pipeline import Arrival, Context, Outcome, _process, _record
from mailbot.intake.message import parse
from mailbot.core.models import MailState, Standing, Submission, quarter_label
from mailbot.store import MessageRecord, Tx

log = logging.getLogger(__name__)


class Action(Enum):
    """A review action, with the words the audit trail shows staff."""

    ACCEPT = ("accept", "人工确认计入")
    REJECT = ("reject", "人工退回，不计入")
    REASSIGN = ("reassign", "人工改为其他单位或季度")
    CONFIRM_SEAL = ("confirm_seal", "人工确认已盖章")
    CONFIRM_COPY = ("confirm_copy", "人工确认盖章版即本报表")
    REQUEUE = ("requeue", "重新处理")
    RESEND = ("resend", "重新发送发出失败的邮件")
    REMIND = ("remind", "立即提醒")
    SUMMARY = ("summary", "立即发送汇总")

    def __init__(self, code: str, zh: str):
        self.code, self.zh = code, zh

    @classmethod
    def of(cls, code: str) -> Action:
        return next(action for action in cls if action.code == code)


class Refusal(Enum):
    """Why a review action cannot apply, as staff read it; {placeholders} are the facts."""

    NO_MAIL = "没有第{message}号邮件，请刷新页面或用 mailbot review --all 查看邮件编号。"
    COUNTED = ("第{message}号邮件已计入{unit}{quarter}。如要改为其他单位或季度，"
               "请用“改为其他单位或季度”（mailbot review reassign）。")
    NAME_TARGET = "请指明改为哪个单位（--unit）或哪个季度（--quarter），至少一项。"
    UNKNOWN_UNIT = "没有名为“{unit}”的单位，请填写 config.toml 中 [[units]] 的单位名称。"
    UNKNOWN_QUARTER = "没有“{quarter}”这个季度，请按 2026Q3 的写法填写配置中的季度。"
    REJECTED = "第{message}号邮件已经退回，无需再退回。"
    NOT_COUNTED = ("第{message}号邮件目前未计入任何单位（{state}），请先登记"
                   "（mailbot review accept）。")
    NOT_HELD = "第{message}号邮件的状态是“{state}”，只有待核实或处理出错的邮件可以重新处理。"
    NO_WRONG_COPY = ("第{message}号邮件没有经核对与本报表不符的盖章版，无需确认；"
                     "未识别出公章的，请用“人工确认已盖章”（mailbot review confirm-seal）。")
    NO_FAILED_OUTGOING = ("没有第{outgoing}号发送失败的邮件，或它已重新排队、同一封邮件已另行发出"
                          "（请用 mailbot review 查看）。")


class ReviewError(ValueError):
    """An operator's review action that cannot apply: the Refusal and its facts; the
    message (str) is the Refusal's words with the facts filled in."""

    def __init__(self, refusal: Refusal, **facts):
        self.refusal, self.facts = refusal, facts
        super().__init__(refusal.value.format(**facts))


def unanswered(ctx: Context) -> list[MessageRecord]:
    """Counted mails that got no receipt (automatic mail, a reply limit, a quiet import):
    staff see them in `mailbot review`, since the unit was told nothing."""
    return ctx.store.unanswered()


def operator() -> str:
    """Who acts, when `--by` is not given: $MAILBOT_OPERATOR, else the login name."""
    return os.environ.get("MAILBOT_OPERATOR") or getpass.getuser()


def accept(ctx: Context, message: int, unit: str | None = None, quarter: str | None = None,
           who: str = "", reason: str = "") -> Outcome:
    """Count a mail that counts for nobody (held, failed, not a report, rejected...)."""
    record = _recorded(ctx, message)
    if record.state == MailState.DONE:
        raise ReviewError(Refusal.COUNTED, message=message, unit=record.unit,
                          quarter=quarter_label(record.quarter))
    return _count(ctx, record, unit, quarter, Action.ACCEPT, who, reason)


def reassign(ctx: Context, message: int, unit: str | None, quarter: str | None,
             who: str = "", reason: str = "") -> Outcome:
    """Count a mail for another unit and/or quarter instead of the one intake chose."""
    record = _recorded(ctx, message)
    if not unit and not quarter:
        raise ReviewError(Refusal.NAME_TARGET)
    return _count(ctx, record, unit, quarter, Action.REASSIGN, who, reason)


def reject(ctx: Context, message: int, reason: str, who: str = "") -> Outcome:
    """The mail counts for nobody any more; a unit's earlier pieces count again."""
    record = _recorded(ctx, message)
    if record.state == MailState.REJECTED:
        raise ReviewError(Refusal.REJECTED, message=message)
    reason = reason or "人工退回"
    with ctx.store.transaction() as tx:
        tx.uncount(message)
        tx.set_state(message, MailState.REJECTED, reason)
        _audit(ctx, tx, Action.REJECT, record, who, reason, _was(record))
    return Outcome(MailState.REJECTED, reason, record.unit, record.quarter)


def confirm_seal(ctx: Context, message: int, who: str = "", reason: str = "") -> Outcome:
    """A person saw the seal the scan check could not: the mail brings the stamped piece."""
    record = _recorded(ctx, message)
    with ctx.store.transaction() as tx:
        if not tx.confirm_seal(message):
            raise ReviewError(Refusal.NOT_COUNTED, message=message,
                              state=MailState(record.state).zh)
        _audit(ctx, tx, Action.CONFIRM_SEAL, record, who, reason, Action.CONFIRM_SEAL.zh)
    return _standing(ctx, record)


def confirm_copy(ctx: Context, message: int, who: str = "", reason: str = "") -> Outcome:
    """A person compared the stamped copy the check found different (another quarter's,
    another unit's, other text) with the report and vouches for it: the mail brings the
    stamped piece. The trail keeps what the check had found."""
    record = _recorded(ctx, message)
    found = wrong_copy(ctx, record)
    if not found:
        raise ReviewError(Refusal.NO_WRONG_COPY, message=message)
    with ctx.store.transaction() as tx:
        tx.confirm_seal(message)
        _audit(ctx, tx, Action.CONFIRM_COPY, record, who, reason,
               f"{Action.CONFIRM_COPY.zh}（核对时发现：{'；'.join(found)}）")
    return _standing(ctx, record)


def wrong_copy(ctx: Context, record: MessageRecord) -> tuple[str, ...]:
    """What the stamped-copy check found against this counted mail's sealed copy, while
    it still counts as no stamped copy; empty when there is nothing to confirm."""
    if record.state != MailState.DONE:
        return ()
    return wrong_copies(ctx, record.unit, record.quarter).get(record.message_id, ())


def wrong_copies(ctx: Context, unit: str, quarter: str) -> dict[str, tuple[str, ...]]:
    """By Message-ID, the unit's counted mails of the quarter whose sealed copy the check
    found different (so it counts as none), with what the check found."""
    return {s.message_id: tuple(p for p in file_problems(ctx.config.campaign, s)
                                if p != WRONG_COPY) or (WRONG_COPY,)
            for s in ctx.store.counted_submissions(quarter, unit)
            if not s.stamped_pdf and WRONG_COPY in s.problems}


def _standing(ctx: Context, record: MessageRecord) -> Outcome:
    """The mail's unit and quarter as they stand after a confirmation: complete or not."""
    current = ctx.current_of(record.unit, record.quarter)
    full = current is not None and not current.problems
    standing = Standing.COMPLETE if full else Standing.INCOMPLETE
    return Outcome(MailState.DONE, standing, record.unit, record.quarter, standing)


def requeue(ctx: Context, message: int, who: str = "") -> Outcome:
    """Run a held or failed mail through the pipeline again, from its archived bytes."""
    record = _recorded(ctx, message)
    if record.state not in (MailState.HELD, MailState.FAILED):
        raise ReviewError(Refusal.NOT_HELD, message=message, state=MailState(record.state).zh)
    with ctx.store.transaction() as tx:
        _audit(ctx, tx, Action.REQUEUE, record, who, "", _was(record))
    try:
        return _process(ctx, Arrival(message, parse(ctx.store.raw(record.sha256)),
                                     record.received_at))
    except Exception as error:
        log.exception("requeued mail %d failed again", message)
        with ctx.store.transaction() as tx:
            tx.record_failure(message, f"{type(error).__name__}: {error}")
        return Outcome(MailState.FAILED, str(error))


def resend(ctx: Context, outgoing: int, who: str = "") -> None:
    """Queue an outgoing mail given up again; the next outbox run sends it."""
    with ctx.store.transaction() as tx:
        if not tx.resend(outgoing):
            raise ReviewError(Refusal.NO_FAILED_OUTGOING, outgoing=outgoing)
        tx.audit(who or operator(), Action.RESEND.code, None,
                        f"第{outgoing}号发出邮件", "", ctx.clock())


def record(ctx: Context, action: Action, who: str, detail: str) -> None:
    """An action on no one mail (a reminder or summary sent now), in the same trail."""
    with ctx.store.transaction() as tx:
        tx.audit(who or operator(), action.code, None, detail, "", ctx.clock())


def _count(ctx: Context, record: MessageRecord, unit: str | None, quarter: str | None,
           action: Action, who: str, reason: str) -> Outcome:
    unit, quarter = unit or record.unit, quarter or record.quarter
    campaign = ctx.config.campaign
    if unit not in {u.name for u in campaign.units}:
        raise ReviewError(Refusal.UNKNOWN_UNIT, unit=unit or "")
    if quarter not in {q.name for q in campaign.quarters}:
        raise ReviewError(Refusal.UNKNOWN_QUARTER, quarter=quarter or "")
    with ctx.store.transaction() as tx:
        tx.uncount(record.id)  # a reassigned mail stops counting where it was
        _audit(ctx, tx, action, record, who, reason,
               f"{_where(record.unit, record.quarter)} → {_where(unit, quarter)}，{_was(record)}")
    parsed = parse(ctx.store.raw(record.sha256))
    submission = Submission(unit=unit, quarter=quarter, attachments=files_of(parsed))
    return _record(ctx, Arrival(record.id, parsed, record.received_at), submission)


def _audit(ctx: Context, tx: Tx, action: Action, record: MessageRecord, who: str, reason: str,
           detail: str) -> None:
    tx.audit(who or operator(), action.code, record.id, detail, reason, ctx.clock())


def _where(unit: str | None, quarter: str | None) -> str:
    return f"{unit or '未定单位'}{quarter_label(quarter) if quarter else ''}"


def _was(record: MessageRecord) -> str:
    """The trail's words for the state a mail was in before the action."""
    return f"原为{MailState(record.state).zh}"


def _recorded(ctx: Context, message: int) -> MessageRecord:
    record = ctx.store.message(message)
    if record is None:
        raise ReviewError(Refusal.NO_MAIL, message=message)
    return record
