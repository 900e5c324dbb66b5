"""Realistic sample reports for the demo (and tests): filled forms, stamped scans, mails.

A unit's form is the whole official table with only its own rows filled, the
way most units send it; the stamped version is a scanned page with a red seal.
"""

from __future__ import annotations

import base64
import io
import math
from datetime import datetime
from email import encoders
from email.header import Header
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime, formataddr, make_msgid

import docx
from docx.shared import Pt
from PIL import Image, ImageDraw

from mailbot.core.models import Campaign, quarter_label

HEADER = ("序号", "实事名称", "责任单位", "具体措施及任务进度情况", "完成时限")


def progress_text(unit: str, seq: int, quarter: str) -> str:
    """Plausible progress wording, different for every unit, item and quarter."""
    number = 3 + (seq * 7 + len(unit) * 5 + int(quarter[-1]) * 11) % 40
    return (f"{quarter_label(quarter)}，{unit}围绕第{seq}项实事制定工作方案，"
            f"累计开展相关活动{number}场次，服务妇女儿童{number * 37}人次。\n"
            f"下一步将持续推进，确保按期完成年度任务。")


def form_docx(campaign: Campaign, unit: str, quarter: str,
              texts: dict[int, str] | None = None) -> bytes:
    """The official form with the unit's rows filled (texts by item seq)."""
    texts = texts if texts is not None else {
        item.seq: progress_text(unit, item.seq, quarter) for item in campaign.items_of(unit)}
    document = docx.Document()
    heading = document.add_paragraph()
    heading.add_run(campaign.title).font.size = Pt(18)
    document.add_paragraph(f"填报单位：{unit}（{quarter_label(quarter)}）")
    table = document.add_table(rows=1, cols=len(HEADER))
    table.style = "Table Grid"
    for cell, name in zip(table.rows[0].cells, HEADER):
        cell.text = name
    for item in campaign.items:
        cells = table.add_row().cells
        cells[0].text = str(item.seq)
        cells[1].text = item.title
        cells[2].text = "\n".join(item.units)
        if item.seq in texts:
            cells[3].text = texts[item.seq]
            cells[4].text = item.deadline
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def scanned_pdf(stamped: bool = True) -> bytes:
    """A scanned A4 page (grey text lines), with a red round seal when stamped."""
    page = Image.new("RGB", (1240, 1754), "white")
    draw = ImageDraw.Draw(page)
    draw.line((120, 150, 1120, 150), fill=(200, 30, 30), width=4)  # red header rule: no seal
    for line in range(28):
        y = 220 + line * 48
        draw.rectangle((140, y, 140 + 880 - (line * 37) % 300, y + 18), fill=(60, 60, 60))
    if stamped:
        _draw_seal(draw, centre=(900, 1450), radius=160)
    buffer = io.BytesIO()
    page.save(buffer, format="PDF", resolution=150)
    return buffer.getvalue()


def _draw_seal(draw: ImageDraw.ImageDraw, centre: tuple[int, int], radius: int) -> None:
    red = (220, 30, 40)
    x, y = centre
    draw.ellipse((x - radius, y - radius, x + radius, y + radius), outline=red, width=12)
    star = [(x + 55 * math.cos(math.pi / 2 + k * math.pi * 4 / 5),
             y - 55 * math.sin(math.pi / 2 + k * math.pi * 4 / 5)) for k in range(5)]
    draw.polygon(star, fill=red)
    for k in range(14):  # the unit's name around the rim, as blocks
        angle = math.pi * (0.15 + 0.7 * k / 13)
        cx, cy = x - (radius - 45) * math.cos(angle), y - (radius - 45) * math.sin(angle)
        draw.rectangle((cx - 12, cy - 12, cx + 12, cy + 12), fill=red)


def report_mail(sender: str, to: str, subject: str, sent: datetime,
                files: list[tuple[str, bytes]], body: str = "", charset: str = "utf-8",
                message_id: str | None = None) -> bytes:
    """A unit's mail with its attachments.

    charset "gbk" writes it the way older Chinese clients do: a gb2312-labelled
    body and RFC 2047 words in the subject and inside the quoted filename.
    """
    mail = MIMEMultipart()
    mail["From"] = formataddr(("", sender))
    mail["To"] = to
    mail["Subject"] = _header(subject, charset)
    mail["Date"] = format_datetime(sent)
    mail["Message-ID"] = message_id or make_msgid(domain=sender.rsplit("@", 1)[1])
    text = body or "您好！附件为我单位本季度工作进展情况，请查收。"
    mail.attach(_gbk_text(text) if charset == "gbk" else MIMEText(text, "plain", "utf-8"))
    for filename, data in files:
        part = MIMEBase(*_content_type(filename))
        part.set_payload(data)
        encoders.encode_base64(part)
        part["Content-Disposition"] = f'attachment; filename="{_header(filename, charset)}"'
        mail.attach(part)
    return mail.as_bytes()


def _header(text: str, charset: str) -> str:
    if charset != "gbk":
        return Header(text, "utf-8").encode()
    return f"=?GB2312?B?{base64.b64encode(text.encode('gb18030')).decode('ascii')}?="


def _gbk_text(text: str) -> MIMEBase:
    """A body labelled gb2312 that holds GBK-only characters, as real clients send."""
    part = MIMEBase("text", "plain", charset="gb2312")
    part.set_payload(text.encode("gb18030"))
    encoders.encode_base64(part)
    return part


def _content_type(filename: str) -> tuple[str, str]:
    if filename.endswith(".docx"):
        return "application", "vnd.openxmlformats-officedocument.wordprocessingml.document"
    if filename.endswith(".pdf"):
        return "application", "pdf"
    return "application", "octet-stream"


def auto_reply(sender: str, to: str, sent: datetime) -> bytes:
    """An out-of-office answer: automatic mail that must never be answered or counted."""
    mail = MIMEText("您好，本人休假中，邮件已收到，返岗后回复。", "plain", "utf-8")
    mail["From"] = sender
    mail["To"] = to
    mail["Subject"] = _header("自动回复：休假中", "utf-8")
    mail["Date"] = format_datetime(sent)
    mail["Message-ID"] = make_msgid(domain=sender.rsplit("@", 1)[1])
    mail["Auto-Submitted"] = "auto-replied"
    return mail.as_bytes()
