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
from functools import cached_property
from datetime import date, datetime, timedelta, timezone
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING

from mailbot.config import Config
from mailbot.core.dates import local
from mailbot.mailbox import MailboxError, Source, open_source
from mailbot.core.models import HeldReason, IgnoredReason, MailState, Standing
from mailbot.store import Store, StoreUnavailable, Tx, wall_clock

if TYPE_CHECKING:
    import jinja2

    from mailbot.core.models import (Attachment, Extraction, Held, Message, OutgoingMail,
                                     Submission, SubmissionRecord)
    from mailbot.extract import ReadAhead
    from mailbot.outgoing.outbox import Transport
    from mailbot.store import Claim, MessageRecord

# The stages (parsing, rules, file readers, templates, the outbox) are imported where
# they are used, at the first mail or the first mail to send: an empty `poll --once`
# starts without them (issue 15: its start-up is most of its time).

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 3
MAIL_PARSE_SECONDS = 60.0  # parsing one mail's files, all of them together
SENDER_PARSE_SECONDS = 300.0  # parsing one sender's files within an hour of the campaign clock
INTERRUPTED = "interrupted: the worker stopped while processing this mail"
REPLIES_PER_HOUR = 10  # receipts and held notices together, per address
REPLY_KINDS = ("receipt", "held_notice")


@dataclass(frozen=True)
class Outcome:
    """What happened to one mail, for logs and the command line: `reason` in the log's
    words, `why` the typed cause that says it in Chinese (app/display.py)."""

    state: MailState
    reason: str = ""
    unit: str | None = None
    quarter: str | None = None
    why: HeldReason | IgnoredReason | Standing | None = None


Tell = Callable[[str, Outcome], None]  # told where each mail came from and what became of it


def log_outcome(where: str, outcome: Outcome) -> None:
    """The worker's way of telling: a log line."""
    log.info("%s: %s", where, describe(outcome))


@dataclass
class Context:
    """The adapters and settings a job needs, built in one place (Context.open) by the
    command line, the worker and the console: config, store, clock, templates, and the
    mailbox (source) and outgoing mail (transport), both opened lazily at first use;
    the templates (env) and the read-ahead (ahead) too, so a poll that finds nothing
    never loads Jinja2 or the file readers."""

    config: Config
    store: Store
    clock: Callable[[], datetime]
    given_env: jinja2.Environment | None = None  # None: the campaign's templates (env)
    answer: bool = True  # False: record mail without sending receipts (a quiet import)
    stop: threading.Event | None = None  # the worker's stop request (SIGTERM)
    mail_seconds: float = MAIL_PARSE_SECONDS
    sender_seconds: float = SENDER_PARSE_SECONDS
    read_ahead: bool = False  # poll reads the next mails' files while one is recorded
    given_source: Source | None = None  # the worker's long-lived mailbox connection

    @classmethod
    def open(cls, config: Config, clock: Callable[[], datetime],
             source: Source | None = None) -> Context:
        return cls(config, Store(config.store_path, config.archive_path), clock,
                   read_ahead=True, given_source=source)

    @cached_property
    def env(self) -> jinja2.Environment:
        """The mail templates: the ones handed in, else the campaign's (templates_dir)."""
        if self.given_env is not None:
            return self.given_env
        from mailbot.outgoing.render import template_env

        return template_env(templates_dir(self.config))

    @cached_property
    def ahead(self) -> ReadAhead | None:
        """Where poll reads ahead (None: every mail's files read in order); set it to
        None to turn reading ahead off."""
        if not self.read_ahead:
            return None
        from mailbot.extract import ReadAhead

        return ReadAhead()

    @cached_property
    def source(self) -> Source:
        """The mailbox ([mailbox]): the one handed in (the worker keeps its connection for
        IDLE across jobs), else one of this context's own, closed with it."""
        return self.given_source or open_source(self.config.mailbox)

    @cached_property
    def transport(self) -> Transport:
        """Where outgoing mail goes ([smtp]: SMTP, or a folder for outbox:)."""
        from mailbot.outgoing.outbox import open_transport

        return open_transport(self.config.smtp)

    def close(self) -> None:
        """Release the store, and the mailbox connection when it is this context's own."""
        self.store.close()
        if self.given_source is None and "source" in self.__dict__:
            self.source.close()

    @property
    def sender(self) -> str:
        return self.config.smtp.sender or self.config.campaign.federation_emails[0]

    def current(self, quarter: str) -> list[SubmissionRecord]:
        """Each unit's quarter as it stands, built from the pieces its mails brought."""
        from mailbot.intake.assess import current_records

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
            from mailbot.intake.rules import default_since

            with self.store.transaction() as tx:  # fixed once, even by two first starts
                stored = self.store.get_state(SINCE_STATE) or {"date": default_since(
                    self.config.campaign, self.local_day(self.clock())).isoformat()}
                tx.put_state(SINCE_STATE, stored)
            log.info("no [mailbox] since: mail that arrived before %s is recorded, never "
                     "answered", stored["date"])
        return date.fromisoformat(stored["date"])

    def current_of(self, unit: str, quarter: str) -> SubmissionRecord | None:
        """One unit's quarter as it stands (reads that unit's submissions only)."""
        from mailbot.intake.assess import current_record

        records = self.store.current_pieces(quarter, unit)
        return current_record(self.config.campaign, records) if records else None


