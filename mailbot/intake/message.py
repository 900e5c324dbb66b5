"""Raw mail bytes -> models.Message (pure; never raises on garbage).

Chinese mail breaks the stdlib's defaults in known ways, each handled here:
GB2312/GBK labels are decoded as GB18030 (their superset, so GBK characters in
a "gb2312" body are not lost), RFC 2047 words are decoded even inside quoted
filename= parameters and even when a mailer split one character across two
words, RFC 2231 filename* is honoured, and raw 8-bit header bytes are read as
UTF-8 or else GB18030. Forwarded mails (message/rfc822) are parsed into
`Message.forwarded`; inline and signature images are not attachments.
"""

from __future__ import annotations

import base64
import codecs
import hashlib
import quopri
import re
import unicodedata
from datetime import datetime, timezone
from email import message_from_bytes
from email.message import Message as EmailMessage
from email.policy import Compat32
from email.policy import strict as STRICT
from email.utils import getaddresses, parsedate_to_datetime
from html.parser import HTMLParser
from mimetypes import guess_extension

from mailbot.core.models import Attachment, Message
from mailbot.intake.links import fed, linked_files

GB_LABELS = {"gb2312", "gbk", "gb_2312", "gb_2312-80", "x-gbk", "cp936", "euc-cn",
             "x-euc-cn", "chinese", "csgb2312", "ms936", "windows-936"}
ENCODED_WORD = re.compile(r"=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=")
MSG_ID = re.compile(r"<[^<>\s]+>")
# The From of nearly every mail: `addr@domain` or `Name <addr@domain>`, printable ASCII
# with no quote, comment, list or route; both parsers read it alike (sender_of).
_ADDR = r"[A-Za-z0-9_+-]+(?:\.[A-Za-z0-9_+-]+)*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+"
_ATEXT = r"A-Za-z0-9!#$%&'*+/=?^_`{|}~\-"  # RFC 5322 atext: a phrase starts with one
_NAME = rf"[{_ATEXT}](?:[{_ATEXT}. ]*[{_ATEXT}])?"  # and, taken here, ends with one
PLAIN_FROM = re.compile(rf" *(?:({_NAME})? *<({_ADDR})>|({_ADDR})) *")
SMALL_IMAGE = 10 * 1024  # logos, signature images and tracking pixels are smaller
DECORATION_NAME = re.compile(r"signature|签名|logo", re.IGNORECASE)
MAX_DEPTH = 5  # forwarded-in-forwarded nesting followed before giving up
FORWARD_TYPES = ("message/rfc822", "message/global")
AUTO_PRECEDENCE = {"bulk", "junk", "list", "auto_reply"}
AUTO_SENDERS = ("mailer-daemon@", "postmaster@")
# Auto-responders that set no Auto-Submitted (Coremail, Exchange, older Foxmail)
AUTO_REPLY_HEADERS = ("X-Autoreply", "X-Autorespond", "X-Auto-Reply")
AUTO_REPLY_SUBJECT = re.compile(r"^\s*(自动回复|自動回覆|auto(matic)?[- ]?reply|out of (the )?office)",
                                re.IGNORECASE)


class _RawHeaders(Compat32):
    """Compat32 that hands back header values untouched (8-bit bytes as surrogates),
    so this module, not the stdlib, decides how to read them."""

    def header_fetch_parse(self, name, value):
        return value


POLICY = _RawHeaders()


def codec_for(label: str | None) -> str | None:
    """The Python codec to use for a MIME charset label (None if unknown)."""
    if not label:
        return None
    name = label.strip().strip('"').lower().split("*", 1)[0]
    if name in GB_LABELS or name.startswith("gb2312"):
        return "gb18030"
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def decode_bytes(data: bytes, label: str | None = None) -> str:
    """Decode text whose label may be wrong or missing: label, UTF-8, GB18030."""
    tried = []
    for codec in (codec_for(label), "utf-8", "gb18030"):
        if codec and codec not in tried:
            tried.append(codec)
            try:
                return data.decode(codec)
            except (UnicodeDecodeError, LookupError):
                continue
    return data.decode(tried[0], errors="replace")


