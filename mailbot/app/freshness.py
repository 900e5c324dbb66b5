"""Decide from a current view: read the mailbox before any reminder or summary.

A reminder or a summary decided while report mail waits unread contradicts the
receipt the unit gets a second later. So every tick first reads the mailbox up to
that moment; while the mailbox cannot be read, reminders and summaries wait and
the federation gets one plain alert (and one when reading works again). The
health of the mailbox is kept in the store, so `status` can say when it was last
read and a restart does not send the alert twice.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, replace
from datetime import date, datetime
from enum import Enum

from mailbot.app.pipeline import Context, Outcome, Tell, log_outcome, poll
from mailbot.mailbox import LoginFailed, MailboxError

log = logging.getLogger(__name__)
HEALTH_STATE = "mailbox_health"


class Trouble(Enum):
    """Why the mailbox cannot be read, with the words and the fix the alert gives."""

    LOGIN = ("login", "邮箱登录被拒绝（密码或授权码不正确，常见原因是邮箱的授权码已更改或过期）",
             "请在邮箱网页版重新生成授权码，写入服务的环境变量 {env}，重启服务"
             "（systemctl restart mailbot），再执行 mailbot check 确认能够登录。")
    CONNECT = ("connect", "无法连接或读取邮件服务器（网络中断、服务器维护或证书问题）",
               "请检查网络和邮件服务器地址，执行 mailbot check 查看具体原因。")

    def __init__(self, code: str, zh: str, fix: str):
        self.code, self.zh, self.fix = code, zh, fix


@dataclass(frozen=True)
class Health:
    """The mailbox as last tried: when it was last read, and since when it fails."""

    ok: bool = True
    read_at: str | None = None  # ISO time of the last complete read
    failing_since: str | None = None
    trouble: str | None = None  # a Trouble code while failing
    error: str = ""  # the English detail, for the log and the operator
    episode: int = 0  # numbers the outages, so each alert is queued once


def health(ctx: Context) -> Health:
    stored = ctx.store.get_state(HEALTH_STATE)
    return Health(**stored) if stored else Health()


def after_read(previous: Health, now: datetime) -> Health:
    return replace(previous, ok=True, read_at=now.isoformat(timespec="seconds"),
                   failing_since=None, trouble=None, error="")


def after_failure(previous: Health, error: MailboxError, now: datetime) -> Health:
    trouble = Trouble.LOGIN if isinstance(error, LoginFailed) else Trouble.CONNECT
    if not previous.ok:
        return replace(previous, trouble=trouble.code, error=str(error))
    return replace(previous, ok=False, failing_since=now.isoformat(timespec="seconds"),
                   trouble=trouble.code, error=str(error), episode=previous.episode + 1)


def read_mailbox(ctx: Context, source, tell: Tell = log_outcome,
                 since: date | None = None) -> list[Outcome] | None:
    """Ingest everything waiting; record the mailbox's health; alert on a change.

    Returns None when the mailbox could not be read: the caller must not decide
    anything that depends on what units have sent."""
    before = health(ctx)
    try:
        outcomes = poll(ctx, source, tell, since)
    except MailboxError as error:
        _record(ctx, before, after_failure(before, error, ctx.clock()))
        return None
    _record(ctx, before, after_read(before, ctx.clock()))
    return outcomes


def _record(ctx: Context, before: Health, after: Health) -> None:
    """Store the new health; queue the alert when the mailbox stops or starts working.

    Not waiting for the disk (durable=False): a power cut loses this health and its
    alert together, and the next read finds the old health and makes the same change,
    queues the same alert; the alert's sending commits durably, and so makes them
    durable. So the one write of a poll that finds nothing has no sync of its own
    (docs/design.md, Durability)."""
    with ctx.store.transaction(durable=False) as tx:
        tx.put_state(HEALTH_STATE, asdict(after))
        if before.ok != after.ok:  # rare: the outbox and templates are loaded only now
            from mailbot.outgoing import outbox
            from mailbot.outgoing.render import render_mailbox_alert

            mail = render_mailbox_alert(ctx.env, ctx.config.campaign, _facts(ctx, after),
                                        ctx.clock())
            outbox.queue(tx, ctx.config.campaign, ctx.sender, mail, ctx.clock())
    if not after.ok:
        log.warning("mailbox cannot be read (%s); reminders and summaries wait", after.error)
    elif not before.ok:
        log.info("mailbox can be read again; reminders and summaries resume")


def trouble_of(after: Health) -> Trouble | None:
    return next((t for t in Trouble if t.code == after.trouble), None)


def unreadable(ctx: Context) -> str:
    """Why the mailbox could not be read and what to do, as the command line says it."""
    after = health(ctx)
    trouble = trouble_of(after)
    fix = trouble.fix.format(env=ctx.config.mailbox.password_env) if trouble else ""
    return f"邮箱暂时无法读取：{(after.error or '').rstrip('。')}。{fix}"


def _facts(ctx: Context, after: Health) -> dict:
    trouble = trouble_of(after)
    return {"down": not after.ok, "episode": after.episode,
            "since": datetime.fromisoformat(after.failing_since) if after.failing_since else None,
            "trouble": trouble.zh if trouble else "",
            "fix": trouble.fix.format(env=ctx.config.mailbox.password_env) if trouble else "",
            "mailbox": ctx.config.mailbox.url.split("@")[-1]}
