"""Issue 12, finding 14: a server that answers a byte at a time is cut off at the send's
overall deadline, and it never holds up intake (the outbox job sends; intake queues).
The slow server is a real TCP listener on loopback that trickles its greeting."""

from __future__ import annotations

import socket
import threading
import time
from contextlib import contextmanager

import pytest

from mailbot.app.live import LiveConfig
from mailbot.app.worker import intake_loop, outbox_loop
from mailbot.config import load
from mailbot.outgoing.smtp import SmtpSettings, SmtpTransport, TransportError
from mailbot.store import Store
from tests.app.test_freshness import DUE_DAY, deliver, waiting_report
from tests.pipeline import write_config


@contextmanager
def trickling_server(every: float = 0.5):
    """Accepts connections and sends "220 " one byte per `every` seconds, never a line end."""
    listener = socket.create_server(("127.0.0.1", 0))
    stopping = threading.Event()
    connections: list[socket.socket] = []

    def serve(connection: socket.socket) -> None:
        with connection:
            while not stopping.is_set():
                try:
                    connection.sendall(b"2")
                except OSError:
                    return
                stopping.wait(every)

    def accept() -> None:
        listener.settimeout(0.2)
        while not stopping.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            connections.append(connection)
            threading.Thread(target=serve, args=(connection,), daemon=True).start()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1], connections
    finally:
        stopping.set()
        thread.join()
        listener.close()


def test_a_byte_every_half_second_is_cut_off_at_the_deadline():
    with trickling_server() as (port, _):
        transport = SmtpTransport(SmtpSettings("127.0.0.1", port, "smtp", timeout=2,
                                               deadline=3))
        started = time.monotonic()
        with pytest.raises(TransportError, match="took longer than 3 s") as raised:
            transport.send(b"Subject: x\r\n\r\nx\r\n", "a@example.org", ["b@example.org"])
        took = time.monotonic() - started
    assert 2.9 < took < 5, took  # each read was within its 2 s timeout: only the deadline cut
    assert raised.value.temporary and not raised.value.mail_specific  # waits, counts nothing


@pytest.mark.slow
def test_intake_records_mail_while_the_outbox_is_stuck_on_a_slow_server(tmp_path):
    with trickling_server() as (port, connections):
        config = load(write_config(tmp_path, edit=lambda text: text.replace(
            'url = "outbox:var/outbox"', f'url = "smtp://127.0.0.1:{port}"')))
        live, stop, wake = LiveConfig(config), threading.Event(), threading.Event()
        threads = [threading.Thread(target=outbox_loop, args=(live, lambda: DUE_DAY, stop, wake)),
                   threading.Thread(target=intake_loop,
                                    args=(live, lambda: DUE_DAY, stop, wake.set))]
        for thread in threads:
            thread.start()
        try:
            waiting_report(config)  # recorded; its receipt goes to the slow server
            wait_until(lambda: connections, 30)
            deliver(config, STRANGER, "2.eml")  # arrives while the outbox is held there
            held_since = time.monotonic()
            recorded = wait_until(lambda: len(messages(config)) == 2, 30)
            took = time.monotonic() - held_since
        finally:
            stop.set()
    for thread in threads:
        thread.join(timeout=30)
    assert recorded, "intake went on while the outbox waited on the server"
    assert all(not thread.is_alive() for thread in threads)
    print(f"\nsecond mail recorded {took:.1f} s after it arrived, the outbox held meanwhile")


STRANGER = b"From: nobody@163.com\r\nTo: x@y\r\nSubject: hi\r\n\r\nhi\r\n"


def wait_until(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def messages(config) -> list:
    store = Store(config.store_path, config.archive_path)
    try:
        return store.messages()
    finally:
        store.close()