def _recover(value: str) -> str:
    """Undo the parser's ASCII+surrogateescape reading of raw 8-bit header bytes."""
    try:
        data = value.encode("ascii", "surrogateescape")
    except UnicodeEncodeError:
        return value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return data.decode("ascii") if data.isascii() else decode_bytes(data)


def _word_bytes(encoding: str, text: str) -> bytes:
    if encoding in "bB":
        return base64.b64decode(text + "=" * (-len(text) % 4), validate=False)
    return quopri.decodestring(text.replace("_", " ").encode("ascii", "replace"), header=False)


def decode_words(value: str) -> str:
    """Decode RFC 2047 words anywhere in `value`; adjacent words of one charset
    are joined as bytes first, since mailers split GBK characters across words."""
    value = str(value)
    if value.isascii() and "=?" not in value and "\n" not in value:
        return value  # most header values: nothing to recover, unfold or decode
    value = re.sub(r"\r?\n(?=[ \t])", "", _recover(value))
    out: list[str] = []
    pending: tuple[str, bytearray] | None = None
    position = 0
    for match in ENCODED_WORD.finditer(value):
        between = value[position:match.start()]
        if pending and between.strip():
            out.append(decode_bytes(bytes(pending[1]), pending[0]))
            pending = None
        if pending is None:
            out.append(between)
        try:
            chunk = _word_bytes(match[2], match[3])
        except ValueError:
            chunk = match[0].encode("ascii", "replace")
        charset = match[1].lower()
        if pending and pending[0] != charset:
            out.append(decode_bytes(bytes(pending[1]), pending[0]))
            pending = None
        if pending is None:
            pending = (charset, bytearray())
        pending[1].extend(chunk)
        position = match.end()
    if pending:
        out.append(decode_bytes(bytes(pending[1]), pending[0]))
    out.append(value[position:])
    return "".join(out)


def _addresses(values: list[str]) -> list[tuple[str, str]]:
    texts = [_recover(str(v)) for v in values]
    plain = [_plain_address(text) for text in texts]
    if all(plain):  # one plain mailbox in each: what getaddresses reads, a tenth the time
        return plain
    pairs = getaddresses(texts)
    return [(decode_words(name).strip(), addr.strip().lower()) for name, addr in pairs if addr]


def _plain_address(text: str) -> tuple[str, str] | None:
    """(name, address) of `Name <addr@domain>` in printable ASCII (PLAIN_FROM), else None."""
    plain = PLAIN_FROM.fullmatch(text) if text.isascii() and text.isprintable() else None
    if not plain:
        return None
    name = " ".join((plain[1] or "").split())  # runs of spaces read as one
    return decode_words(name).strip(), (plain[2] or plain[3]).lower()


def sender_of(values: list[str]) -> tuple[str, str]:
    """(display name, address) of the one mailbox in From, or ("", "") when From is not
    exactly one well-formed mailbox.

    The identity mailbot attributes must be the one the receiving server checked, so
    what parsers read differently is refused: two From headers or two mailboxes,
    `rsj@unit <attacker@evil>` and `<rsj@unit>@evil` (RFC 5322 defects that a lenient
    parser reads as two addresses), addresses holding control characters, and look-alikes that NFKC folds into ASCII (a
    KELVIN SIGN, fullwidth letters). The address is compared NFKC + casefolded.
    """
    if len(values) != 1:
        return "", ""
    text = _recover(str(values[0]))
    # a plain From is what the strict and the lenient reading agree on, a tenth the time
    return _plain_address(text) or checked_sender(text)


def checked_sender(text: str) -> tuple[str, str]:
    """sender_of for any From: the strict and the lenient parser must agree."""
    try:
        header = STRICT.header_factory("from", text)
        mailboxes = [(a.display_name, a.addr_spec) for a in header.addresses
                     if a.domain]  # a local part alone (`<"rsj@unit`) is no mailbox
    except (ValueError, TypeError, IndexError, AttributeError):
        return "", ""
    lenient = _addresses([text])
    if len(mailboxes) != 1 or not lenient:
        return "", ""
    spec = mailboxes[0][1]
    if not spec.isprintable():
        return "", ""  # a control character (U+001F splits like a space for some readers)
    normal = unicodedata.normalize("NFKC", spec).casefold()
    if header.defects and ({addr for _, addr in lenient} != {spec.lower()}
                           or text.count("@") != len(lenient)):
        return "", ""  # the strict and the lenient reading disagree, or an @ is left over
    if "@" not in normal or not spec.isascii() and (normal.isascii() or normal != spec.lower()):
        return "", ""  # a look-alike of another address (NFKC or casefold changed it)
    return lenient[0][0], normal


