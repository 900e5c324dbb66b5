"""The imperative shell: wires the adapters to the pure core, one job per function.

The order inside `ingest` is the contract that keeps mail from being lost or
done twice: archive the raw bytes, claim the mail in one transaction, do the
slow work, record the outcome and the receipt in one transaction; only then
may the source mark the mail processed.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, is_dataclass, replace
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import jinja2

from mailbot.outgoing import outbox
from mailbot.intake.assess import assess, current_records, file_problems
from mailbot.config import Config
from mailbot.extract import Budget, Stopped, extract_attachment
from mailbot.extract.sandbox import BUDGET_SPENT
from mailbot.intake.rules import decide, default_since, original_of, verified, wants_form_cells
from mailbot.core.dates import local
from mailbot.core.limits import anonymous, quoted, select_attachments
from mailbot.mailbox import MailboxError
from mailbot.intake.message import content_key, is_automatic, parse
from mailbot.core.models import (Attachment, Extraction, Held, HeldReason, Ignored, MailState,
                                 Message, OutgoingMail, Submission, SubmissionRecord)
from mailbot.outgoing.render import render_held_notice, render_receipt, template_env
from mailbot.store import MessageRecord, Store, StoreUnavailable

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 3
MAIL_PARSE_SECONDS = 60.0  # parsing one mail's files, all of them together
SENDER_PARSE_SECONDS = 300.0  # parsing one sender's files within an hour of the campaign clock
INTERRUPTED = "interrupted: the worker stopped while processing this mail"
REPLIES_PER_HOUR = 10  # receipts and held notices together, per address
REPLY_KINDS = ("receipt", "held_notice")


@dataclass(frozen=True)
class Outcome:
    """What happened to one mail, for logs and the command line."""

    state: MailState
    reason: str = ""
    unit: str | None = None
    quarter: str | None = None


@dataclass
class Context:
    """The adapters and settings a job needs, handed in by the command line or worker."""

    config: Config
    store: Store
    clock: Callable[[], datetime]
    env: jinja2.Environment
    answer: bool = True  # False: record mail without sending receipts (a quiet import)
    stop: threading.Event | None = None  # the worker's stop request (SIGTERM)
    mail_seconds: float = MAIL_PARSE_SECONDS
    sender_seconds: float = SENDER_PARSE_SECONDS

    @classmethod
    def open(cls, config: Config, clock: Callable[[], datetime]) -> Context:
        return cls(config, Store(config.store_path, config.archive_path), clock,
                   template_env(templates_dir(config)))

    @property
    def sender(self) -> str:
        return self.config.smtp.sender or self.config.campaign.federation_emails[0]

    def current(self, quarter: str) -> list[SubmissionRecord]:
        """Each unit's quarter as it stands, built from the pieces its mails brought."""
        return current_records(self.config.campaign, self.store.counted_submissions(quarter))

    def local_day(self, moment: datetime) -> date:
        return local(moment, self.config.campaign.timezone).date()

    def since(self) -> date:
        """Where reading starts: `[mailbox] since`, else the default fixed at the first
        start (stored, so it never moves) -- see intake.rules.default_since."""
        if self.config.mailbox.since:
            return self.config.mailbox.since
        stored = self.store.get_state(SINCE_STATE)
        if stored is None:
            with self.store.transaction():  # fixed once, even by two first starts at once
                stored = self.store.get_state(SINCE_STATE) or {"date": default_since(
                    self.config.campaign, self.local_day(self.clock())).isoformat()}
                self.store.put_state(SINCE_STATE, stored)
            log.info("no [mailbox] since: mail that arrived before %s is recorded, never "
                     "answered", stored["date"])
        return date.fromisoformat(stored["date"])

    def current_of(self, unit: str, quarter: str) -> SubmissionRecord | None:
        """One unit's quarter, reading only its own submissions (a receipt is written with
        the store's write lock held)."""
        found = current_records(self.config.campaign,
                                self.store.counted_submissions(quarter, unit))
        return found[0] if found else None


def templates_dir(config: Config) -> Path | None:
    """A campaign may carry its own templates/ beside config.toml; else the packaged ones."""
    own = config.base_dir / "templates"
    return own if own.is_dir() else None


