"""`mailbot review`: a person corrects what intake decided, on any recorded mail.

Reject a counted mail (its pieces stop counting and the earlier ones count
again), count a mail for another unit or quarter, confirm a seal by hand, or run
a held or failed mail again. Nothing is deleted, and every action is written to
the store's audit trail (who did it, when and why) before or with its effect,
so the trail never misses a change.
"""

from __future__ import annotations

import getpass
import logging
import os
from enum import Enum

from mailbot.intake.rules import files_of
from mailbot.app.pipeline import Arrival, Context, Outcome, _process, _record
from mailbot.intake.message import parse
from mailbot.core.models import MailState, Submission
from mailbot.store import MessageRecord, Tx

log = logging.getLogger(__name__)


class Action(Enum):
    """A review action, with the words the audit trail shows staff."""

    ACCEPT = ("accept", "人工确认计入")
    REJECT = ("reject", "人工退回，不计入")
    REASSIGN = ("reassign", "人工改为其他单位或季度")
    CONFIRM_SEAL = ("confirm_seal", "人工确认已盖章")
    REQUEUE = ("requeue", "重新处理")
    RESEND = ("resend", "重新发送发出失败的邮件")
    REMIND = ("remind", "立即提醒")
    SUMMARY = ("summary", "立即发送汇总")

    def __init__(self, code: str, zh: str):
        self.code, self.zh = code, zh

    @classmethod
    def of(cls, code: str) -> Action:
        return next(action for action in cls if action.code == code)


class ReviewError(ValueError):
    """An operator's review action that cannot apply (wrong id, state, unit...)."""


def unanswered(ctx: Context) -> list[MessageRecord]:
    """Counted mails that got no receipt (automatic mail, a reply limit, a quiet import):
    staff see them in `mailbot review`, since the unit was told nothing."""
    answered = ctx.store.dedup_keys("receipt:")
    return [m for m in ctx.store.messages(MailState.DONE)
            if not {f"receipt:{m.id}", f"receipt:{m.message_id}"} & answered]


def operator() -> str:
    """Who acts, when `--by` is not given: $MAILBOT_OPERATOR, else the login name."""
    return os.environ.get("MAILBOT_OPERATOR") or getpass.getuser()


def accept(ctx: Context, message: int, unit: str | None = None, quarter: str | None = None,
           who: str = "", reason: str = "") -> Outcome:
    """Count a mail that counts for nobody (held, failed, not a report, rejected...)."""
    record = _recorded(ctx, message)
    if record.state == MailState.DONE:
        raise ReviewError(f"mail {message} already counts for {record.unit} {record.quarter}; "
                          "to count it for another unit or quarter use `review reassign`")
    return _count(ctx, record, unit, quarter, Action.ACCEPT, who, reason)


def reassign(ctx: Context, message: int, unit: str | None, quarter: str | None,
             who: str = "", reason: str = "") -> Outcome:
    """Count a mail for another unit and/or quarter instead of the one intake chose."""
    record = _recorded(ctx, message)
    if not unit and not quarter:
        raise ReviewError("name the new unit with --unit and/or the quarter with --quarter")
    return _count(ctx, record, unit, quarter, Action.REASSIGN, who, reason)


def reject(ctx: Context, message: int, reason: str, who: str = "") -> Outcome:
    """The mail counts for nobody any more; a unit's earlier pieces count again."""
    record = _recorded(ctx, message)
    if record.state == MailState.REJECTED:
        raise ReviewError(f"mail {message} is already rejected")
    reason = reason or "rejected by the operator"
    with ctx.store.transaction() as tx:
        tx.uncount(message)
        tx.set_state(message, MailState.REJECTED, reason)
        _audit(ctx, tx, Action.REJECT, record, who, reason, f"was {record.state}")
    return Outcome(MailState.REJECTED, reason, record.unit, record.quarter)


def confirm_seal(ctx: Context, message: int, who: str = "", reason: str = "") -> Outcome:
    """A person saw the seal the scan check could not: the mail brings the stamped piece."""
    record = _recorded(ctx, message)
    with ctx.store.transaction() as tx:
        if not tx.confirm_seal(message):
            raise ReviewError(f"mail {message} counts for no unit ({record.state}); "
                              "count it first with `review accept`")
        _audit(ctx, tx, Action.CONFIRM_SEAL, record, who, reason, Action.CONFIRM_SEAL.zh)
    return Outcome(MailState.DONE, "stamped copy confirmed by hand", record.unit, record.quarter)


def requeue(ctx: Context, message: int, who: str = "") -> Outcome:
    """Run a held or failed mail through the pipeline again, from its archived bytes."""
    record = _recorded(ctx, message)
    if record.state not in (MailState.HELD, MailState.FAILED):
        raise ReviewError(f"mail {message} is {record.state}, not held or failed")
    with ctx.store.transaction() as tx:
        _audit(ctx, tx, Action.REQUEUE, record, who, "", f"was {record.state}")
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
            raise ReviewError(f"no failed outgoing mail with id {outgoing} "
                              "(see `mailbot review`)")
        tx.audit(who or operator(), Action.RESEND.code, None,
                        f"outgoing {outgoing}", "", ctx.clock())


def record(ctx: Context, action: Action, who: str, detail: str) -> None:
    """An action on no one mail (a reminder or summary sent now), in the same trail."""
    with ctx.store.transaction() as tx:
        tx.audit(who or operator(), action.code, None, detail, "", ctx.clock())


def _count(ctx: Context, record: MessageRecord, unit: str | None, quarter: str | None,
           action: Action, who: str, reason: str) -> Outcome:
    unit, quarter = unit or record.unit, quarter or record.quarter
    campaign = ctx.config.campaign
    if unit not in {u.name for u in campaign.units}:
        raise ReviewError(f"name the unit with --unit (one of config.toml's [[units]]); "
                          f"got {unit!r}")
    if quarter not in {q.name for q in campaign.quarters}:
        raise ReviewError(f"name the quarter with --quarter; got {quarter!r}")
    with ctx.store.transaction() as tx:
        tx.uncount(record.id)  # a reassigned mail stops counting where it was
        _audit(ctx, tx, action, record, who, reason, f"{record.unit or '-'} {record.quarter or '-'}"
               f" -> {unit} {quarter} (was {record.state})")
    parsed = parse(ctx.store.raw(record.sha256))
    submission = Submission(unit=unit, quarter=quarter, attachments=files_of(parsed))
    return _record(ctx, Arrival(record.id, parsed, record.received_at), submission)


def _audit(ctx: Context, tx: Tx, action: Action, record: MessageRecord, who: str, reason: str,
           detail: str) -> None:
    tx.audit(who or operator(), action.code, record.id, detail, reason, ctx.clock())


def _recorded(ctx: Context, message: int) -> MessageRecord:
    record = ctx.store.message(message)
    if record is None:
        raise ReviewError(f"no mail with id {message} (see `mailbot review`)")
    return record
