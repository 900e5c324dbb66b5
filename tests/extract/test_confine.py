"""A parser child, and LibreOffice, hold nothing a hostile file could abuse.

Each test tries, from inside the sandbox, what an exploited parser would try:
read the worker's secrets, write the store, reach a server on loopback.
"""

from __future__ import annotations

import http.server
import os
import socket
import threading
from datetime import datetime, timezone
from functools import partial

import pytest

from mailbot.extract import extract_attachment, sandbox
from mailbot.extract.confine import landlock_abi
from mailbot.extract.errors import ExtractError
from mailbot.store import Store
from tests.extract import escapes
from tests.forms import HEADER
from tests.tools import need_tool, require

SECRET = "correct-horse-battery"


def confined_kernel() -> None:
    require(landlock_abi() >= 4, "the kernel has no Landlock ABI 4 (Linux 6.7+) to test with")


def attempt(action, *args):
    """What `action(*args)` gives inside the sandbox: its value, or the name of its error."""
    return sandbox.run(partial(escapes.guarded, action, *args))


def test_the_child_has_no_secrets_in_its_environment(monkeypatch):
    monkeypatch.setenv("MAILBOT_IMAP_PASSWORD", SECRET)
    monkeypatch.setenv("MAILBOT_SMTP_PASSWORD", SECRET)
    environment = attempt(escapes.environment)
    assert SECRET not in repr(environment)
    assert set(environment) <= {"PATH", "LANG"}


def test_the_child_cannot_read_the_workers_environment_through_proc(monkeypatch):
    confined_kernel()
    monkeypatch.setenv("MAILBOT_IMAP_PASSWORD", SECRET)
    parent = os.getpid()
    got = attempt(escapes.read_text, f"/proc/{parent}/environ")
    assert got.startswith("refused"), got[:80]


@pytest.fixture
def store(tmp_path):
    opened = Store(tmp_path / "var" / "mailbot.sqlite3", tmp_path / "var" / "archive")
    yield opened
    opened.close()


def test_the_child_cannot_write_the_store(store):
    confined_kernel()
    path = str(store.path)
    before = store.path.read_bytes()
    assert attempt(escapes.overwrite, path, "r+b").startswith("refused")
    assert attempt(escapes.overwrite, path + "-journal", "wb").startswith("refused")
    assert attempt(os.unlink, path).startswith("refused")
    assert attempt(os.rename, path, path + ".gone").startswith("refused")
    assert store.path.read_bytes() == before
    assert tuple(store.db.execute("SELECT count(*) FROM messages").fetchone()) == (0,)


def test_the_child_inherits_no_open_descriptor_but_its_pipe(store):
    assert store.path.exists()
    descriptors = attempt(escapes.descriptors)
    assert len([fd for fd in descriptors if fd > 2]) <= 2  # the socket, and listdir's own


class Listener:
    """A TCP and a UDP socket on loopback that count what reaches them."""

    def __init__(self):
        self.tcp = socket.create_server(("127.0.0.1", 0))
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp.bind(("127.0.0.1", 0))
        self.udp.settimeout(0.5)
        self.tcp.settimeout(0.5)

    def reached(self) -> bool:
        try:
            self.tcp.accept()[0].close()
            return True
        except TimeoutError:
            pass
        try:
            return bool(self.udp.recv(100))
        except TimeoutError:
            return False


def test_the_child_cannot_open_a_connection():
    confined_kernel()
    listener = Listener()
    tcp_port, udp_port = listener.tcp.getsockname()[1], listener.udp.getsockname()[1]
    assert attempt(escapes.connect, tcp_port).startswith("refused")
    attempt(escapes.datagram, udp_port)  # may "succeed" into a namespace with no way out
    assert not listener.reached()


def test_a_parser_crash_inside_the_confinement_is_still_a_plain_error():
    with pytest.raises(ExtractError, match="文件内容不符合其格式"):
        sandbox.run(escapes.divide_by_zero)


class CountingHandler(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self):  # noqa: N802 (the http.server API)
        CountingHandler.hits.append(self.path)
        self.send_response(404)
        self.end_headers()

    do_OPTIONS = do_HEAD = do_GET

    def log_message(self, *args):
        pass


def word_web_page(campaign, beacon: str) -> bytes:
    """A Word "web page" saved as .doc: the form as an HTML table, with a remote image."""
    cells = "".join(f"<td>{name}</td>" for name in HEADER)
    item = campaign.items[0]
    row = (f"<td>1</td><td>{item.title}</td><td>{'、'.join(item.units)}</td>"
           "<td>举办招聘会12场，线上直播带岗30次。</td><td>2026年12月底</td>")
    return (f'<html><head><meta charset="utf-8"></head><body><p>填报单位：区人社局</p>'
            f'<img src="{beacon}"><link rel="stylesheet" href="{beacon}.css">'
            f"<table border=1><tr>{cells}</tr><tr>{row}</tr></table></body></html>"
            ).encode("utf-8")


@pytest.fixture
def beacon():
    CountingHandler.hits = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), CountingHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/beacon.png"
    server.shutdown()


@pytest.mark.slow
def test_a_word_web_page_is_read_and_fetches_nothing(campaign, beacon):
    need_tool("soffice")
    [extraction] = extract_attachment("区人社局进展.doc", word_web_page(campaign, beacon),
                                      campaign)
    assert extraction.error is None, extraction.error
    assert [(r.seq, r.progress) for r in extraction.rows] == [(1, "举办招聘会12场，线上直播带岗30次。")]
    assert CountingHandler.hits == []


@pytest.mark.slow
def test_a_word_mht_page_is_read(campaign, beacon):
    need_tool("soffice")
    html = word_web_page(campaign, beacon).decode("utf-8").replace('charset="utf-8"', "")
    mht = ("MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary=\"b1\"\r\n\r\n"
           "--b1\r\nContent-Type: text/html; charset=\"gb2312\"\r\n"
           "Content-Transfer-Encoding: 8bit\r\n\r\n").encode("ascii") + html.encode("gb18030") \
        + b"\r\n--b1--\r\n"
    [extraction] = extract_attachment("区人社局进展.doc", mht, campaign)
    assert extraction.error is None, extraction.error
    assert [r.seq for r in extraction.rows] == [1]
    assert "招聘会12场" in extraction.rows[0].progress
    assert CountingHandler.hits == []


def test_the_store_is_left_as_it_was_after_a_parse(store):
    before = store.path.stat().st_mtime_ns
    sandbox.run(partial(datetime.now, timezone.utc))
    assert store.path.stat().st_mtime_ns == before
