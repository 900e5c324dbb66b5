"""message.parse against golden mails (one .eml beside its expected .json) and a
public corpus of broken mail; message.is_automatic rule by rule."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mailbot.intake import message
from mailbot.core.models import Message
from tests.tools import corpus

GOLDEN = Path(__file__).parent.parent / "golden" / "mail"


def summary(mail: Message) -> dict:
    """What a golden .json pins down about a parsed mail."""
    return {
        "message_id": mail.message_id,
        "subject": mail.subject,
        "from_addr": mail.from_addr,
        "from_name": mail.from_name,
        "to": list(mail.to),
        "date": mail.date.isoformat() if mail.date else None,
        "text": mail.text,
        "content_type": mail.content_type,
        "references": list(mail.references),
        "attachments": [{"filename": a.filename, "content_type": a.content_type,
                         "size": len(a.data), "sha256": hashlib.sha256(a.data).hexdigest()[:16]}
                        for a in mail.attachments],
        "forwarded": [summary(inner) for inner in mail.forwarded],
        "linked": [{"name": file.name, "url": file.url} for file in mail.linked],
        "automatic": message.is_automatic(mail),
    }


@pytest.mark.parametrize("eml", sorted(GOLDEN.glob("*.eml")), ids=lambda p: p.stem)
def test_golden(eml: Path):
    expected = json.loads(eml.with_suffix(".json").read_text(encoding="utf-8"))
    assert summary(message.parse(eml.read_bytes())) == expected


def test_every_golden_mail_has_its_expectation():
    assert sorted(p.stem for p in GOLDEN.glob("*.json")) == sorted(p.stem for p in GOLDEN.glob("*.eml"))


def test_headers_are_kept_decoded():
    mail = message.parse((GOLDEN / "raw-8bit-gbk-headers.eml").read_bytes())
    assert mail.header("subject") == "区法院一季度实事进展"
    assert mail.header("FROM") == "区法院办公室 <fayuan@zichuan.example.org>"
    assert [key for key, _ in mail.headers][:3] == ["From", "To", "Subject"]


@pytest.mark.parametrize("raw", [b"", b"\x00\xff" * 100, b"Subject: =?gbk?B?!!!?=\n\nx",
                                 b"Content-Type: multipart/mixed; boundary=\n\n--\n--",
                                 b"From: <<<@@>>>\nDate: Feb 31 99999\n\n"])
def test_garbage_never_raises(raw: bytes):
    assert isinstance(message.parse(raw), Message)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000), st.sampled_from([b"", b"Content-Type: multipart/mixed; "
                                                   b"boundary=x\n\n--x\n", b"Subject: =?gbk?B?"]))
def test_random_bytes_never_raise(tail: bytes, head: bytes):
    assert isinstance(message.parse(head + tail), Message)


def test_a_mail_saved_as_eml_file_is_unwrapped():
    inner = (GOLDEN / "split-encoded-word.eml").read_bytes()
    raw = (b"From: fulian-office@zichuan.example.org\nContent-Type: multipart/mixed; boundary=z\n\n"
           b"--z\nContent-Type: text/plain\n\nfwd\n--z\nContent-Type: application/octet-stream; "
           b"name=orig.eml\nContent-Disposition: attachment; filename=orig.eml\n\n"
           + inner + b"\n--z--\n")
    mail = message.parse(raw)
    assert mail.attachments == ()
    assert [inner.subject for inner in mail.forwarded] == ["区检察院第一季度报表"]


def test_public_corpus_parses_without_exception():
    files = corpus("eml")
    for path in files:
        assert isinstance(message.parse(path.read_bytes()), Message), path.name


def _mail(headers: str, content_type: str = "text/plain") -> Message:
    lines = ["From: unit@zichuan.example.org", headers, f"Content-Type: {content_type}"]
    return message.parse(("\n".join(filter(None, lines)) + "\n\nbody\n").encode())


@pytest.mark.parametrize("headers, reason", [
    ("Auto-Submitted: auto-generated", "Auto-Submitted: auto-generated"),
    ("Auto-Submitted: Auto-Replied; owner-email=x@y", "Auto-Submitted: auto-replied"),
    ("Precedence: bulk", "Precedence: bulk"),
    ("Precedence: junk", "Precedence: junk"),
    ("Precedence: list", "Precedence: list"),
    ("List-Id: <news.example.org>", "List-Id header present"),
    ("List-Unsubscribe: <mailto:u@example.org>", "List-Unsubscribe header present"),
    ("X-Auto-Response-Suppress: All", "X-Auto-Response-Suppress header present"),
    ("X-Loop: mailbot", "X-Loop header present"),
    ("Return-Path: <>", "empty Return-Path (a bounce)"),
])
def test_automatic_rules(headers: str, reason: str):
    assert message.is_automatic(_mail(headers)) == reason


@pytest.mark.parametrize("headers", ["Auto-Submitted: no", "Precedence: normal",
                                     "Return-Path: <unit@zichuan.example.org>", ""])
def test_a_person_s_mail_is_not_automatic(headers: str):
    assert message.is_automatic(_mail(headers)) is None


def test_automatic_senders_and_reports():
    postmaster = message.parse(b"From: Postmaster@example.org\n\nx")
    assert message.is_automatic(postmaster) == "sent by postmaster@example.org"
    report = _mail("", "multipart/report; report-type=disposition-notification; boundary=x")
    assert message.is_automatic(report) == "multipart/report (a delivery or read report)"


def test_gb_labels_map_to_gb18030():
    for label in ("GB2312", "gbk", "x-gbk", "cp936", '"gb2312"', "gb2312*zh"):
        assert message.codec_for(label) == "gb18030"
    assert message.codec_for("no-such-charset") is None
    assert message.decode_bytes("镕".encode("gbk"), "gb2312") == "镕"


@settings(max_examples=400, deadline=None)
@given(st.from_regex(message.PLAIN_FROM, fullmatch=True).filter(
    lambda text: text.isascii() and text.isprintable()))
def test_a_plain_from_is_read_as_the_strict_and_lenient_parsers_read_it(text: str):
    """The fast path of sender_of (`Name <addr@domain>`) answers what the two-parser
    check answers, for every From it takes."""
    assert message.sender_of([text]) == message.checked_sender(text), text


@pytest.mark.parametrize("text", ["rsj@zichuan.gov.cn", "区人社局 <rsj@zichuan.gov.cn>",
                                  "=?gbk?B?x/jIy8nnvtY=?= <RSJ@Zichuan.gov.cn>",
                                  "Mr. Zhang <a.b+c@mail.example.org>", "<a@b.example>"])
def test_common_froms_take_the_fast_path_with_the_same_answer(text: str):
    assert message.PLAIN_FROM.fullmatch(text) or not text.isascii()
    assert message.sender_of([text]) == message.checked_sender(text)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.from_regex(message.PLAIN_FROM, fullmatch=True).filter(
    lambda text: text.isascii() and text.isprintable()), min_size=1, max_size=3))
def test_plain_to_headers_are_read_as_getaddresses_reads_them(values: list[str]):
    from email.utils import getaddresses

    expected = [(message.decode_words(name).strip(), addr.strip().lower())
                for name, addr in getaddresses(values) if addr]
    assert message._addresses(values) == expected
