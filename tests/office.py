"""Ordinary office files and mails, the kind a federation's mailbox is full of.

A year of it fills the mailbox a first start meets: newsletters, replies,
colleagues' photos, meeting notices, last year's reports. None of it may be
answered or counted; the generator is seeded, so a failing run can be repeated.
"""

from __future__ import annotations

import io
import random
from datetime import datetime, timedelta
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email import encoders
from email.header import Header
from email.utils import format_datetime, formataddr, make_msgid

import docx
from PIL import Image

from mailbot.core.models import Campaign

STRANGERS = ("office@zbfulian.example.cn", "news@weixin-digest.example.com",
             "zhangli@163.example.com", "wangfang@qq.example.com", "hr@zbedu.example.cn")
TOPICS = ("关于开展“三八”妇女节系列活动的通知", "关于召开妇联执委会议的通知", "家庭教育讲座安排",
          "巾帼志愿服务活动照片", "关于报送2025年度工作总结的通知", "妇女儿童发展规划中期评估",
          "周末亲子阅读活动", "关于做好春节期间走访慰问工作的通知", "最美家庭推荐名单")


def plain_docx(text: str) -> bytes:
    """A Word file with paragraphs and no progress table (an agenda, a notice)."""
    document = docx.Document()
    for line in text.split("\n"):
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def photo_jpeg(seed: int) -> bytes:
    """A small real JPEG, the way a phone's photo arrives (only much smaller)."""
    image = Image.new("RGB", (64, 48), ((seed * 37) % 256, (seed * 91) % 256, 120))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG")
    return buffer.getvalue()


def office_mail(sender: str, to: str, subject: str, when: datetime, body: str,
                files: tuple[tuple[str, str, bytes], ...] = (), headers: dict | None = None,
                reply_to: str | None = None) -> bytes:
    mail = MIMEMultipart()
    mail["From"] = formataddr(("", sender))
    mail["To"] = to
    mail["Subject"] = Header(subject, "utf-8").encode()
    mail["Date"] = format_datetime(when)
    mail["Message-ID"] = make_msgid(domain=sender.rsplit("@", 1)[1])
    if reply_to:
        mail["In-Reply-To"] = reply_to
        mail["References"] = reply_to
    for name, value in (headers or {}).items():
        mail[name] = value
    mail.attach(MIMEText(body, "plain", "utf-8"))
    for filename, content_type, data in files:
        part = MIMEBase(*content_type.split("/"))
        part.set_payload(data)
        encoders.encode_base64(part)
        part.add_header("Content-Disposition", "attachment", filename=("utf-8", "", filename))
        mail.attach(part)
    return mail.as_bytes()


def year_of_office_mail(campaign: Campaign, year: int, count: int,
                        seed: int = 2025) -> list[tuple[datetime, bytes]]:
    """`count` ordinary mails spread over `year`, each with its arrival time."""
    rng = random.Random(seed)
    inbox = campaign.federation_emails[0]
    start = datetime.fromisoformat(f"{year}-01-02T01:00+00:00")
    mails = []
    for number in range(count):
        when = start + timedelta(minutes=rng.randrange(0, 360 * 24 * 60))
        kind = number % 5
        unit = rng.choice(campaign.units)
        topic = rng.choice(TOPICS)
        if kind == 0:  # a newsletter
            raw = office_mail("news@weixin-digest.example.com", inbox, f"【每周要闻】{topic}", when,
                              "本周要闻摘要……", headers={"List-Id": "<weekly.digest.example.com>",
                                                    "List-Unsubscribe": "<mailto:off@example.com>"})
        elif kind == 1:  # a unit's reply to an earlier notice
            raw = office_mail(unit.emails[0], inbox, f"回复：{topic}", when,
                              "收到，我单位将按要求落实。", reply_to=f"<n{number}@zichuan.example.org>")
        elif kind == 2:  # a colleague's photos that name a unit
            raw = office_mail(rng.choice(STRANGERS), inbox, f"{unit.name}活动照片", when,
                              "照片请查收。", files=tuple(
                                  (f"IMG_{number}_{i}.jpg", "image/jpeg", photo_jpeg(number + i))
                                  for i in range(2)))
        elif kind == 3:  # a meeting notice with its agenda
            raw = office_mail(rng.choice(STRANGERS + (unit.emails[0],)), inbox, topic, when,
                              f"请{unit.name}派员参加。", files=((
                                  "会议议程.docx", "application/vnd.openxmlformats-officedocument."
                                  "wordprocessingml.document",
                                  plain_docx(f"{topic}\n一、领导讲话\n二、交流发言")),))
        else:  # last year's report from a unit's registered address
            raw = office_mail(unit.emails[0], inbox, f"{unit.name}{year}年第{rng.choice('一二三四')}"
                              "季度工作进展情况", when, "请查收。", files=((
                                  "进展情况.docx", "application/vnd.openxmlformats-officedocument."
                                  "wordprocessingml.document",
                                  plain_docx(f"{unit.name}{year}年工作进展")),))
        mails.append((when, raw))
    return sorted(mails, key=lambda pair: pair[0])