def ingest(ctx: Context, raw: bytes, source_key: str, received_at: datetime,
           since: date | None = None) -> Outcome:
    """Take one raw mail through the pipeline; never raises for a bad mail.

    A mail that arrived before `since` is archived and recorded (so it is never
    fetched again) but neither answered nor counted. StoreUnavailable (a locked
    database, a read-only archive) is raised: it is no fault of the mail, nothing
    more can be recorded, and the caller must leave the mail in the mailbox.
    """
    sha = ctx.store.archive(raw)
    message = parse(raw)
    claim = ctx.store.claim(sha, message.message_id, source_key, received_at,
                            message.subject, message.from_addr, content_key(raw, message))
    if not claim.new and not _retry_due(ctx.store.message(claim.id)):
        return Outcome(MailState.DUPLICATE, f"already recorded as {claim.state}")
    if since and ctx.local_day(received_at) < since:
        reason = f"arrived before {since.isoformat()} ([mailbox] since): recorded, not answered"
        ctx.store.set_state(claim.id, MailState.BEFORE_SINCE, reason)
        return Outcome(MailState.BEFORE_SINCE, reason)
    if not claim.new and claim.state == MailState.CLAIMED:  # counted: a mail that kills the worker
        # (again and again) is given up after MAX_ATTEMPTS
        ctx.store.record_failure(claim.id, INTERRUPTED)
    try:
        return _process(ctx, claim.id, message, received_at)
    except (StoreUnavailable, Stopped):
        raise  # the claim stays "claimed", which the next sighting retries
    except Exception as error:  # a bad mail must never stop the worker
        log.exception("mail %s failed", source_key)
        attempts = ctx.store.record_failure(claim.id, f"{type(error).__name__}: {error}")
        return Outcome(MailState.FAILED, f"{error} (attempt {attempts} of {MAX_ATTEMPTS})")


def _retry_due(record: MessageRecord | None) -> bool:
    """A failed mail is tried again on its next sighting, a bounded number of times.

    So is a mail left "claimed": the worker died (SIGKILL, power cut) between
    the claim and the outcome's commit, and only one worker runs at a time.
    """
    return record is not None and (record.state == MailState.CLAIMED or (
        record.state == MailState.FAILED and record.attempts < MAX_ATTEMPTS))


def _process(ctx: Context, claimed: int, message: Message, received_at: datetime) -> Outcome:
    campaign, trusted = ctx.config.campaign, ctx.config.trusted_authserv_ids
    automatic = is_automatic(message)
    decision = decide(campaign, message, automatic, received_at, trusted)
    extractions = None
    if wants_form_cells(decision) and message.attachments:  # the form may name the unit
        extractions = _extract(ctx, message, message.attachments)
        decision = decide(campaign, message, automatic, received_at, trusted,
                          tuple(extractions))
    if isinstance(decision, Ignored):
        ctx.store.set_state(claimed, MailState.IGNORED, decision.reason)
        return Outcome(MailState.IGNORED, decision.reason)
    if isinstance(decision, Held):
        return _hold(ctx, claimed, message, decision, received_at, automatic)
    # a forwarded original is answered as if the unit had sent it here
    reply_to = original_of(campaign, message) or message
    if not verified(campaign, reply_to, trusted):  # its file names are never quoted back
        decision = replace(decision, attachments=anonymous(decision.attachments))
    return _record(ctx, claimed, reply_to, decision, received_at, extractions, automatic)


def read_attachments(campaign, attachments: tuple[Attachment, ...],
                     limits) -> list[Extraction]:
    """Read what the limits allow; the rest is listed as not read, with the reason."""
    readable, refused = select_attachments(attachments, limits)
    return [extraction for attachment in readable
            for extraction in extract_attachment(attachment.filename, attachment.data,
                                                 campaign)] + refused


def _extract(ctx: Context, message: Message, attachments: tuple[Attachment, ...]
             ) -> list[Extraction]:
    """Read what the limits and the parse budgets allow (the mail's, and what its sender
    has left this hour: one stranger's slow files cannot stall intake); the rest is
    listed as not read, with the reason. Stopped (SIGTERM) leaves the mail claimed."""
    readable, refused = select_attachments(attachments, ctx.config.limits)
    key, hour = f"{PARSE_STATE}:{message.from_addr}", ctx.clock().strftime("%Y-%m-%dT%H")
    spent = ctx.store.get_state(key) or {}
    used = spent.get("seconds", 0.0) if spent.get("hour") == hour else 0.0
    budget = Budget.of(min(ctx.mail_seconds, ctx.sender_seconds - used), ctx.stop)
    started = time.monotonic()
    try:
        return [extraction for attachment in readable
                for extraction in extract_attachment(attachment.filename, attachment.data,
                                                     ctx.config.campaign, budget)] + refused
    finally:
        ctx.store.put_state(key, {"hour": hour, "seconds": used + time.monotonic() - started})


PARSE_STATE = "parse_seconds"


