"""What each page shows, gathered from the store through the functions the CLI uses.

The overview is the federation's summary (summary.build_summary) as of now, so
the page and the summary mail never disagree; a unit's page adds its mails and
ours to it.
"""

from __future__ import annotations

from dataclasses import dataclass

from mailbot.app import notices, review
from mailbot.app.pipeline import Context
from mailbot.core.models import MailState, UnitState, UnitStatus
from mailbot.chase.remind import missing_parts
from mailbot.chase.status import unit_statuses
from mailbot.store import MessageRecord, OutgoingRecord
from mailbot.chase.summary import Summary, build_summary


def summary_now(ctx: Context, quarter: str) -> Summary:
    return build_summary(ctx.config.campaign, quarter, notices.statuses(ctx, quarter),
                         notices.held_mails(ctx, quarter), ctx.clock())


@dataclass(frozen=True)
class MailView:
    """One mail a unit sent, with the files read from it and the pieces it supplies now."""

    record: MessageRecord
    documents: tuple[dict, ...]
    pieces: tuple[str, ...]  # 电子版 / 盖章版 when this mail's piece counts now
    wrong_copy: tuple[str, ...] = ()  # what the stamped-copy check found, staff may vouch

    @property
    def counts_now(self) -> bool:
        return bool(self.pieces)


@dataclass(frozen=True)
class UnitView:
    name: str
    items: tuple
    status: UnitStatus
    problems: tuple[str, ...]
    mails: tuple[MailView, ...]
    sent: tuple[OutgoingRecord, ...]


def unit_view(ctx: Context, unit: str, quarter: str) -> UnitView:
    campaign = ctx.config.campaign
    current = ctx.current_of(unit, quarter)
    status = next(s for s in unit_statuses(campaign, quarter, [current] if current else [])
                  if s.unit == unit)
    electronic_from = current.electronic_from if current else None
    stamped_from = current.stamped_from if current else None
    records = ctx.store.messages_of_unit(unit)
    documents = ctx.store.documents_of([r.id for r in records])
    wrong = review.wrong_copies(ctx, unit, quarter)
    mails = tuple(MailView(r, tuple(documents[r.id]), tuple(
        piece for piece, source in (("电子版", electronic_from), ("盖章版", stamped_from))
        if source and source == r.message_id and r.quarter == quarter),
        wrong.get(r.message_id, ()) if r.quarter == quarter and r.state == "done" else ())
        for r in records)
    problems = (missing_parts(campaign, status)
                if status.state is UnitState.INCOMPLETE else ())
    return UnitView(unit, campaign.items_of(unit), status, problems, mails,
                    tuple(ctx.store.outgoing_of_unit(unit)))


def pending(ctx: Context) -> tuple[list[MessageRecord], list[OutgoingRecord]]:
    """待处理: mails held or failed, and outgoing mail given up (what `mailbot review` lists)."""
    return ctx.store.messages(MailState.HELD, MailState.FAILED), ctx.store.failed_outgoing()
