"""Jinja2 templates -> OutgoingMail values (pure apart from reading templates).

Templates live in templates/ so staff can reword the mails without touching code.
"""

from __future__ import annotations

from importlib import resources
from datetime import datetime
from pathlib import Path

import jinja2

from mailbot.chase.remind import Reminder, report_name
from mailbot.core.dates import full_date, full_date_time, local, month_day_weekday
from mailbot.core.models import (IMAGE_FORMATS, Assessment, Attachment, Campaign, Extraction,
                                 LinkedFile, Message, OutgoingMail, SubmissionRecord,
                                 quarter_label)
from mailbot.core.states import HeldReason, LinkKind
from mailbot.intake.assess import receipt_problems

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


def _common(campaign: Campaign, message: Message, received: datetime, now: datetime) -> dict:
    return {
        "federation": campaign.federation, "contact": campaign.contact,
        "phone": campaign.phone, "subject": message.subject,  # limits.quoted: "" when unverified
        "received": full_date_time(local(received, campaign.timezone)),
        "today": full_date(local(now, campaign.timezone).date()),
    }


def render_receipt(env: jinja2.Environment, campaign: Campaign, message: Message,
                   assessment: Assessment, current: SubmissionRecord,
                   extractions: list[Extraction], received: datetime,
                   now: datetime, stored: int) -> OutgoingMail:
    """The 回执 a unit gets within a minute: what this mail brought, what the unit's
    quarter now holds (its pieces may come from earlier mails), and what to fix.
    One per stored mail (`stored`, its id in the store): a Message-ID may be absent
    or reused by another mail."""
    label = quarter_label(assessment.quarter)
    items = "、".join(f"第{item.seq}项“{item.title}”" for item in campaign.items
                     if item.seq in current.items) or "未识别到本单位负责事项的进展情况"
    problems = receipt_problems(campaign, assessment, current)
    text = env.get_template("receipt.txt.j2").render(
        unit=assessment.unit, quarter_label=label, items_text=items,
        documents=[describe_document(e) for e in extractions],
        pieces=[_piece(name, source, message.message_id) for name, source in
                (("电子版报表", current.electronic_from), ("盖章 PDF 版", current.stamped_from))],
        problems=problems, notes=assessment.notes,
        **linked_names(message), **_common(campaign, message, received, now))
    verdict = "请补充材料" if problems else "材料齐全"
    return OutgoingMail(
        kind="receipt", to=campaign.unit(assessment.unit).emails,
        subject=f"回执：{assessment.unit}{label}进展情况已收到（{verdict}）",
        text=text, in_reply_to=message.message_id or None,
        references=(*message.references, message.message_id) if message.message_id else (),
        auto_submitted="auto-replied", dedup_key=f"receipt:{stored}")


def linked_names(message: Message) -> dict[str, str | None]:
    """The files a mail sent as links, as its sender is told, downloads (`linked`) apart
    from online documents (`online`), None where there are none of a kind."""
    return {"linked": _named([f for f in message.linked if f.kind is LinkKind.DOWNLOAD], "文件"),
            "online": _named([f for f in message.linked if f.kind is LinkKind.ONLINE], "文档")}


def _named(files: list[LinkedFile], noun: str) -> str | None:
    """《name》 each where the mail names them all (quoted: verified and scrubbed), else
    how many."""
    if not files:
        return None
    names = [f"《{file.name}》" for file in files if file.name]
    if names and len(names) == len(files):
        return noun + "、".join(names)
    if names:
        return f"{noun}{'、'.join(names)}等 {len(files)} 个{noun}"
    return noun if len(files) == 1 else f"{len(files)} 个{noun}"


def _piece(name: str, source: str | None, this_mail: str) -> str:
    if source is None:
        return f"{name}：尚未收到"
    return f"{name}：已收到（{'本次来件' if source == this_mail else '此前来件'}）"


