"""Files a mail brings only as download links, not attached (pure).

Mail services turn a file over their attachment limit into a link (QQ Mail's and
Tencent Exmail's 超大附件, NetEase's 163/126 and 企业邮箱, Coremail's 云附件), and people
paste a net disk's share link (百度网盘, 阿里云盘...) with its 提取码. mailbot does not
fetch them: the links expire (mostly after 15 to 30 days), many need a browser, a login
or the code, and what lies behind one is not a file the unit sent. It notices them, so
that the unit hears "your files came as links, please attach them" instead of "your mail
has no attachment", and a receipt says why the stamped copy that came as a link is missing.
Online documents (腾讯文档, 金山文档, 石墨, 飞书, 钉钉) are links of the same kind, and worse:
behind a login, editable after sending, and no file with a seal; the unit is asked to
export the form and attach it.

Only what the sender wrote counts: a quoted earlier mail (below 原始邮件 or "写道：", in a
blockquote) may carry another mail's 超大附件.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import TypeVar
from urllib.parse import parse_qsl, unquote, urlsplit

from mailbot.core.models import LinkedFile
from mailbot.core.states import LinkKind

# (host, path prefix): links that are a file by their address alone
SERVICES = (
    ("qq.com", "/cgi-bin/ftnexs_download"), ("qq.com", "/ftn/download"),  # QQ, Exmail
    ("163.com", "/large-attachment-download"), ("126.com", "/large-attachment-download"),
    ("fs.163.com", "/"), ("fs.qiye.163.com", "/"), ("edisk.qiye.163.com", "/"),  # NetEase
    ("pan.baidu.com", "/s/"), ("pan.baidu.com", "/share/"),
    ("aliyundrive.com", "/s/"), ("alipan.com", "/s/"), ("share.weiyun.com", "/"),
    ("cloud.189.cn", "/t/"), ("cloud.189.cn", "/web/share"), ("caiyun.139.com", "/"),
    ("1drv.ms", "/"), ("onedrive.live.com", "/"), ("sharepoint.com", "/:"),
)
# (host, path prefix): online documents, a form filled in on a website instead of a file
ONLINE = (
    ("docs.qq.com", "/"), ("kdocs.cn", "/l/"), ("kdocs.cn", "/view/"), ("wps.cn", "/l/"),
    ("shimo.im", "/"), ("feishu.cn", "/docx/"), ("feishu.cn", "/docs/"),
    ("feishu.cn", "/sheets/"), ("feishu.cn", "/wiki/"), ("feishu.cn", "/base/"),
    ("alidocs.dingtalk.com", "/i/"),
)
# the title a share carries: 【腾讯文档】2026年三季度进展情况表
ONLINE_TITLE = re.compile(r"【(?:腾讯文档|金山文档|WPS|石墨文档|飞书(?:云)?文档|钉钉文档)】\s*"
                          r"([^\s【】<>\\/|]+(?: [^\s【】<>\\/|]+)*)")
# where the text says so, any download-looking link is one (Coremail and the rest)
LINK_WORDS = re.compile(r"超大附件|文件中转站|云附件")
DOWNLOADISH = re.compile(r"download|attach|ftn|share|file|/fs/", re.IGNORECASE)
# cheap test before any HTML is parsed: most mail mentions none of these
MENTIONS = re.compile("|".join([*(re.escape(host) for host, _ in (*SERVICES, *ONLINE)),
                                LINK_WORDS.pattern]), re.IGNORECASE)
URL = re.compile(r"https?://[^\s<>\"'（）()，。；、]+", re.IGNORECASE)
FILE_NAME = re.compile(r"[^\s\\/:*?\"<>|《》“”：，。；、]+?\.(?:docx?|wps|wpt|rtf|pdf|ofd|xlsx?|et|"
                       r"zip|rar|7z|jpe?g|png|tiff?|bmp|heic|webp)(?![a-z0-9])", re.IGNORECASE)
NAME_PARAMETERS = ("title", "filename", "file_name", "name", "fn")
QUOTE = re.compile(r"^\s*(?:-{2,}\s*(?:原始邮件|original message|转发邮件|forwarded message)"
                   r"|>|在.{0,80}写道\s*[:：]|on .{0,120}wrote:|发件人\s*[:：]|from:\s)",
                   re.IGNORECASE | re.MULTILINE)
QUOTE_BLOCKS = re.compile(r"reply|original|forward|quote|rplyfwd", re.IGNORECASE)
BEFORE_ANCHOR = 200  # characters of text before a link searched for its file's name
P = TypeVar("P", bound=HTMLParser)


def linked_files(plain: list[str], html: list[str],
                 attached: tuple[str, ...] = ()) -> tuple[LinkedFile, ...]:
    """The files the mail's own text (text/plain and text/html parts) links to, once
    each, without those also attached under the same name."""
    found: dict[str, str] = {}
    links = [*(link for text in plain for link in _plain_links(text)),
             *(link for text in html for link in _html_links(text))]
    kinds = {}
    for url, name, kind in links:  # a link in both parts: the name either part gives
        found[url], kinds[url] = found.get(url) or name, kind
    return tuple(LinkedFile(name, url, kinds[url]) for url, name in found.items()
                 if not name or name not in attached)


def _plain_links(text: str) -> list[tuple[str, str, LinkKind]]:
    own = _above_quote(text)
    if not MENTIONS.search(own):
        return []
    worded = bool(LINK_WORDS.search(own))
    lines = own.splitlines()
    links = []
    for number, line in enumerate(lines):
        for url in URL.findall(line):
            kind = _kind(url, worded)
            if kind is not None:
                links.append((url, _name(url, line.replace(url, " "), _above(lines[:number]),
                                         kind), kind))
    return links


def _above(lines: list[str]) -> list[str]:
    """The two lines above a link that may name its file; not past another link's line
    (QQ lists each file's name, then its link)."""
    near = [line for line in lines if line.strip()][-2:]
    linked = [index for index, line in enumerate(near) if URL.search(line)]
    return near[linked[-1] + 1:] if linked else near


def _above_quote(text: str) -> str:
    quote = QUOTE.search(text)
    return text[:quote.start()] if quote else text


def _html_links(html: str) -> list[tuple[str, str, LinkKind]]:
    if not MENTIONS.search(html):
        return []
    parser = fed(_Anchors(), html)
    worded = bool(LINK_WORDS.search(parser.own_text()))
    return [(url, _name(url, label, _above(before.splitlines()), kind, anchored=True), kind)
            for url, label, before in parser.anchors
            for kind in [_kind(url, worded)] if kind is not None]


def fed(parser: P, html: str) -> P:
    """`parser` having read `html`; a broken body leaves what was read before the break."""
    try:
        parser.feed(html)
        parser.close()
    except (AssertionError, ValueError):
        pass
    return parser


def _kind(url: str, worded: bool) -> LinkKind | None:
    """A file's link by its service's address (or an online document's), or a download
    link where the text speaks of a large attachment; None for any other link."""
    try:
        parts = urlsplit(url)
        host, path = (parts.hostname or "").lower(), parts.path.lower()
    except ValueError:  # "http://[bad": no file of ours, whatever it is
        return None
    if _served(host, path, ONLINE):
        return LinkKind.ONLINE
    if _served(host, path, SERVICES) or (worded and DOWNLOADISH.search(url)):
        return LinkKind.DOWNLOAD
    return None


def _served(host: str, path: str, services: tuple[tuple[str, str], ...]) -> bool:
    return any((host == service or host.endswith(f".{service}")) and path.startswith(prefix)
               for service, prefix in services)


def _name(url: str, label: str, above: list[str], kind: LinkKind, anchored: bool = False) -> str:
    """The file's name: from the link's own parameters (NetEase's title=), its text,
    else the nearest line above it that names a file; an online document's title.
    `label` is an HTML link's text where `anchored`, else the rest of the link's line."""
    if kind is LinkKind.ONLINE:
        return _title(label, above, anchored)
    for key, value in parse_qsl(urlsplit(url).query):  # url passed _kind
        if key.lower() in NAME_PARAMETERS and FILE_NAME.fullmatch(unquote(value).strip()):
            return unquote(value).strip()
    named = FILE_NAME.findall(label)
    if named:
        return named[0]
    for line in reversed(above):
        named = FILE_NAME.findall(line)
        if named:
            return named[-1]
    return ""


def _title(label: str, above: list[str], anchored: bool) -> str:
    """An online document's title: the share's 【腾讯文档】title on the link's line or
    above it, else an HTML link's own text where it is words, not an address."""
    for text in (label, *reversed(above)):
        titled = ONLINE_TITLE.search(text)
        if titled:
            return titled.group(1)
    words = label.strip() if anchored else ""
    return words if words and not URL.search(words) and len(words) <= 100 else ""


class _Anchors(HTMLParser):
    """The links of an HTML body above any quoted mail: (href, its text, the text before)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.anchors: list[tuple[str, str, str]] = []
        self.text: list[str] = []
        self.href: str | None = None
        self.label: list[str] = []
        self.quoted = False

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "blockquote" or QUOTE_BLOCKS.search(f"{values.get('id')} {values.get('class')}"):
            self.quoted = True
        if tag == "a" and not self.quoted and values.get("href", "").lower().startswith("http"):
            self.href, self.label = values["href"].strip(), []
        if tag in ("br", "p", "div", "tr", "li"):
            self.text.append("\n")

    def handle_endtag(self, tag):
        if tag == "a":
            self._end_anchor()

    def close(self):
        super().close()
        self._end_anchor()  # a body cut off inside its last link

    def _end_anchor(self) -> None:
        if self.href is None:
            return
        before = "".join(self.text)[-BEFORE_ANCHOR:]
        label = "".join(self.label)
        self.anchors.append((self.href, label, before))
        self.text.append(label)
        self.href = None

    def handle_data(self, data):
        if self.quoted:
            return
        if QUOTE.search(data):
            self.quoted = True
            return
        (self.label if self.href is not None else self.text).append(data)

    def own_text(self) -> str:
        return "".join(self.text)