def templates_dir(config: Config) -> Path | None:
    """A campaign may carry its own templates/ beside config.toml; else the packaged ones."""
    own = config.base_dir / "templates"
    return own if own.is_dir() else None


@dataclass(frozen=True)
class Arrival:
    """A claimed mail on its way through the stages after the claim.

    `position` is the mailbox position (poll) committed with the mail's outcome, in
    its one durable transaction; None outside poll, or past an unfinished mail."""

    claimed: int
    message: Message
    received_at: datetime
    position: dict | None = None


def ingest(ctx: Context, raw: bytes, source_key: str, received_at: datetime,
           since: date | None = None, position: dict | None = None,
           parsed: Message | None = None) -> Outcome:
    """Take one raw mail through the stages; never raises for a bad mail.

    archive (fsync) -> parse -> first look -> claim (committed, not yet durable) ->
    classify -> read files -> assess -> record and reply (one durable commit with
    `position`). Mail that needs none of the slow work is claimed and recorded in one
    commit (_at_once). Held and failed mail leave the line there, with their reason
    (the shunt). A mail that arrived before `since` is recorded (never fetched again)
    but neither answered nor counted. StoreUnavailable (a locked database, a read-only
    archive) is raised: no fault of the mail; the caller leaves it in the mailbox. `parsed` is
    `raw` as poll's read-ahead parsed it already (parsing is pure: the same Message).
    """
    from mailbot.extract import Stopped
    from mailbot.intake.message import content_key, parse

    sha = ctx.store.archive(raw)
    message = parsed or parse(raw)
    fingerprint = content_key(raw, message)
    at_once, looked = _at_once(ctx, message, received_at, since)
    if at_once is not None:
        return _claim_and_settle(ctx, Arrival(0, message, received_at, position), at_once,
                                 sha, fingerprint, source_key)
    claim = _claim(ctx, sha, message, fingerprint, source_key, received_at)
    mail = Arrival(claim.id, message, received_at, position)
    if claim.state != MailState.CLAIMED:
        _pass(ctx, position)
        return Outcome(MailState.DUPLICATE, f"already recorded as {claim.state}")
    try:
        return _process(ctx, mail, looked)
    except (StoreUnavailable, Stopped):
        raise  # the claim stays "claimed", which the next sighting retries
    except Exception as error:  # a bad mail must never stop the worker
        log.exception("mail %s failed", source_key)
        return _fail(ctx, mail, error)


Write = Callable[[Tx, Arrival], Outcome]  # what a mail's outcome records, in a transaction


Looked = tuple  # (why it is machine mail or None, the first Decision): _look