def _queue(ctx: Context, db, mail: OutgoingMail, unit: str | None,
           quarter: str | None, automatic: str | None = None) -> str:
    """Queue a reply; automatic mail, an address outside config.toml, or one that had
    its fill of replies this hour, is refused, noted (the returned note goes on the
    mail), and not fatal."""
    if not ctx.answer:
        return f"{mail.kind} not sent: imported without replies"
    if automatic:  # never answer a machine (RFC 3834), even a unit's copier
        return f"{mail.kind} not sent: automatic mail ({automatic}) is never answered"
    if not _under_rate_limit(ctx, mail.to):
        return f"{mail.kind} not sent: rate limit of {REPLIES_PER_HOUR} replies an hour reached"
    try:
        outbox.queue(ctx.store, db, ctx.config.campaign, ctx.sender, mail, ctx.clock(),
                     unit=unit, quarter=quarter)
    except outbox.NotInConfig as error:
        log.warning("%s not sent: %s", mail.kind, error)
        return f"{mail.kind} not sent: {error}"
    return ""


def _hold(ctx: Context, claimed: int, message: Message, held: Held,
          received_at: datetime, automatic: str | None = None) -> Outcome:
    with ctx.store.transaction() as db:
        refused = ""
        if held.unit and held.reason.told:
            own = message.from_addr in ctx.config.campaign.unit(held.unit).emails
            notice = render_held_notice(ctx.env, ctx.config.campaign,
                                        quoted(message, ctx.config.limits, own and verified(
                                            ctx.config.campaign, message,
                                            ctx.config.trusted_authserv_ids)), held.unit,
                                        held.reason.zh, own, received_at, ctx.clock(),
                                        claimed)
            refused = _queue(ctx, db, notice, held.unit, held.quarter, automatic)
        reason = "; ".join(filter(None, [held.reason, refused]))
        ctx.store.set_state(claimed, MailState.HELD, reason, held.unit, held.quarter, db=db)
    return Outcome(MailState.HELD, held.reason, held.unit, held.quarter)


def _record(ctx: Context, claimed: int, message: Message, submission: Submission,
            received_at: datetime, extractions: list[Extraction] | None = None,
            automatic: str | None = None) -> Outcome:
    """Store what the mail brings for the unit's quarter and answer with the quarter as
    it now stands; a mail that brings no piece is recorded as not a report, unanswered."""
    campaign, limits = ctx.config.campaign, ctx.config.limits
    unit, quarter = submission.unit, submission.quarter
    if extractions is None:
        extractions = _extract(ctx, message, submission.attachments)
    assessment = assess(campaign, submission, extractions)
    if not assessment.report and any(e.error == BUDGET_SPENT for e in extractions):
        return _hold(ctx, claimed, message, Held(HeldReason.OUT_OF_BUDGET, unit, quarter), received_at)
    if not assessment.report:
        ctx.store.set_state(claimed, MailState.NOT_REPORT, NOT_A_REPORT, unit, quarter)
        return Outcome(MailState.NOT_REPORT, NOT_A_REPORT, unit, quarter)
    with ctx.store.transaction() as db:
        ctx.store.add_submission(db, claimed, message.message_id, received_at, assessment,
                                 extractions)
        current = ctx.current_of(unit, quarter)
        trusted = verified(campaign, message, ctx.config.trusted_authserv_ids)
        receipt = render_receipt(ctx.env, campaign, quoted(message, limits, trusted), assessment,
                                 current, extractions, received_at, ctx.clock(), claimed)
        refused = _queue(ctx, db, receipt, unit, quarter, automatic)
        notes = [*submission.notes, *file_problems(campaign, assessment), *current.problems,
                 *filter(None, [refused])]  # what the receipt says, not the mail alone
        ctx.store.set_state(claimed, MailState.DONE, "; ".join(notes), unit, quarter, db=db)
    return Outcome(MailState.DONE, "incomplete" if current.problems else "complete", unit, quarter)


NOT_A_REPORT = ("not a report: no rows for the unit's items and no PDF of the form; "
                "recorded, changes nothing, not answered")


def _under_rate_limit(ctx: Context, recipients: tuple[str, ...]) -> bool:
    since = ctx.clock() - timedelta(hours=1)  # the campaign clock (--now), as mail is queued
    busy = [a for a in recipients
            if ctx.store.mails_to_since(a, REPLY_KINDS, since) >= REPLIES_PER_HOUR]
    if busy:
        log.warning("reply not sent: rate limit reached for %s", ", ".join(busy))
    return not busy


