"""MaildirSource on a real Maildir in a temporary folder."""

from __future__ import annotations

import mailbox
import os
import itertools
import threading
import time

import pytest

from mailbot.config import Endpoint
from mailbot.mailbox import open_source
from mailbot.mailbox.maildir import MaildirSource


@pytest.fixture
def maildir(tmp_path):
    return tmp_path / "mail"


def deliver(path, raw: bytes, mtime: float | None = None) -> str:
    """Deliver as an MTA does: write into tmp/, rename into new/ (bytes as they came)."""
    for sub in ("tmp", "new", "cur"):
        (path / sub).mkdir(parents=True, exist_ok=True)
    key = f"{time.time_ns()}.P{os.getpid()}Q{next(COUNTER)}.test"
    (path / "tmp" / key).write_bytes(raw)
    os.rename(path / "tmp" / key, path / "new" / key)
    if mtime is not None:
        os.utime(path / "new" / key, (mtime, mtime))
    return key


COUNTER = itertools.count()
RAW_GBK = b"From: a@x\r\nSubject: " + "区残联".encode("gbk") + b"\r\n\r\n\xc7\xf8\r\n"


def test_fetch_yields_new_mail_oldest_first_with_bytes_untouched(maildir):
    second = deliver(maildir, b"Subject: two\r\n\r\nb\r\n", mtime=2_000_000_000)
    first = deliver(maildir, RAW_GBK, mtime=1_900_000_000)
    got = list(MaildirSource(maildir).fetch_new(None))
    assert [m.source_key for m in got] == [f"maildir:{first}", f"maildir:{second}"]
    assert got[0].raw == RAW_GBK
    assert got[0].received_at.timestamp() == 1_900_000_000
    assert got[0].state is None


def test_processed_mail_goes_to_cur_and_is_not_fetched_again(maildir):
    key = deliver(maildir, RAW_GBK)
    source = MaildirSource(maildir)
    source.mark_processed(next(source.fetch_new(None)).source_key)
    assert list(source.fetch_new(None)) == []
    assert mailbox.Maildir(maildir).get_bytes(key) == RAW_GBK  # still there, unchanged
    assert os.listdir(maildir / "cur") == [f"{key}:2,"]
    source.mark_processed(f"maildir:{key}")  # twice is harmless


def test_move_to_a_chinese_folder(maildir):
    key = deliver(maildir, RAW_GBK)
    source = MaildirSource(maildir, processed="move", folder="已处理")
    source.mark_processed(f"maildir:{key}")
    assert mailbox.Maildir(maildir).get_folder("已处理").get_bytes(key) == RAW_GBK
    assert list(source.fetch_new(None)) == []


def test_wait_for_mail_wakes_on_delivery_only(maildir):
    deliver(maildir, b"Subject: old\r\n\r\nx\r\n")
    source = MaildirSource(maildir)
    list(source.fetch_new(None))
    assert source.wait_for_mail(0.2) is False  # the unprocessed old mail is not news
    threading.Timer(0.2, deliver, (maildir, RAW_GBK)).start()
    assert source.wait_for_mail(10) is True


def test_open_source_from_config(tmp_path):
    source = open_source(Endpoint(url=f"maildir:{tmp_path}/mail"))
    assert isinstance(source, MaildirSource) and (tmp_path / "mail" / "new").is_dir()
