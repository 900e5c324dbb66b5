"""Peak memory of reading large mails over IMAP: one FETCH per byte budget, not per 20 mails.

A real Dovecot on loopback holds N mails of M MB each; ImapSource.fetch_new hands them
out one at a time, as the poll loop consumes them. Python's allocations are traced
(tracemalloc) while fetching with the byte budget (batch_bytes, default 8 MB) and with
an unlimited budget (the old behaviour: 20 bodies per FETCH). Goal: the peak stays
near two mails' size, whatever N.

    python benchmarks/bench_fetch_memory.py [--mails 20] [--mb 5]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mailbot.mailbox.imap import ImapSettings, ImapSource  # noqa: E402
from tests.servers import PASSWORD, make_cert, running_dovecot  # noqa: E402

ENV = "MAILBOT_BENCH_IMAP_PASSWORD"


def peak_mb(server, user: str, batch_bytes: int) -> float:
    source = ImapSource(ImapSettings(host="127.0.0.1", port=server.port, user=user,
                                     implicit_tls=False, password_env=ENV, timeout=60,
                                     batch_bytes=batch_bytes),
                        ssl_context=server.cert.client_context())
    tracemalloc.start()
    count = sum(1 for _mail in source.fetch_new(None))  # each mail dropped when the next comes
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    source.close()
    assert count > 0
    return peak / 1024 / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mails", type=int, default=20)
    parser.add_argument("--mb", type=int, default=5)
    args = parser.parse_args()
    os.environ[ENV] = PASSWORD
    with tempfile.TemporaryDirectory() as scratch, \
            running_dovecot(make_cert(Path(scratch))) as server:
        user = server.new_user()
        body = b"x" * (args.mb * 1024 * 1024)
        for n in range(args.mails):
            server.append(user, f"From: a@b.example\r\nSubject: {n}\r\n\r\n".encode() + body)
        budgeted = peak_mb(server, user, ImapSettings.batch_bytes)
        unlimited = peak_mb(server, user, 1 << 40)
    print(f"{args.mails} mails of {args.mb} MB over IMAP (Dovecot, loopback)")
    print(f"  peak traced memory, batch_bytes = 8 MB : {budgeted:7.1f} MB")
    print(f"  peak traced memory, 20 per FETCH (old)  : {unlimited:7.1f} MB")


if __name__ == "__main__":
    main()