def _date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(_recover(str(value)))
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def _filename(part: EmailMessage) -> str:
    """The part's filename from Content-Disposition or Content-Type, decoded."""
    for header, param in (("content-disposition", "filename"), ("content-type", "name")):
        try:
            value = part.get_param(param, header=header)
        except (ValueError, IndexError, TypeError):
            continue
        if isinstance(value, tuple):  # RFC 2231: (charset, language, latin-1 text)
            charset, _language, text = value
            try:
                data = text.encode("latin-1", "surrogateescape")
            except UnicodeEncodeError:
                data = text.encode("utf-8", "surrogateescape")
            value = decode_bytes(data, charset)
        if value:
            name = decode_words(str(value).strip().strip('"'))
            name = re.split(r"[\\/]", name)[-1]
            return "".join(ch for ch in name if ch >= " ").strip()
    return ""


class _HTMLText(HTMLParser):
    """Visible text of an HTML body, for mails without a text/plain part."""

    def __init__(self) -> None:
        super().__init__()
        self.chunks: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag, attrs):
        self.hidden += tag in ("script", "style")
        if tag in ("br", "p", "div", "tr", "li"):
            self.chunks.append("\n")

    def handle_endtag(self, tag):
        self.hidden -= tag in ("script", "style") and self.hidden > 0

    def handle_data(self, data):
        if not self.hidden:
            self.chunks.append(data)


def html_to_text(html: str) -> str:
    parser = fed(_HTMLText(), html)
    return re.sub(r"\n\s*\n+", "\n\n", "".join(parser.chunks)).strip()


def _payload(part: EmailMessage) -> bytes:
    try:
        data = part.get_payload(decode=True)
    except (ValueError, TypeError, AssertionError):
        data = None
    if isinstance(data, bytes):
        return data
    raw = part.get_payload()
    return raw.encode("ascii", "surrogateescape") if isinstance(raw, str) else b""


def _is_decoration(part: EmailMessage, filename: str, size: int) -> bool:
    """Inline pictures, signature logos and pixels: shown in the mail, not sent as files."""
    if part.get_content_maintype() != "image":
        return False
    disposition = part.get_content_disposition()
    has_cid = bool(part.get("content-id"))
    if disposition == "inline" and (has_cid or not filename):
        return True
    if has_cid and disposition != "attachment":
        return True
    return size < SMALL_IMAGE or bool(DECORATION_NAME.search(filename))


class _Walk:
    """Collects bodies, attachments and forwarded mails from one MIME tree."""

    def __init__(self, depth: int) -> None:
        self.depth = depth
        self.plain: list[str] = []
        self.html: list[str] = []
        self.attachments: list[Attachment] = []
        self.forwarded: list[Message] = []

    def visit(self, part: EmailMessage) -> None:
        ctype = part.get_content_type()
        if ctype in FORWARD_TYPES:
            for inner in part.get_payload() or []:
                self.forward(inner)
            return
        if ctype.startswith("message/"):  # delivery-status and kin: report data, not mail
            return
        if part.is_multipart():
            for child in part.get_payload() or []:
                if isinstance(child, EmailMessage):
                    self.visit(child)
            return
        self.leaf(part, ctype)

    def forward(self, inner) -> None:
        if isinstance(inner, EmailMessage) and self.depth < MAX_DEPTH:
            self.forwarded.append(_message(inner, self.depth + 1))

    def leaf(self, part: EmailMessage, ctype: str) -> None:
        filename = _filename(part)
        data = _payload(part)
        disposition = part.get_content_disposition()
        if ctype in ("text/plain", "text/html") and not filename and disposition != "attachment":
            text = decode_bytes(data, part.get_content_charset())
            text = text.replace("\r\n", "\n").replace("\r", "\n")
            (self.plain if ctype == "text/plain" else self.html).append(text)
            return
        if ctype.startswith("multipart/") or _is_decoration(part, filename, len(data)):
            return
        if filename.lower().endswith(".eml"):  # a forwarded mail saved as a file
            self.forward(message_from_bytes(data, policy=POLICY))
            return
        if not filename:
            filename = "winmail.dat" if ctype == "application/ms-tnef" else (
                f"part-{len(self.attachments) + 1}{guess_extension(ctype) or '.bin'}")
        self.attachments.append(Attachment(filename=filename, content_type=ctype, data=data))

    def text(self) -> str:
        if any(chunk.strip() for chunk in self.plain):
            return "\n".join(self.plain).strip()
        return "\n".join(html_to_text(chunk) for chunk in self.html).strip()


