"""A held-out-like set of mails shaped like the federation's real inbox, with verdicts.

Each builder writes bytes the way a real client or server does: GBK encoded-words
(Foxmail, old Outlook), RFC 2231 parameters (Thunderbird, Python), raw 8-bit GBK
headers (some Coremail webmail), message/rfc822 forwards, out-of-office replies,
multipart/report bounces, list mail, a 7z of both files. `Case` says what mailbot must
make of each.
"""

from __future__ import annotations

import email
import email.policy
from dataclasses import dataclass
from datetime import datetime, timezone
from email.message import EmailMessage
from email.mime.message import MIMEMessage
from email.utils import format_datetime


from mailbot.app import samples
from tests.forms import seven_zip
from mailbot.core.models import Campaign, HeldReason, IgnoredReason

FED = "fulian-office@zichuan.example.org"
DOCX_TYPE = ("application", "vnd.openxmlformats-officedocument.wordprocessingml.document")


def at(day: int, hour: int = 2, month: int = 9) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=timezone.utc)


@dataclass(frozen=True)
class Case:
    name: str
    raw: bytes
    arrived: datetime
    message_id: str  # the mail's own Message-ID: its record in the store
    subject: str
    state: str  # done | ignored | held
    unit: str | None = None
    quarter: str | None = None
    reason: str = ""
    flags: tuple[bool, bool] = (True, True)  # (electronic, stamped_pdf) when done
    counted_id: str = ""  # the Message-ID `status` shows (the original of a forward)


def modern(sender: str, subject: str, when: datetime, files, body="附件为本单位进展情况，请查收。",
           msg_id: str = "", headers: dict | None = None) -> EmailMessage:
    """Thunderbird/Python style: UTF-8 and RFC 2231 filename*= parameters."""
    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"] = sender, FED, subject
    mail["Date"] = format_datetime(when)
    mail["Message-ID"] = msg_id
    for name, value in (headers or {}).items():
        mail[name] = value
    mail.set_content(body)
    for filename, data in files:
        maintype, subtype = DOCX_TYPE if filename.endswith(".docx") else (
            ("application", "pdf") if filename.endswith(".pdf") else ("application", "octet-stream"))
        mail.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return mail


def raw_8bit(sender: str, subject: str, when: datetime, files, msg_id: str) -> bytes:
    """Subject and filenames as bare GBK bytes, no encoded-words (as some webmail sends)."""
    placeholders = [("XSUBJECTX", subject)] + [(f"XFILE{i}X.{f.rsplit('.', 1)[1]}", f)
                                                 for i, (f, _) in enumerate(files)]
    mail = modern(sender, placeholders[0][0], when,
                  [(p, data) for (p, _), (_, data) in zip(placeholders[1:], files)], msg_id=msg_id)
    raw = mail.as_bytes()
    for placeholder, text in placeholders:
        raw = raw.replace(placeholder.encode(), text.encode("gbk"))
    return raw


