"""`mailbot demo`: the whole cycle on a local Maildir, with realistic sample mail.

The scene is 2026Q3 just after its due date: most units reported on time, one
corrected its report late, some sent an incomplete set, one wrote from an
unregistered address, two never wrote, and automatic mail is mixed in.
"""

from __future__ import annotations

import email
import email.utils
import mailbox
import os
import shutil
import sys
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from mailbot import config as config_module
from mailbot.config import PACKAGED_CONFIG
from mailbot.app import samples
from mailbot.core.clock import Clock, parse_moment
from mailbot.core.dates import local
from mailbot.core.models import Campaign, MailState, quarter_label

MARKER = ".mailbot-demo"
QUARTER = "2026Q3"
DEFAULT_NOW = "2026-10-12T10:00:00"
ON_TIME = ("区人社局", "区卫健局", "区法院", "区检察院", "区公安分局", "区司法局", "区文明办",
           "区民政局", "区医保分局", "区交通运输局")


def run_demo(folder: Path, now_text: str | None, echo: Callable[[str], None]) -> None:
    from mailbot.app import pipeline
    from mailbot.app.display import status_table, telling
    from mailbot.app.freshness import read_mailbox
    from mailbot.app.notices import compile_report, queue_reminders, queue_summary, reminders_due
    from mailbot.chase.status import unit_statuses

    config_path = prepare_folder(folder)
    config = config_module.load(config_path)
    campaign = config.campaign
    clock = Clock(parse_moment(now_text or DEFAULT_NOW, campaign.timezone))
    count = write_sample_mail(Path(config.mailbox.local_path), campaign)
    echo(f"演示目录 {folder.resolve()}：邮箱中已放入 {quarter_label(QUARTER)}示例邮件 {count} 封")
    ctx = pipeline.Context.open(config, clock)
    read_mailbox(ctx, ctx.source, tell=telling(echo))  # as every job reads it: its health recorded
    reminders = queue_reminders(ctx, reminders_due(ctx, QUARTER))
    queue_summary(ctx, QUARTER, dedup_key=f"summary:{QUARTER}:demo")
    sent, _ = pipeline.flush_outbox(ctx, ctx.transport)  # the demo's [smtp] is a folder
    report = compile_report(ctx, QUARTER, folder, "docx")
    statuses = unit_statuses(campaign, QUARTER, ctx.current(QUARTER))
    echo("")
    echo(status_table(campaign, QUARTER, statuses))
    echo("")
    me = command_name()
    held = ctx.store.messages(MailState.HELD)
    echo(f"待人工审核：{len(held)} 封（查看：{me} --config {config_path} review）"
         if held else "待人工审核：无")
    echo(f"发出邮件：{sent} 封，已写入 {config.smtp.local_path}（回执、"
         f"{clock():%Y-%m-%d %H:%M} 到期的催报 {reminders} 封、妇联汇总）")
    echo(f"汇总表：{report}")
    echo(f"数据库：{config.store_path}")
    echo(f"可再试：{me} --config {config_path} --now {clock().isoformat()} status")


def command_name() -> str:
    """How the user called us, so the hints can be pasted as they are."""
    called = Path(sys.argv[0])
    if called.name == "mailbot":
        if shutil.which("mailbot") == str(called):
            return "mailbot"
        near = os.path.relpath(called)
        return str(called.resolve()) if near.startswith("..") else near
    return f"{Path(sys.executable).name} -m mailbot"


def prepare_folder(folder: Path) -> Path:
    """A fresh demo folder each run; refuse to wipe a folder the demo did not make."""
    if folder.exists() and any(folder.iterdir()) and not (folder / MARKER).exists():
        raise SystemExit(f"{folder} 已存在，且不是演示程序建立的目录，未作改动；"
                         "请用 --dir 另选一个目录")
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    (folder / MARKER).write_text("made by `mailbot demo`; deleted by the next run\n")
    target = folder / "config.toml"
    shutil.copyfile(PACKAGED_CONFIG, target)
    target.chmod(0o600)  # as `init` makes it: the operator's alone (check warns otherwise)
    return target


def write_sample_mail(maildir: Path, campaign: Campaign) -> int:
    maildir.parent.mkdir(parents=True, exist_ok=True)
    box = mailbox.Maildir(maildir, create=True)
    mails = list(_scene(campaign))
    for raw in mails:
        key = box.add(mailbox.MaildirMessage(raw))
        sent = email.utils.parsedate_to_datetime(email.message_from_bytes(raw)["Date"])
        arrived = sent.timestamp() + 40  # delivered shortly after sending
        os.utime(Path(maildir) / "new" / key, (arrived, arrived))
    return len(mails)


def _scene(campaign: Campaign):
    inbox = campaign.federation_emails[0]
    label = quarter_label(QUARTER)

    def at(day: str, hour: int = 10) -> datetime:
        return local(datetime.fromisoformat(f"{day}T{hour:02d}:15:00"), campaign.timezone)

    def mail(unit: str, when: datetime, files: list[str], *, sender: str | None = None,
             texts: dict[int, str] | None = None, charset: str = "utf-8") -> bytes:
        made = {"docx": (f"{unit}{label}进展情况.docx",
                         samples.form_docx(campaign, unit, QUARTER, texts)),
                "pdf": (f"{unit}{label}进展情况（盖章）.pdf", samples.scanned_pdf()),
                "unstamped": (f"{unit}{label}进展情况.pdf", samples.scanned_pdf(stamped=False))}
        return samples.report_mail(sender or campaign.unit(unit).emails[0], inbox,
                                   f"{unit}{label}妇女儿童实事进展情况报送", when,
                                   [made[kind] for kind in files], charset=charset)

    for number, unit in enumerate(ON_TIME):
        sent = at("2026-09-21", 9 + 2 * (number % 4)) + timedelta(days=number // 4 * 2)
        yield mail(unit, sent, ["docx", "pdf"])
    yield mail("区教体局", at("2026-09-29", 16), ["docx", "pdf"], charset="gbk")
    yield mail("区融媒体中心", at("2026-09-30", 9), ["docx"])
    yield mail("区残联", at("2026-09-30", 11), ["docx", "unstamped"])
    first = {1: samples.progress_text("区妇联", 1, QUARTER),
             2: samples.progress_text("区妇联", 2, QUARTER)}
    yield mail("区妇联", at("2026-09-28"), ["docx", "pdf"], texts=first)
    yield mail("区妇联", at("2026-10-09", 15), ["docx", "pdf"])  # the correction wins
    yield mail("区总工会", at("2026-10-10", 9), ["docx", "pdf"])
    yield mail("团区委", at("2026-09-30", 17), ["docx", "pdf"], sender="tuanquwei2026@163.com")
    yield samples.auto_reply(campaign.unit("区人才发展中心").emails[0], inbox,
                             at("2026-09-25"))