def _look(ctx: Context, message: Message, received_at: datetime) -> Looked:
    """Machine mail or not, and the decision before any file is read (pure)."""
    from mailbot.intake.message import is_automatic
    from mailbot.intake.rules import decide

    automatic = is_automatic(message)
    return automatic, decide(ctx.config.campaign, message, automatic, received_at,
                             ctx.config.trusted_authserv_ids)


def _at_once(ctx: Context, message: Message, received_at: datetime,
             since: date | None) -> tuple[Write | None, Looked | None]:
    """The outcome of a mail that needs no slow work (no file to read, nothing to send):
    one that arrived before `since`, or one to ignore (ordinary office mail, machine
    mail). It is recorded in the claim's own transaction: nothing between the two
    could kill the worker. Else None, with the first look for the long way (claimed
    first); None for that too when the look failed: a bug met here is met again on
    that way, which shunts the mail."""
    from mailbot.core.models import Ignored
    from mailbot.intake.rules import read_before_deciding

    if since and ctx.local_day(received_at) < since:
        reason = f"arrived before {since.isoformat()} ([mailbox] since): recorded, not answered"
        return (lambda tx, mail: _set(tx, mail, MailState.BEFORE_SINCE, reason)), None
    try:
        looked = _look(ctx, message, received_at)
    except Exception:  # noqa: BLE001 -- see the docstring
        return None, None
    decision = looked[1]
    if not isinstance(decision, Ignored) or (read_before_deciding(decision, message)
                                             and message.attachments):
        return None, looked
    return (lambda tx, mail: replace(_set(tx, mail, MailState.IGNORED, decision.reason),
                                     why=decision.why)), looked


def _claim_and_settle(ctx: Context, arrival: Arrival, write: Write, sha: str,
                      fingerprint: str, source_key: str) -> Outcome:
    """Claim and outcome in one transaction (_at_once), durable as the outcome's own;
    `arrival` gets its claim's id here."""
    with ctx.store.transaction() as tx:
        claim = _claim_in(ctx, tx, sha, arrival.message, fingerprint, source_key,
                          arrival.received_at)
        mail = replace(arrival, claimed=claim.id)
        _advance(tx, mail)
        if claim.state != MailState.CLAIMED:
            return Outcome(MailState.DUPLICATE, f"already recorded as {claim.state}")
        return write(tx, mail)


def _claim(ctx: Context, sha: str, message: Message, fingerprint: str, source_key: str,
           received_at: datetime) -> Claim:
    """The claim stage: the mail is recorded before the slow work, so a mail that kills
    the worker (again and again) is counted and given up after MAX_ATTEMPTS. Not
    durable: a power cut that loses it loses nothing, the mail is archived and still
    unread."""
    with ctx.store.transaction(durable=False) as tx:
        return _claim_in(ctx, tx, sha, message, fingerprint, source_key, received_at)


def _claim_in(ctx: Context, tx: Tx, sha: str, message: Message, fingerprint: str,
              source_key: str, received_at: datetime) -> Claim:
    """The claim's state is "claimed" when the stages are to run (new, or due a retry)."""
    claim = tx.claim(sha, message.message_id, source_key, received_at, wall_clock(),
                     message.subject, message.from_addr, fingerprint)
    if claim.new:
        return claim
    if not _retry_due(ctx.store.message(claim.id)):  # never so for a "claimed" one
        return claim
    if claim.state == MailState.CLAIMED:  # the worker died on it
        tx.record_failure(claim.id, INTERRUPTED)
    return replace(claim, state=MailState.CLAIMED)


def _settle(ctx: Context, mail: Arrival, write: Callable[[Tx], Outcome]) -> Outcome:
    """The mail's one durable commit: what `write` records (its state, submission,
    reply) and the mailbox position, together; in a poll it waits for the disk with
    the other mails of its group (docs/design.md, Durability)."""
    with ctx.store.transaction() as tx:
        outcome = write(tx)
        _advance(tx, mail)
    return outcome


def _advance(tx: Tx, mail: Arrival) -> None:
    if mail.position is not None:
        tx.put_state(MAILBOX_STATE, mail.position)