def held_out_mails(campaign: Campaign, trusted: str) -> list[Case]:
    """The whole set, in arrival order."""
    def form(unit, quarter="2026Q3", texts=None):
        return samples.form_docx(campaign, unit, quarter, texts)

    stamped, unstamped = samples.scanned_pdf(), samples.scanned_pdf(stamped=False)
    addr = {u.name: u.emails[0] for u in campaign.units}
    cases: list[Case] = []

    def add(name, mail, when, state, unit=None, quarter="2026Q3", reason="", flags=(True, True),
            subject="", counted_id=""):
        raw = mail if isinstance(mail, bytes) else mail.as_bytes()
        parsed = email.message_from_bytes(raw, policy=email.policy.default)
        msg_id = str(parsed["Message-ID"])
        cases.append(Case(name, raw, when, msg_id, subject or str(parsed["Subject"]), state,
                          unit, quarter if state != "ignored" else None, reason, flags,
                          counted_id or msg_id))

    def mid(tag):
        return f"<{tag}@e2e.zichuan.example.org>"

    add("utf8-docx-stamped", modern(addr["区人社局"], "区人社局2026年第三季度工作进展", at(25),
                                    [("区人社局三季度进展.docx", form("区人社局")),
                                     ("区人社局盖章版.pdf", stamped)], msg_id=mid("rsj")),
        at(25), "done", "区人社局")
    add("gbk-words", samples.report_mail(addr["区卫健局"], FED, "关于报送区卫健局三季度进展情况的函",
                                         at(26), [("区卫健局进展（第三季度）.docx", form("区卫健局")),
                                                  ("区卫健局盖章.pdf", stamped)],
                                         charset="gbk", message_id=mid("wjj")),
        at(26), "done", "区卫健局", subject="关于报送区卫健局三季度进展情况的函")
    add("rfc2231-unstamped", modern(addr["区残联"], "区残联7-9月进展情况", at(26, 5),
                                    [("区残联（7-9月）进展.docx", form("区残联")),
                                     ("区残联扫描件.pdf", unstamped)], msg_id=mid("cl")),
        at(26, 5), "done", "区残联", flags=(True, False))
    add("raw-8bit-gbk", raw_8bit(addr["区检察院"], "区检察院第三季度进展报表", at(27),
                                 [("区检察院进展报表.docx", form("区检察院")),
                                  ("区检察院（盖章）.pdf", stamped)], mid("jcy")),
        at(27), "done", "区检察院", subject="区检察院第三季度进展报表")
    add("docx-only", modern(addr["区法院"], "区法院三季度进展", at(27, 3),
                            [("区法院.docx", form("区法院"))], msg_id=mid("fy")),
        at(27, 3), "done", "区法院", flags=(True, False))
    add("pdf-only-stamped", modern(addr["区人才发展中心"], "区人才发展中心三季度进展（盖章版）", at(27, 4),
                                   [("盖章版.pdf", stamped)], msg_id=mid("rcfz")),
        at(27, 4), "done", "区人才发展中心", flags=(False, True))
    original = modern(addr["区公安分局"], "区公安分局三季度进展", at(27, 1),
                      [("区公安分局进展.docx", form("区公安分局")), ("盖章.pdf", stamped)],
                      msg_id=mid("gaj-original"))
    forward = modern(FED, "转发：区公安分局三季度进展", at(28), [], body="请登记，谢谢。",
                     msg_id=mid("gaj-forward"))
    forward.add_attachment(original)
    add("forwarded-as-attachment", forward, at(28), "done", "区公安分局",
        counted_id=mid("gaj-original"))
    add("forwarded-in-body", modern(FED, "转发：区司法局三季度进展", at(28, 3),
                                    [("区司法局进展.docx", form("区司法局"))],
                                    body="-----原始邮件-----\n发件人：区司法局\n请查收附件。",
                                    msg_id=mid("sfj-forward")),
        at(28, 3), "held", "区司法局", reason=HeldReason.FORWARD_WITHOUT_ORIGINAL)
    add("correction-first", modern(addr["区民政局"], "区民政局三季度进展", at(28, 4),
                                   [("进展.docx", form("区民政局", texts={5: "第一稿"})),
                                    ("盖章.pdf", stamped)], msg_id=mid("mzj-1")),
        at(28, 4), "done", "区民政局")
    add("correction-later", modern(addr["区民政局"], "更正：区民政局三季度进展（以此为准）", at(29),
                                   [("进展（更正）.docx", form("区民政局", texts={5: "更正稿"})),
                                    ("盖章.pdf", stamped)], msg_id=mid("mzj-2")),
        at(29), "done", "区民政局")
    add("untrusted-dmarc-fail-counted", modern(
        addr["区医保分局"], "区医保分局三季度进展", at(29, 3),
        [("医保.docx", form("区医保分局")), ("医保盖章.pdf", stamped)], msg_id=mid("ybj"),
        headers={"Authentication-Results": "relay.example.net; dkim=fail; dmarc=fail"}),
        at(29, 3), "done", "区医保分局")
    add("trusted-dkim-fail-held", modern(
        addr["区交通运输局"], "区交通运输局三季度进展", at(29, 4),
        [("交通.docx", form("区交通运输局")), ("交通盖章.pdf", stamped)], msg_id=mid("jtysj"),
        headers={"Authentication-Results": f"{trusted}; dkim=fail header.d=zichuan.example.org;"
                                           " dmarc=fail header.from=zichuan.example.org"}),
        at(29, 4), "held", "区交通运输局", reason=HeldReason.AUTH_FAILED)
    add("winmail-held", modern(addr["区总工会"], "区总工会三季度进展", at(29, 5),
                               [("winmail.dat", b"\x78\x9f\x3e\x22\x01\x06\x90\x08\x00")],
                               msg_id=mid("zgh")),
        at(29, 5), "held", "区总工会", reason=HeldReason.WINMAIL)
    inline = modern(addr["区融媒体中心"], "区融媒体中心三季度进展", at(29, 6),
                    [("融媒体.docx", form("区融媒体中心")), ("融媒体盖章.pdf", stamped)],
                    msg_id=mid("rmt"))
    inline.add_attachment(b"\x89PNG\r\n\x1a\n" + b"\0" * 600, maintype="image", subtype="png",
                          filename="签名.png", disposition="inline", cid="<logo@rmt>")
    add("inline-signature-image", inline, at(29, 6), "done", "区融媒体中心")
    add("q2-named-in-subject", modern(addr["区教体局"], "区教体局2026年第二季度进展情况（补报）",
                                      at(30), [("教体局二季度.docx", form("区教体局", "2026Q2")),
                                               ("教体局盖章.pdf", stamped)], msg_id=mid("jtj")),
        at(30), "done", "区教体局", quarter="2026Q2")
    add("unregistered-names-unit", modern("tuanquwei2026@163.com", "团区委2026年第三季度进展",
                                          at(30, 2), [("团区委.docx", form("团区委")),
                                                      ("盖章.pdf", stamped)], msg_id=mid("forged")),
        at(30, 2), "held", "团区委", reason=HeldReason.UNREGISTERED)
    add("form-cells-name-unit", modern("xiaowang@126.com", "进展报表", at(30, 3),
                                       [("报表.docx", form("区应急管理局"))], msg_id=mid("cells")),
        at(30, 3), "held", "区应急管理局", reason=HeldReason.UNREGISTERED)
    auto = email.message_from_bytes(samples.auto_reply(addr["区文明办"], FED, at(30, 4)))
    del auto["Message-ID"]
    auto["Message-ID"] = mid("ooo")
    add("auto-reply", auto.as_bytes(), at(30, 4), "ignored", reason="automatic mail")
    add("bounce", bounce(original_of=modern(FED, "催报", at(30), [], msg_id=mid("ours"))),
        at(30, 5), "ignored", reason="automatic mail")
    add("list", modern("news@lists.example.com", "区妇联 周报", at(30, 6), [("周报.docx", b"PK")],
                       msg_id=mid("list"), headers={"List-Id": "<weekly.lists.example.com>"}),
        at(30, 6), "ignored", reason="automatic mail")
    add("7z-both-files", modern(addr["区妇联"], "区妇联第三季度进展情况", at(30, 8),
                                [("区妇联报送材料.7z", seven_zip({
                                    "区妇联报送材料/区妇联三季度进展.docx": form("区妇联"),
                                    "区妇联报送材料/区妇联盖章版.pdf": stamped}))],
                                msg_id=mid("fl")),
        at(30, 8), "done", "区妇联")
    add("unrelated", modern("friend@qq.com", "周末聚餐", at(30, 7), [], body="周六一起吃饭？",
                            msg_id=mid("friend")),
        at(30, 7), "ignored", reason=IgnoredReason.NAMES_NO_UNIT)
    return cases


def bounce(original_of: EmailMessage) -> bytes:
    """A delivery failure report (multipart/report) with our own mail inside."""
    report = EmailMessage()
    report["From"] = "Mail Delivery System <mailer@zichuan.example.org>"
    report["To"] = FED
    report["Subject"] = "Undelivered Mail Returned to Sender"
    report["Message-ID"] = "<bounce@e2e.zichuan.example.org>"
    report["Date"] = format_datetime(at(30, 5))
    report.set_content("This is the mail system. Your message could not be delivered.")
    report.make_mixed()
    status = EmailMessage()
    status.set_content("Reporting-MTA: dns; mx.zichuan.example.org\n\n"
                       "Final-Recipient: rfc822; nobody@zichuan.example.org\nAction: failed\n"
                       "Status: 5.1.1\n")
    report.attach(status)
    report.attach(MIMEMessage(original_of))
    report.replace_header("Content-Type", 'multipart/report; report-type=delivery-status; '
                          f'boundary="{report.get_boundary()}"')
    return report.as_bytes()