def _message(mail: EmailMessage, depth: int = 0) -> Message:
    walk = _Walk(depth)
    walk.visit(mail)
    headers = tuple((_recover(str(k)), decode_words(v)) for k, v in mail.items())
    name, addr = sender_of(mail.get_all("from", []) or mail.get_all("sender", []))
    message_id = (MSG_ID.findall(_recover(str(mail.get("message-id", "")))) or [""])[0]
    refs = MSG_ID.findall(" ".join(_recover(str(v)) for v in
                                   mail.get_all("references", []) + mail.get_all("in-reply-to", [])))
    return Message(
        message_id=message_id,
        subject=decode_words(mail.get("subject", "")).strip(),
        from_addr=addr,
        from_name=name,
        to=tuple(a for _, a in _addresses(mail.get_all("to", []))),
        date=_date(mail.get("date")),
        text=walk.text(),
        attachments=tuple(walk.attachments),
        headers=headers,
        references=tuple(dict.fromkeys(refs)),
        content_type=mail.get_content_type(),
        forwarded=tuple(walk.forwarded),
        linked=linked_files(walk.plain, walk.html, tuple(a.filename for a in walk.attachments)),
    )


def content_key(raw: bytes, message: Message) -> str:
    """The mail's identity by content and origin: Message-ID, sender and body bytes.

    A Message-ID alone is not an identity (OA systems and scanners reuse fixed ones),
    and the raw bytes are too strict (the same mail delivered twice gains trace headers):
    mail with the same origin and the same body is the same mail, whatever the route.
    """
    separator = min((i for i in (raw.find(b"\r\n\r\n"), raw.find(b"\n\n")) if i >= 0),
                    default=len(raw))
    body = raw[separator:].replace(b"\r\n", b"\n").strip()
    origin = f"{message.message_id}\0{message.from_addr.lower()}\0".encode()
    return hashlib.sha256(origin + body).hexdigest()


def parse(raw: bytes) -> Message:
    """Parse a raw mail. Never raises: what cannot be read is left out, and a
    mail the MIME parser cannot walk at all still yields its text."""
    try:
        return _message(message_from_bytes(raw, policy=POLICY))
    except (RecursionError, LookupError, ValueError, TypeError, AttributeError,
            IndexError, AssertionError, UnicodeError):
        return Message(message_id="", subject="", from_addr="", from_name="", to=(),
                       date=None, text=decode_bytes(raw), attachments=())


def is_automatic(message: Message) -> str | None:
    """Why this mail was sent by a machine (and must never be answered), or None.
    The rules are those of RT, Zammad, Mailman 3, Odoo and Bugzilla (RFC 3834)."""
    def value(name: str) -> str:
        return (message.header(name) or "").strip().lower()

    auto = value("auto-submitted").split(";", 1)[0].strip()
    if auto and auto != "no":
        return f"Auto-Submitted: {auto}"
    if value("precedence") in AUTO_PRECEDENCE:
        return f"Precedence: {value('precedence')}"
    for name in ("List-Id", "List-Unsubscribe", "X-Auto-Response-Suppress", "X-Loop",
                 *AUTO_REPLY_HEADERS):
        if message.header(name) is not None:
            return f"{name} header present"
    if message.header("return-path") is not None and value("return-path") in ("<>", ""):
        return "empty Return-Path (a bounce)"
    if message.from_addr.startswith(AUTO_SENDERS):
        return f"sent by {message.from_addr}"
    if message.content_type == "multipart/report":
        return "multipart/report (a delivery or read report)"
    if AUTO_REPLY_SUBJECT.match(message.subject) and not message.attachments:
        return "an auto-reply subject and no attachment"  # with files it may be a report
    return None
