"""Human-readable tables for the terminal (the JSON forms live beside the data)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from mailbot.core.models import Campaign, MailState, UnitStatus, quarter_label
from mailbot.app.review import Action
from mailbot.store import AuditEntry, MessageRecord, OutgoingRecord

STATE_NAMES = {"on_time": "on time", "late": "late", "incomplete": "incomplete",
               "missing": "missing"}


def status_table(campaign: Campaign, quarter: str, statuses: list[UnitStatus]) -> str:
    zone = ZoneInfo(campaign.timezone)
    due = campaign.quarter(quarter).due
    lines = [f"{quarter} ({quarter_label(quarter)}), due {due.isoformat()}", ""]
    width = max(_width(s.unit) for s in statuses) + 2
    lines.append(_pad("unit", width) + "state       docx  pdf   items      received")
    for status in statuses:
        received = (status.received_at.astimezone(zone).strftime("%Y-%m-%d %H:%M")
                    if status.received_at else "-")
        items = ",".join(str(seq) for seq in status.items) or "-"
        lines.append(f"{_pad(status.unit, width)}{STATE_NAMES[status.state]:<12}"
                     f"{_yes(status.electronic):<6}{_yes(status.stamped_pdf):<6}"
                     f"{items:<11}{received}")
    counts = {state: sum(s.state == state for s in statuses) for state in STATE_NAMES}
    lines.append("")
    lines.append(", ".join(f"{n} {STATE_NAMES[state]}" for state, n in counts.items()))
    return "\n".join(lines)


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def _width(text: str) -> int:
    """Terminal columns: CJK characters take two."""
    return sum(2 if ord(char) > 0x2E7F else 1 for char in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def review_table(messages: list[MessageRecord], zone: str) -> str:
    """Mails with the reason, for `mailbot review` (times local to `zone`)."""
    if not messages:
        return "nothing is held or failed"
    return _listing(["id    state       unit              quarter  received          "
                     "sender / subject / reason"], 63,
                    [(f"{m.id:<6}{m.state:<12}{_pad(m.unit or '-', 18)}{m.quarter or '-':<9}"
                      f"{m.received_at.astimezone(ZoneInfo(zone)):%Y-%m-%d %H:%M}  {m.sender}",
                      m.subject, f"{MailState(m.state).zh}: {m.reason}") for m in messages])


def unanswered_table(messages: list[MessageRecord], zone: str) -> str:
    """Counted mails the unit got no receipt for, for `mailbot review`."""
    if not messages:
        return ""
    return _listing(["已计入但未发回执的邮件（自动邮件、超出回复限额等），单位未收到任何答复：",
                     "id    unit              quarter  received          sender / subject / note"],
                    63, [(f"{m.id:<6}{_pad(m.unit or '-', 18)}{m.quarter or '-':<9}"
                          f"{m.received_at.astimezone(ZoneInfo(zone)):%Y-%m-%d %H:%M}  {m.sender}",
                          m.subject, m.reason) for m in messages]) + "\n"


def audit_table(entries: list[AuditEntry], zone: str) -> str:
    """The review actions, oldest first, for `mailbot review log`."""
    if not entries:
        return "no review action has been recorded"
    lines = ["when              mail  action        by          detail / reason"]
    for entry in entries:
        lines.append(f"{entry.at.astimezone(ZoneInfo(zone)):%Y-%m-%d %H:%M}  "
                     f"{entry.message if entry.message is not None else '-':<6}"
                     f"{entry.action:<14}{_pad(entry.who, 12)}{entry.detail}")
        lines.append(" " * 40 + f"{Action.of(entry.action).zh}"
                     + (f"：{entry.reason}" if entry.reason else ""))
    return "\n".join(lines)


def mailbox_line(read, zone: str) -> str:
    """When the mailbox was last read, so nobody trusts a stale table."""
    def local(moment: str | None) -> str:
        return (datetime.fromisoformat(moment).astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M")
                if moment else "never")
    line = f"mailbox last read: {local(read.read_at)}"
    if not read.ok:
        line += (f"; CANNOT BE READ since {local(read.failing_since)} ({read.error}); "
                 "reminders and summaries wait")
    return line


def outbox_line(counts: dict[str, int]) -> str | None:
    """One line for `status` when mail waits or was given up; None when all went out."""
    waiting, failed = counts.get("queued", 0), counts.get("failed", 0)
    if not waiting and not failed:
        return None
    line = f"outbox: {waiting} waiting to be sent"
    return line + (f", {failed} NOT SENT (given up; see `mailbot review`)" if failed else "")


def outbox_table(failed: list[OutgoingRecord]) -> str:
    """Outgoing mails given up, for `mailbot review` (resend one with `review resend ID`)."""
    if not failed:
        return "no outgoing mail has failed"
    return _listing(["outgoing mail not sent (resend with `mailbot review resend ID`):",
                     "id    kind       attempts  to / subject / last error"], 27,
                    [(f"{m.id:<6}{m.kind:<11}{m.attempts:<10}{', '.join(m.recipients)}",
                      m.subject, f"error: {m.last_error}") for m in failed])


def _listing(header: list[str], indent: int, entries: list[tuple[str, str, str]]) -> str:
    """Entries of three lines: the columns, then the subject and a note, indented."""
    lines = list(header)
    for columns, subject, note in entries:
        lines += [columns, " " * indent + subject, " " * indent + note]
    return "\n".join(lines)