def _pass(ctx: Context, position: dict | None) -> None:
    """The position moves past a mail recorded before: nothing new to make durable
    (losing the move only fetches the mail again, and it is known)."""
    if position is not None:
        with ctx.store.transaction(durable=False) as tx:
            tx.put_state(MAILBOX_STATE, position)


def _set(tx: Tx, mail: Arrival, state: MailState, reason: str, unit: str | None = None,
         quarter: str | None = None) -> Outcome:
    tx.set_state(mail.claimed, state, reason, unit, quarter)
    return Outcome(state, reason, unit, quarter)


def _fail(ctx: Context, mail: Arrival, error: Exception) -> Outcome:
    """The shunt for a mail that broke a stage: failed with its error, tried again on
    its next sighting; the position moves past it only once it is given up."""
    with ctx.store.transaction() as tx:
        attempts = tx.record_failure(mail.claimed, f"{type(error).__name__}: {error}")
        if attempts >= MAX_ATTEMPTS:
            _advance(tx, mail)
    return Outcome(MailState.FAILED, f"{error} (attempt {attempts} of {MAX_ATTEMPTS})")


def _retry_due(record: MessageRecord | None) -> bool:
    """A failed mail is tried again on its next sighting, a bounded number of times.

    So is a mail left "claimed": the worker died (SIGKILL, power cut) between
    the claim and the outcome's commit, and only one worker runs at a time.
    """
    return record is not None and (record.state == MailState.CLAIMED or (
        record.state == MailState.FAILED and record.attempts < MAX_ATTEMPTS))


def _process(ctx: Context, mail: Arrival, looked: Looked | None = None) -> Outcome:
    """classify -> (held: the shunt) -> read files -> assess -> record and reply;
    `looked` is the first look (_look) when it was taken already."""
    from mailbot.core.limits import anonymous, unnamed_members
    from mailbot.core.models import Held, Ignored
    from mailbot.intake.rules import decide, original_of, verified, read_before_deciding

    campaign, trusted, message = ctx.config.campaign, ctx.config.trusted_authserv_ids, mail.message
    automatic, decision = looked or _look(ctx, message, mail.received_at)
    extractions = None
    if read_before_deciding(decision, message) and message.attachments:  # the form may name the unit
        extractions = _extract(ctx, message, message.attachments)
        decision = decide(campaign, message, automatic, mail.received_at, trusted,
                          tuple(extractions))
    if isinstance(decision, Ignored):
        return _settle(ctx, mail, lambda tx: replace(
            _set(tx, mail, MailState.IGNORED, decision.reason), why=decision.why))
    if isinstance(decision, Held):
        return _hold(ctx, mail, decision, automatic)
    # a forwarded original is answered as if the unit had sent it here
    reply_to = original_of(campaign, message) or message
    unnamed = None
    if not verified(campaign, reply_to, trusted):  # no name it gives is quoted back
        decision = replace(decision, attachments=anonymous(decision.attachments))
        extractions, unnamed = None, unnamed_members  # read again under the neutral names
    return _record(ctx, replace(mail, message=reply_to), decision, extractions, automatic,
                   unnamed)


def read_attachments(campaign, attachments: tuple[Attachment, ...],
                     limits) -> list[Extraction]:
    """Read what the limits allow; the rest is listed as not read, with the reason."""
    from mailbot.core.limits import select_attachments
    from mailbot.extract import extract_attachment

    readable, refused = select_attachments(attachments, limits)
    return [extraction for attachment in readable
            for extraction in extract_attachment(attachment.filename, attachment.data,
                                                 campaign)] + refused


