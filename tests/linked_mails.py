"""Mails whose files come as download links, written the way the services write them.

QQ Mail (and Tencent Exmail) puts a 超大附件 block under the text: each file's name and
size, then its download link, in both the text/plain and the text/html part. NetEase
(163, 126, 企业邮箱) links to its large-attachment page with the file's name in the link's
`title=`. People paste a net disk's share link with its 提取码 by hand. Used by the
intake tests and by the scenario over real Dovecot.
"""

from __future__ import annotations

from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime

QQ_LINK = ("https://wx.mail.qq.com/ftn/download?func=3&k=9bca443053fdd148a9b91e303139"
           "{n}&key=5a3c{n}&code=d50039fe")
NETEASE_LINK = ("https://mail.163.com/large-attachment-download/index.html?p=X-NETEASE-HUGE-"
                "ATTACHMENT&file=iQ1wm60-iGe9IRvoE{n}&title={title}")
BAIDU_LINK = "https://pan.baidu.com/s/1Xk3mQ9vT{n}pL2wA"


def qq_block(names: list[str]) -> tuple[str, str]:
    """QQ Mail's 超大附件 block as (plain, html)."""
    plain = ["", "", "从QQ邮箱发来的超大附件", ""]
    html = ['<div id="QQMailBigAttach"><div>从QQ邮箱发来的超大附件</div>']
    for n, name in enumerate(names):
        link = QQ_LINK.format(n=n)
        plain += [f"{name} (35.62M, 2026年10月22日 10:22 到期)", f"进入下载页面：{link}", ""]
        html.append(f'<div><span>{name}</span> (35.62M, 2026年10月22日 10:22 到期)</div>'
                    f'<div><a href="{link.replace("&", "&amp;")}" target="_blank">进入下载页面'
                    f'</a></div>')
    return "\n".join(plain), "".join(html) + "</div>"


def netease_block(names: list[str]) -> tuple[str, str]:
    """NetEase's: a link per file, its name in the link text and in `title=`."""
    from urllib.parse import quote

    plain = ["", "", "从网易163邮箱发来的超大附件", ""]
    html = ['<div style="clear:both"><b>从网易163邮箱发来的超大附件</b></div>']
    for n, name in enumerate(names):
        link = NETEASE_LINK.format(n=n, title=quote(name))
        plain += [f"{name}（38.1M，2026年10月25日到期）", f"下载：{link}", ""]
        html.append(f'<div><a href="{link.replace("&", "&amp;")}">{name}</a>'
                    f'<span>（38.1M，2026年10月25日到期）</span></div>')
    return "\n".join(plain), "".join(html)


QQ_DOC = "https://docs.qq.com/sheet/DTmV4Z2xhYkNC{n}?tab=BB08J2"


def online_block(title: str, url: str) -> tuple[str, str]:
    """An online document shared as WeChat and QQ paste it: 【腾讯文档】title, then the link."""
    return (f"\n\n【腾讯文档】{title}\n{url}\n",
            f'<div>【腾讯文档】{title}</div><div><a href="{url}">{url}</a></div>')


def linked_mail(sender: str, to: str, subject: str, when: datetime, body: str,
                block: tuple[str, str], files=(), msg_id: str = "",
                quoted_html: str = "", headers: dict | None = None) -> EmailMessage:
    """multipart/alternative (text and HTML, as webmail sends), then any attachments."""
    plain, html = block
    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"] = sender, to, subject
    mail["Date"] = format_datetime(when)
    if msg_id:
        mail["Message-ID"] = msg_id
    for name, value in (headers or {}).items():
        mail[name] = value
    mail.set_content(body + plain)
    mail.add_alternative(f"<html><body><div>{body}</div>{html}{quoted_html}</body></html>",
                         subtype="html")
    for filename, data in files:
        subtype = "pdf" if filename.endswith(".pdf") else (
            "vnd.openxmlformats-officedocument.wordprocessingml.document")
        mail.add_attachment(data, maintype="application", subtype=subtype, filename=filename)
    return mail
