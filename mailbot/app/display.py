"""Human-readable tables for the terminal (the JSON forms live beside the data)."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from mailbot.core.dates import local, stamp
from mailbot.core.models import Campaign, HeldReason, MailState, UnitState, quarter_label

if TYPE_CHECKING:  # built at their first use: not for `poll`
    from mailbot.app.pipeline import Outcome, Tell
    from mailbot.core.models import UnitStatus
    from mailbot.store import AuditEntry, MessageRecord, OutgoingRecord


SETTLED_WITHOUT_ANSWER = {  # the words for outcomes whose state says it all
    MailState.BEFORE_SINCE: "已记录，不作答复",
    MailState.NOT_REPORT: "未带来本单位事项的内容或报表 PDF，已记录，不作答复",
    MailState.DUPLICATE: "此前已收到，未再处理"}


def outcome_line(outcome: Outcome) -> str:
    """What became of a mail, as the command line says it: 已计入 区人社局2026年第三季度：材料齐全."""
    who = f" {outcome.unit or ''}{quarter_label(outcome.quarter) if outcome.quarter else ''}"
    if outcome.why is not None:
        detail = outcome.why.zh
    elif outcome.state in SETTLED_WITHOUT_ANSWER:
        detail = SETTLED_WITHOUT_ANSWER[outcome.state]
    else:  # a failure's error, or the reason a person gave for setting it aside
        detail = outcome.reason
    head = f"{outcome.state.zh}{who}".rstrip()
    return f"{head}：{detail}" if detail else head


def telling(echo: Callable[[str], None]) -> Tell:
    """The command line's way of telling what became of each mail: a Chinese line."""
    return lambda where, outcome: echo(f"{where}：{outcome_line(outcome)}")


ECHO_EVERY = 0.2  # seconds: a burst's lines wait this long at most before they are written