def _extract(ctx: Context, message: Message, attachments: tuple[Attachment, ...]
             ) -> list[Extraction]:
    """Read what the limits and the parse budgets allow (the mail's, and what its sender
    has left this hour: one stranger's slow files cannot stall intake); the rest is
    listed as not read, with the reason. Stopped (SIGTERM) leaves the mail claimed."""
    from mailbot.core.limits import select_attachments
    from mailbot.extract import Budget, read_files

    readable, refused = select_attachments(attachments, ctx.config.limits)
    key, hour = f"{PARSE_STATE}:{message.from_addr}", ctx.clock().strftime("%Y-%m-%dT%H")
    spent = ctx.store.get_state(key) or {}
    used = spent.get("seconds", 0.0) if spent.get("hour") == hour else 0.0
    budget = Budget.of(min(ctx.mail_seconds, ctx.sender_seconds - used), ctx.stop)
    started, spent = time.monotonic(), None
    try:  # the "read files" stage: read now, or taken from what poll read ahead
        extractions, spent = read_files(readable, ctx.config.campaign, budget, ctx.ahead)
        return extractions + refused
    finally:  # a budget, not a record: losing it in a power cut costs nothing
        spent = time.monotonic() - started if spent is None else spent
        with ctx.store.transaction(durable=False) as tx:
            tx.put_state(key, {"hour": hour, "seconds": used + spent})


PARSE_STATE = "parse_seconds"


def _queue(ctx: Context, tx: Tx, mail: OutgoingMail, unit: str | None,
           quarter: str | None, automatic: str | None = None) -> str:
    """Queue a reply; automatic mail, an address outside config.toml, or one that had
    its fill of replies this hour, is refused, noted (the returned note goes on the
    mail), and not fatal."""
    from mailbot.outgoing import outbox

    if not ctx.answer:
        return f"{mail.kind} not sent: imported without replies"
    if automatic:  # never answer a machine (RFC 3834), even a unit's copier
        return f"{mail.kind} not sent: automatic mail ({automatic}) is never answered"
    if not _under_rate_limit(ctx, mail.to):
        return f"{mail.kind} not sent: rate limit of {REPLIES_PER_HOUR} replies an hour reached"
    try:
        outbox.queue(tx, ctx.config.campaign, ctx.sender, mail, ctx.clock(),
                     unit=unit, quarter=quarter)
    except outbox.NotInConfig as error:
        log.warning("%s not sent: %s", mail.kind, error)
        return f"{mail.kind} not sent: {error}"
    return ""


def _hold(ctx: Context, mail: Arrival, held: Held, automatic: str | None = None) -> Outcome:
    """The shunt for a mail intake cannot record: held with its reason, the unit told
    when it is its business (HeldReason.told)."""
    from mailbot.core.limits import quoted
    from mailbot.intake.rules import verified
    from mailbot.outgoing.render import render_held_notice

    config, message = ctx.config, mail.message

    def write(tx: Tx) -> Outcome:
        refused = ""
        if held.unit and held.reason.told:
            own = message.from_addr in config.campaign.unit(held.unit).emails
            notice = render_held_notice(
                ctx.env, config.campaign, quoted(message, config.limits, own and verified(
                    config.campaign, message, config.trusted_authserv_ids)), held.unit,
                held.words, own, mail.received_at, ctx.clock(), mail.claimed,
                why=held.reason)
            refused = _queue(ctx, tx, notice, held.unit, held.quarter, automatic)
        _set(tx, mail, MailState.HELD, "; ".join(filter(None, [held.reason, refused])),
             held.unit, held.quarter)
        return Outcome(MailState.HELD, held.reason, held.unit, held.quarter, held.reason)
    return _settle(ctx, mail, write)