def flush_outbox(ctx: Context, transport: outbox.Transport) -> tuple[int, int]:
    sent, failed = outbox.flush(ctx.store, transport, ctx.clock(),
                                timedelta(days=ctx.config.smtp.give_up_days))
    if sent or failed:
        log.info("outbox: %d sent, %d not sent", sent, failed)
    return sent, failed


def ingest_files(ctx: Context, paths: list[Path],
                 progress: Callable[[str], None] = log.info,
                 received: datetime | None = None) -> list[Outcome]:
    """`mailbot ingest`: saved .eml files, received at `received` (--received), else at
    the file's modification time (never after now). Never at the Date header: a unit
    PC's wrong clock, or a sender backdating a late report, would choose the version
    that counts."""
    outcomes = []
    for number, path in enumerate(paths, start=1):
        raw = path.read_bytes()
        arrived = received or min(ctx.clock(), datetime.fromtimestamp(path.stat().st_mtime,
                                                                      tz=timezone.utc))
        outcome = ingest(ctx, raw, f"file:{path.resolve()}", arrived)
        progress(f"[{number}/{len(paths)}] {path.name}: {describe(outcome)}")
        outcomes.append(outcome)
    return outcomes


def describe(outcome: Outcome) -> str:
    who = " ".join(part for part in (outcome.unit, outcome.quarter) if part)
    return " - ".join(part for part in (outcome.state, who, outcome.reason) if part)


def run_checks(config: Config) -> list[tuple[bool, str]]:
    """`mailbot check`: no placeholder addresses left; the mailbox and SMTP logins where remote."""
    from mailbot.mailbox import imap
    from mailbot.outgoing import smtp

    results = []
    if config.placeholders:
        results.append((False, f"{len(config.placeholders)} 处邮箱仍是占位地址（@example.invalid），"
                               f"请填写真实地址：{'、'.join(config.placeholders)}"))
    if config.mailbox.scheme != "maildir":
        results.append(imap.check_login(config.mailbox))
    if config.smtp.scheme != "outbox":
        results.append(smtp.check_login(config.smtp))
    return results


def poll(ctx: Context, source, progress: Callable[[str], None] = log.info,
         since: date | None = None) -> list[Outcome]:
    """Fetch what is new in the mailbox and ingest it, one committed mail at a time;
    mail that arrived before `since` (default: ctx.since()) is recorded, not answered.

    The source's position is stored after each mail's commit, and the mailbox is
    touched (keyword, move) only after that, so a crash anywhere repeats at most
    the mail in hand, which the store then recognises by its hash. The position
    never passes a mail that is not finished (failed with tries left): the next
    poll fetches from there again, retries it, and skips what was done after it.
    """
    outcomes, since = [], since or ctx.since()
    unfinished = False
    for mail in source.fetch_new(ctx.store.get_state(MAILBOX_STATE)):
        if ctx.stop is not None and ctx.stop.is_set():
            break  # SIGTERM: the next poll goes on from here
        known = ctx.store.message_by_source_key(mail.source_key)
        if known and not _retry_due(known):
            outcome = Outcome(MailState.DUPLICATE, "seen before")
        else:
            outcome = ingest(ctx, mail.raw, mail.source_key, mail.received_at, since)
            progress(f"{mail.source_key}: {describe(outcome)}")
            unfinished = unfinished or _retry_due(ctx.store.message_by_source_key(
                mail.source_key))
        if mail.state is not None and not unfinished:
            ctx.store.put_state(MAILBOX_STATE, _plain(mail.state))
        if outcome.state != MailState.FAILED:
            _mark_processed(source, mail.source_key)
        outcomes.append(outcome)
    return outcomes


MAILBOX_STATE = "mailbox"
SINCE_STATE = "since"


def import_older(ctx: Context, since: date,
                 progress: Callable[[str], None] = log.info) -> list[Outcome]:
    """`poll --since`: process, on purpose, the recorded mail that arrived before the
    start point and on or after `since` (receipts go out unless ctx.answer is off)."""
    outcomes = []
    for record in ctx.store.messages(MailState.BEFORE_SINCE):
        if ctx.local_day(record.received_at) >= since:
            outcome = _process(ctx, record.id, parse(ctx.store.raw(record.sha256)),
                               record.received_at)
            progress(f"{record.source_key}: {describe(outcome)}")
            outcomes.append(outcome)
    return outcomes


def _mark_processed(source, source_key: str) -> None:
    """Leaving a recorded mail in place is correct too, so a failure here is only logged."""
    try:
        source.mark_processed(source_key)
    except MailboxError as error:
        log.warning("%s recorded, but the mailbox action failed: %s", source_key, error)


def _plain(state) -> dict:
    return asdict(state) if is_dataclass(state) else dict(state)