class Batched:
    """Lines in one at a time, out together: a line that comes ECHO_EVERY or more after the
    last write goes out at once with those before it; a burst's go out a batch at a time.
    click.echo flushes on every call, one write(2) a mail: a first poll of 5,000 mails took
    3.06 s so and 3.01 s in batches. Whoever makes one calls flush() at the end."""

    def __init__(self, echo: Callable[[str], None], every: float = ECHO_EVERY,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.echo, self.every, self.clock = echo, every, clock
        self.lines: list[str] = []
        self.written = float("-inf")

    def __call__(self, line: str) -> None:
        self.lines.append(line)
        if self.clock() - self.written >= self.every:
            self.flush()

    def flush(self) -> None:
        if self.lines:
            self.echo("\n".join(self.lines))
            self.lines.clear()
        self.written = self.clock()


def status_table(campaign: Campaign, quarter: str, statuses: list[UnitStatus]) -> str:
    """The `status` table staff read: one unit a line, then the count of each state."""
    due = campaign.quarter(quarter).due
    lines = [f"{quarter}（{quarter_label(quarter)}），截止日期 {due.isoformat()}", ""]
    width = max(_width(s.unit) for s in statuses) + 2
    lines.append(_pad("单位", width) + "状态      电子版  盖章版  事项       收到时间")
    for status in statuses:
        received = (stamp(local(status.received_at, campaign.timezone))
                    if status.received_at else "-")
        items = ",".join(str(seq) for seq in status.items) or "-"
        lines.append(f"{_pad(status.unit, width)}{_pad(status.state.zh, 10)}"
                     f"{_pad(_yes(status.electronic), 8)}{_pad(_yes(status.stamped_pdf), 8)}"
                     f"{items:<11}{received}")
    lines.append("")
    lines.append("，".join(f"{state.zh}{sum(s.state is state for s in statuses)}个"
                          for state in UnitState))
    return "\n".join(lines)


def _yes(flag: bool) -> str:
    return "有" if flag else "无"


def _width(text: str) -> int:
    """Terminal columns: CJK characters take two."""
    return sum(2 if ord(char) > 0x2E7F else 1 for char in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def review_table(messages: list[MessageRecord], zone: str) -> str:
    """Mails with the reason, for `mailbot review` (times local to `zone`)."""
    if not messages:
        return "没有待审核或处理失败的邮件"
    header = (_pad("编号", 6) + _pad("状态", 18) + _pad("单位", 18) + _pad("季度", 9)
              + _pad("收到时间", 18) + "发件人 / 主题 / 原因")
    return _listing([header], 69,
                    [(f"{m.id:<6}{_pad(MailState(m.state).zh, 18)}{_pad(m.unit or '-', 18)}"
                      f"{m.quarter or '-':<9}{stamp(local(m.received_at, zone))}  {m.sender}",
                      m.subject, _why(m)) for m in messages])


def _why(mail: MessageRecord) -> str:
    """A held or failed mail's reason in Chinese (its notes after it, as stored); for
    other mails what the store noted."""
    if mail.state not in (MailState.HELD, MailState.FAILED):
        return f"说明：{mail.reason}" if mail.reason else ""
    reason, notes = HeldReason.parse(mail.reason)
    return f"原因：{HeldReason.zh_of(mail.reason)}" + (f"（{notes}）" if reason and notes else "")


def unanswered_table(messages: list[MessageRecord], zone: str) -> str:
    """Counted mails the unit got no receipt for, for `mailbot review`."""
    if not messages:
        return ""
    header = (_pad("编号", 6) + _pad("单位", 18) + _pad("季度", 9) + _pad("收到时间", 18)
              + "发件人 / 主题 / 说明")
    return _listing(["已计入但未发回执的邮件（自动邮件、超出回复限额等），单位未收到任何答复：",
                     header], 51,
                    [(f"{m.id:<6}{_pad(m.unit or '-', 18)}{m.quarter or '-':<9}"
                      f"{stamp(local(m.received_at, zone))}  {m.sender}",
                      m.subject, m.reason) for m in messages]) + "\n"


def audit_table(entries: list[AuditEntry], zone: str) -> str:
    """The review actions, oldest first, for `mailbot review log`; the action column
    holds the command's word (accept, reject...), the line below says it in Chinese."""
    from mailbot.app.review import Action  # review loads the stages: not for `poll`

    if not entries:
        return "尚无审核操作记录"
    lines = [_pad("时间", 18) + _pad("邮件", 6) + _pad("操作", 14) + _pad("操作人", 12)
             + "详情 / 原因"]
    for entry in entries:
        lines.append(f"{stamp(local(entry.at, zone))}  "
                     f"{entry.message if entry.message is not None else '-':<6}"
                     f"{entry.action:<14}{_pad(entry.who, 12)}{entry.detail}")
        lines.append(" " * 38 + f"{Action.of(entry.action).zh}"
                     + (f"：{entry.reason}" if entry.reason else ""))
    return "\n".join(lines)


def mailbox_line(read, zone: str) -> str:
    """When the mailbox was last read, so nobody trusts a stale table."""
    def shown(moment: str | None) -> str:
        return stamp(local(datetime.fromisoformat(moment), zone)) if moment else "从未读取"
    line = f"邮箱最近一次读取：{shown(read.read_at)}"
    if not read.ok:
        line += (f"；自 {shown(read.failing_since)} 起无法读取（{read.error}），"
                 "提醒和汇总暂停发送")
    return line


def outbox_line(counts: dict[str, int]) -> str | None:
    """One line for `status` when mail waits or was given up; None when all went out."""
    waiting, failed = counts.get("queued", 0), counts.get("failed", 0)
    if not waiting and not failed:
        return None
    line = f"发件队列：{waiting} 封待发送"
    return line + (f"，{failed} 封未能发出（已放弃重试，见 mailbot review）" if failed else "")


def sent_line(sent: int, failed: int) -> str:
    """What a command's run of the outbox did."""
    return f"发件队列：本次发出 {sent} 封，未能发出 {failed} 封"


def outbox_table(failed: list[OutgoingRecord]) -> str:
    """Outgoing mails given up, for `mailbot review` (resend one with `review resend ID`)."""
    if not failed:
        return "没有未能发出的邮件"
    return _listing(["未能发出的邮件（重新发送：mailbot review resend 编号）：",
                     _pad("编号", 6) + _pad("类型", 11) + _pad("尝试次数", 10)
                     + "收件人 / 主题 / 最后一次错误"], 27,
                    [(f"{m.id:<6}{m.kind:<11}{m.attempts:<10}{', '.join(m.recipients)}",
                      m.subject, f"错误：{m.last_error}") for m in failed])


def _listing(header: list[str], indent: int, entries: list[tuple[str, str, str]]) -> str:
    """Entries of three lines: the columns, then the subject and a note, indented."""
    lines = list(header)
    for columns, subject, note in entries:
        lines += [columns, " " * indent + subject, " " * indent + note]
    return "\n".join(lines)