def _record(ctx: Context, mail: Arrival, submission: Submission,
            extractions: list[Extraction] | None = None, automatic: str | None = None,
            unnamed: Callable[[list[Extraction]], list[Extraction]] | None = None) -> Outcome:
    """read files -> assess -> record and reply: store what the mail brings for the
    unit's quarter and answer with the quarter as it now stands; a mail that brings no
    piece is recorded as not a report, unanswered. `unnamed` renames an unverified
    mail's archive members."""
    from mailbot.core.limits import quoted
    from mailbot.core.models import Held
    from mailbot.extract.sandbox import BUDGET_SPENT
    from mailbot.intake.assess import assess, needs_earlier_form, receipt_problems
    from mailbot.intake.rules import verified
    from mailbot.outgoing.render import render_receipt

    campaign, unit, quarter = ctx.config.campaign, submission.unit, submission.quarter
    if extractions is None:
        extractions = _extract(ctx, mail.message, submission.attachments)
    if unnamed is not None:
        extractions = unnamed(extractions)
    earlier = ctx.current_of(unit, quarter) if needs_earlier_form(extractions) else None
    assessment = assess(campaign, submission, extractions, earlier)
    if not assessment.report and any(e.error == BUDGET_SPENT for e in extractions):
        return _hold(ctx, mail, Held(HeldReason.OUT_OF_BUDGET, unit, quarter))
    if not assessment.report and any(e.error for e in extractions):
        return _hold(ctx, mail, Held(HeldReason.UNREADABLE, unit, quarter, "；".join(
            f"《{e.file}》{e.error}" for e in extractions if e.error)), automatic)
    if not assessment.report and assessment.electronic:  # the blank form, sent by mistake
        owned = "、".join(f"第{item.seq}项“{item.title}”" for item in campaign.items_of(unit))
        return _hold(ctx, mail, Held(HeldReason.EMPTY_FORM, unit, quarter, owned), automatic)
    if not assessment.report:
        return _settle(ctx, mail, lambda tx: _set(tx, mail, MailState.NOT_REPORT,
                                                  NOT_A_REPORT, unit, quarter))

    def write(tx: Tx) -> Outcome:
        message = mail.message
        tx.add_submission(mail.claimed, message.message_id, mail.received_at, assessment,
                          extractions)
        current = ctx.current_of(unit, quarter)
        trusted = verified(campaign, message, ctx.config.trusted_authserv_ids)
        receipt = render_receipt(ctx.env, campaign, quoted(message, ctx.config.limits, trusted),
                                 assessment, current, extractions, mail.received_at,
                                 ctx.clock(), mail.claimed)
        refused = _queue(ctx, tx, receipt, unit, quarter, automatic)
        notes = [*submission.notes, *receipt_problems(campaign, assessment, current),
                 *filter(None, [refused])]  # what the receipt says, not the mail alone
        _set(tx, mail, MailState.DONE, "; ".join(notes), unit, quarter)
        standing = Standing.INCOMPLETE if current.problems else Standing.COMPLETE
        return Outcome(MailState.DONE, standing, unit, quarter, standing)
    return _settle(ctx, mail, write)


NOT_A_REPORT = ("not a report: no rows for the unit's items and no PDF of the form; "
                "recorded, changes nothing, not answered")


def _under_rate_limit(ctx: Context, recipients: tuple[str, ...]) -> bool:
    since = ctx.clock() - timedelta(hours=1)  # the campaign clock (--now), as mail is queued
    busy = [a for a in recipients
            if ctx.store.mails_to_since(a, REPLY_KINDS, since) >= REPLIES_PER_HOUR]
    if busy:
        log.warning("reply not sent: rate limit reached for %s", ", ".join(busy))
    return not busy


def flush_outbox(ctx: Context, transport: Transport | None = None) -> tuple[int, int]:
    """Send what is due, by `transport` (default: ctx.transport, opened only when some
    mail is due: nothing to send loads neither the outbox nor SMTP)."""
    now = ctx.clock()
    if not ctx.store.any_unsent(now):
        return 0, 0
    from mailbot.outgoing import outbox

    sent, failed = outbox.flush(ctx.store, ctx.transport if transport is None else transport,
                                now, timedelta(days=ctx.config.smtp.give_up_days))
    if sent or failed:
        log.info("outbox: %d sent, %d not sent", sent, failed)
    return sent, failed


