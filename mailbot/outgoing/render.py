"""Jinja2 templates -> OutgoingMail values (pure apart from reading templates).

Templates live in templates/ so staff can reword the mails without touching code.
"""

from __future__ import annotations

from importlib import resources
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import jinja2

from mailbot.core.models import (IMAGE_FORMATS, Assessment, Campaign, Extraction, Message,
                                 OutgoingMail, quarter_label)
from mailbot.chase.remind import Reminder, cn_date, report_name

WEEKDAYS = "一二三四五六日"
TEMPLATES = Path(str(resources.files("mailbot") / "templates"))


def template_env(templates_dir: Path | None = None) -> jinja2.Environment:
    """Autoescape only HTML templates; plain-text mail must stay literal."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir or TEMPLATES)),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html.j2",),
                                            default_for_string=False),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _local(campaign: Campaign, moment: datetime, fmt: str) -> str:
    local = moment.astimezone(ZoneInfo(campaign.timezone))
    return fmt.format(y=local.year, m=local.month, d=local.day, H=local.hour, M=local.minute)


def _common(campaign: Campaign, message: Message, received: datetime, now: datetime) -> dict:
    return {
        "federation": campaign.federation, "contact": campaign.contact,
        "phone": campaign.phone, "subject": message.subject or "（无主题）",
        "received": _local(campaign, received, "{y}年{m}月{d}日{H:02d}:{M:02d}"),
        "today": _local(campaign, now, "{y}年{m}月{d}日"),
    }


def render_receipt(env: jinja2.Environment, campaign: Campaign, message: Message,
                   assessment: Assessment, extractions: list[Extraction],
                   received: datetime, now: datetime) -> OutgoingMail:
    """The 回执 a unit gets within a minute: what was recognised and what to fix."""
    label = quarter_label(assessment.quarter)
    items = "、".join(f"第{item.seq}项“{item.title}”" for item in campaign.items
                     if item.seq in assessment.items) or "未识别到本单位负责事项的进展情况"
    text = env.get_template("receipt.txt.j2").render(
        unit=assessment.unit, quarter_label=label, items_text=items,
        documents=[describe_document(e) for e in extractions],
        problems=assessment.problems, notes=assessment.notes, **_common(campaign, message, received, now))
    verdict = "材料齐全" if assessment.complete else "请补充材料"
    return OutgoingMail(
        kind="receipt", to=campaign.unit(assessment.unit).emails,
        subject=f"回执：{assessment.unit}{label}进展情况已收到（{verdict}）",
        text=text, in_reply_to=message.message_id or None,
        references=(*message.references, message.message_id) if message.message_id else (),
        auto_submitted="auto-replied", dedup_key=f"receipt:{message.message_id}")


def render_held_notice(env: jinja2.Environment, campaign: Campaign, message: Message,
                       unit: str, reason: str, registered: bool, received: datetime,
                       now: datetime) -> OutgoingMail:
    """Told to the unit's registered address, never to an unregistered sender.

    `registered`: the unit itself wrote but the mail could not be recorded (no
    attachment, no quarter...), so it is told why and how to resend; otherwise
    someone wrote in its name from an address it never registered.
    """
    text = env.get_template("held_notice.txt.j2").render(
        unit=unit, sender=message.from_addr, reason=reason, registered=registered,
        **_common(campaign, message, received, now))
    subject = (f"提示：{unit}发来的邮件未能自动登记" if registered
               else f"提示：一封以{unit}名义发送的邮件待人工核对")
    return OutgoingMail(
        kind="held_notice", to=campaign.unit(unit).emails, subject=subject,
        text=text, in_reply_to=message.message_id if registered and message.message_id else None,
        auto_submitted="auto-replied" if registered else "auto-generated",
        dedup_key=f"held_notice:{message.message_id}")


def describe_document(extraction: Extraction) -> str:
    """One line per file in the receipt, in the unit's terms (电子版 / 盖章版)."""
    name = f"《{extraction.file}》"
    if extraction.error:
        return f"{name}：无法读取（{extraction.error}）"
    if extraction.format in ("pdf", *IMAGE_FORMATS):
        kind = "PDF " if extraction.format == "pdf" else "图片"
        read = "，已识别报表文字" if any(row.ocr for row in extraction.rows) else ""
        if extraction.seal:
            return f"{name}：{kind}盖章版，已识别到公章{read}"
        return f"{name}：{kind.strip()}，未识别到公章{read}"
    if extraction.has_form:
        seqs = "、".join(str(row.seq) for row in extraction.rows) or "无"
        return f"{name}：电子版报表，填报事项序号 {seqs}"
    return f"{name}：未找到进展情况报表"


def cn_date_weekday(day: date) -> str:
    """9月30日（星期三）."""
    return f"{cn_date(day)}（星期{WEEKDAYS[day.weekday()]}）"


def paragraphs(text: str) -> list[list[str]]:
    """Blank-line separated paragraphs, each a list of its lines, for an HTML layout.

    The wording lives in the .txt.j2 template only; the .html.j2 one lays it out.
    """
    blocks = [block.strip("\n") for block in text.split("\n\n")]
    return [block.split("\n") for block in blocks if block.strip()]


def render_reminder(env: jinja2.Environment, campaign: Campaign,
                    reminder: Reminder) -> OutgoingMail:
    """A 提醒 / 催报 / 补报提醒 mail; the stage and `missing` choose the wording."""
    text = env.get_template("reminder.txt.j2").render(
        campaign=campaign,
        reminder=reminder,
        report=report_name(campaign, reminder.quarter),
        due=cn_date_weekday(campaign.quarter(reminder.quarter).due),
        overdue=reminder.stage.startswith("overdue"),
        items=campaign.items_of(reminder.unit),
    )
    html = env.get_template("reminder.html.j2").render(
        subject=reminder.subject, paragraphs=paragraphs(text))
    return OutgoingMail(
        kind="reminder", to=reminder.to, cc=reminder.cc, subject=reminder.subject,
        text=text, html=html, auto_submitted="auto-generated", dedup_key=reminder.dedup_key)