def render_held_notice(env: jinja2.Environment, campaign: Campaign, message: Message,
                       unit: str, reason: str, registered: bool, received: datetime,
                       now: datetime, stored: int, why: HeldReason | None = None) -> OutgoingMail:
    """Told to the unit's registered address, never to an unregistered sender.

    `registered`: the unit itself wrote but the mail could not be recorded (no
    attachment, no quarter...), so it is told why and how to resend; otherwise
    someone wrote in its name from an address it never registered. `why` picks the
    advice: files that came only as links are named, with how to send them; the blank
    form, how to fill it in.
    """
    text = env.get_template("held_notice.txt.j2").render(
        unit=unit, sender=message.from_addr, reason=reason, registered=registered,
        empty_form=why is HeldReason.EMPTY_FORM,
        **(linked_names(message) if why is HeldReason.LINKED_ONLY
           else {"linked": None, "online": None}),
        **_common(campaign, message, received, now))
    subject = (f"提示：{unit}发来的邮件未能自动登记" if registered
               else f"提示：一封以{unit}名义发送的邮件待人工核对")
    return OutgoingMail(
        kind="held_notice", to=campaign.unit(unit).emails, subject=subject,
        text=text, in_reply_to=message.message_id if registered and message.message_id else None,
        auto_submitted="auto-replied" if registered else "auto-generated",
        dedup_key=f"held_notice:{stored}")


def render_mailbox_alert(env: jinja2.Environment, campaign: Campaign, facts: dict,
                        now: datetime) -> OutgoingMail:
    """The federation is told once when the mailbox cannot be read, once when it can again."""
    since = facts["since"]
    text = env.get_template("mailbox_alert.txt.j2").render(
        federation=campaign.federation, down=facts["down"], trouble=facts["trouble"],
        fix=facts["fix"], mailbox=facts["mailbox"],
        since=full_date_time(local(since, campaign.timezone)) if since else "",
        today=full_date(local(now, campaign.timezone).date()))
    subject = ("【请处理】报表收集助手无法读取报送邮箱，提醒和汇总已暂停" if facts["down"]
               else "报表收集助手已恢复读取报送邮箱")
    state = "down" if facts["down"] else "up"
    return OutgoingMail(kind="alert", to=campaign.federation_emails, subject=subject, text=text,
                        auto_submitted="auto-generated",
                        dedup_key=f"alert:mailbox-{state}:{facts['episode']}")


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


def paragraphs(text: str) -> list[list[str]]:
    """Blank-line separated paragraphs, each a list of its lines, for an HTML layout.

    The wording lives in the .txt.j2 template only; the .html.j2 one lays it out.
    """
    blocks = [block.strip("\n") for block in text.split("\n\n")]
    return [block.split("\n") for block in blocks if block.strip()]


def render_reminder(env: jinja2.Environment, campaign: Campaign,
                    reminder: Reminder) -> OutgoingMail:
    """A 提醒 / 催报 / 补报提醒 mail; the stage and `missing` choose the wording.
    The unit's form is made with python-docx, imported here: a receipt never needs it."""
    from mailbot.report.unit_form import form_filename

    text = env.get_template("reminder.txt.j2").render(
        campaign=campaign,
        reminder=reminder,
        report=report_name(campaign, reminder.quarter),
        due=month_day_weekday(campaign.quarter(reminder.quarter).due),
        overdue=bool(reminder.overdue),
        items=campaign.items_of(reminder.unit),
        filled="、".join(column.name for column in campaign.filled_columns),
        form=form_filename(campaign, reminder.unit, reminder.quarter)
        if reminder.with_form else None,
    )
    html = env.get_template("reminder.html.j2").render(
        subject=reminder.subject, paragraphs=paragraphs(text))
    return OutgoingMail(
        kind="reminder", to=reminder.to, cc=reminder.cc, subject=reminder.subject,
        text=text, html=html, auto_submitted="auto-generated", dedup_key=reminder.dedup_key,
        attachments=(_form(campaign, reminder),) if reminder.with_form else ())


def _form(campaign: Campaign, reminder: Reminder) -> Attachment:
    """The unit's own form for the quarter, as it goes with a reminder."""
    from mailbot.report.unit_form import DOCX_TYPE, form_filename, unit_form

    quarter = campaign.quarter(reminder.quarter)
    return Attachment(form_filename(campaign, reminder.unit, quarter.name), DOCX_TYPE,
                      unit_form(campaign, reminder.unit, quarter.name, quarter.due))