def ingest_files(ctx: Context, paths: list[Path], tell: Tell = log_outcome,
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
        tell(f"[{number}/{len(paths)}] {path.name}", outcome)
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


def poll(ctx: Context, source, tell: Tell = log_outcome,
         since: date | None = None) -> list[Outcome]:
    """Fetch what is new in the mailbox and ingest it, one committed mail at a time;
    mail that arrived before `since` (default: ctx.since()) is recorded, not answered.

    The source's position is committed with each mail's outcome (one transaction).
    The mails are made durable together (a group commit: Store.group), at most
    GROUP_MAILS or GROUP_SECONDS apart, and the mailbox is touched (keyword, move)
    only after that, so a crash anywhere repeats at most the mails since the last
    settle, which the store then recognises by their hash. The position never passes
    a mail that is not finished (failed with tries left): the next poll fetches from
    there again, retries it, and skips what was done after it.
    """
    outcomes, since = [], since or ctx.since()
    unfinished = False
    mails = iter(source.fetch_new(ctx.store.get_state(MAILBOX_STATE)))
    first = next(mails, None)
    if first is None:
        return outcomes  # nothing new: the stages are never loaded
    from mailbot.app.prefetch import archive_ahead, read_ahead

    known: dict[str, bool] = {}  # asked by the archive and by the loop: once

    def due(mail) -> bool:
        if mail.source_key not in known:
            known[mail.source_key] = _due(ctx, mail.source_key)
        return known[mail.source_key]

    archived = archive_ahead(ctx.store, chain([first], mails), source.batch, due)
    fetched = read_ahead(ctx, archived, since)
    with ctx.store.group():
        group = _Group(ctx, source)
        try:
            for mail, parsed in fetched:
                if ctx.stop is not None and ctx.stop.is_set():
                    break  # SIGTERM: the next poll goes on from here
                position = None if mail.state is None or unfinished else _plain(mail.state)
                fresh = due(mail)
                del known[mail.source_key]  # recorded below: the answer changes
                if not fresh:
                    outcome = Outcome(MailState.DUPLICATE, "seen before")
                    _pass(ctx, position)
                else:
                    outcome = ingest(ctx, mail.raw, mail.source_key, mail.received_at, since,
                                     position, parsed)
                    tell(mail.source_key, outcome)
                    unfinished = unfinished or (outcome.state == MailState.FAILED and _retry_due(
                        ctx.store.message_by_source_key(mail.source_key)))
                group.add(mail.source_key, done=outcome.state != MailState.FAILED)
                outcomes.append(outcome)
        finally:
            group.settle()
    return outcomes


GROUP_MAILS = 200  # a poll's mails wait for the disk together, this many at most
GROUP_SECONDS = 1.0  # or this long: a backlog of slow report mail still settles often


class _Group:
    """The mails of a poll recorded since the store last settled: the mailbox marks
    them processed only once they are durable (Store.settle)."""

    def __init__(self, ctx: Context, source):
        self.ctx, self.source = ctx, source
        self.count, self.done, self.started = 0, [], time.monotonic()

    def add(self, source_key: str, done: bool) -> None:
        self.count += 1
        if done:
            self.done.append(source_key)
        if self.count >= GROUP_MAILS or time.monotonic() - self.started >= GROUP_SECONDS:
            self.settle()

    def settle(self) -> None:
        self.ctx.store.settle()
        for source_key in self.done:
            _mark_processed(self.source, source_key)
        self.count, self.done, self.started = 0, [], time.monotonic()


def _due(ctx: Context, source_key: str) -> bool:
    """Not recorded from this source yet, or due a retry."""
    known = ctx.store.message_by_source_key(source_key)
    return not known or _retry_due(known)


MAILBOX_STATE = "mailbox"
SINCE_STATE = "since"


def import_older(ctx: Context, since: date, tell: Tell = log_outcome) -> list[Outcome]:
    """`poll --since`: process, on purpose, the recorded mail that arrived before the
    start point and on or after `since` (receipts go out unless ctx.answer is off)."""
    from mailbot.intake.message import parse

    outcomes = []
    for record in ctx.store.messages(MailState.BEFORE_SINCE):
        if ctx.local_day(record.received_at) >= since:
            outcome = _process(ctx, Arrival(record.id, parse(ctx.store.raw(record.sha256)),
                                            record.received_at))
            tell(record.source_key, outcome)
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
