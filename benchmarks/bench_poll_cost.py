"""What a poll with no new mail costs on a big mailbox (5,000 processed mails) vs a small one (50).

Each mailbox is filled by MULTIAPPEND into a loopback Dovecot and processed once by
the real poll job (plain mails: staff chatter and auto-replies, so the fill stays
quick; how a mail was judged does not change what an empty poll does). Then an
empty poll is timed 20 times two ways: "warm" on the open connection, as the
`mailbot run` loop does, and "cold" with a fresh connection and login, as
`mailbot poll --once` does. Goal: 5,000 / 50 under 1.5.

    python benchmarks/bench_poll_cost.py [--big 5000] [--small 50] [--rounds 20]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mailbot.app import pipeline  # noqa: E402
from mailbot.config import load  # noqa: E402
from mailbot.mailbox import open_source  # noqa: E402
from tests.servers import (PASSWORD, make_cert, running_dovecot, running_smtp,  # noqa: E402
                           site_config)

ENV = "MAILBOT_BENCH_IMAP_PASSWORD"
NOW = datetime(2026, 10, 12, 2, tzinfo=timezone.utc)


def plain_mail(n: int) -> bytes:
    auto = "Auto-Submitted: auto-replied\r\n" if n % 2 else ""
    return (f"From: colleague{n % 37}@zichuan.example.org\r\nTo: fulian-office@zichuan.example.org\r\n"
            f"Subject: =?utf-8?b?5bel5L2c6IGU57uc?= {n}\r\nMessage-ID: <fill-{n}@bench>\r\n"
            f"Date: Mon, 28 Sep 2026 10:00:00 +0800\r\n{auto}"
            "Content-Type: text/plain; charset=utf-8\r\n\r\n"
            + "本周工作安排见附件说明。\r\n" * 20).encode()


def fill(dovecot, user: str, count: int) -> None:
    client = dovecot.client(user)
    try:
        for first in range(0, count, 500):
            client.multiappend("INBOX", [plain_mail(n) for n in range(first, min(count, first + 500))])
    finally:
        client.logout()


def measure(folder: Path, dovecot, smtp, count: int, rounds: int) -> tuple[float, float]:
    """(warm median, cold median) seconds of an empty poll after `count` processed mails."""
    user = dovecot.new_user()
    site = folder / f"site-{count}"
    site.mkdir()
    config = load(site_config(site, dovecot, user, smtp, ENV))
    fill(dovecot, user, count)
    ctx = pipeline.Context.open(config, lambda: NOW)
    source = open_source(config.mailbox)
    started = time.perf_counter()
    processed = pipeline.poll(ctx, source, tell=lambda where, outcome: None)
    print(f"  {count:>5} mails: first poll processed {len(processed)} in "
          f"{time.perf_counter() - started:6.1f} s")
    assert len(processed) == count, "the mailbox was not processed in full"

    def empty_poll(src) -> float:
        begun = time.perf_counter()
        assert pipeline.poll(ctx, src) == []
        return time.perf_counter() - begun

    warm = [empty_poll(source) for _ in range(rounds)]
    source.close()
    cold = []
    for _ in range(rounds):
        fresh = open_source(config.mailbox)
        cold.append(empty_poll(fresh))
        fresh.close()
    ctx.store.close()
    return statistics.median(warm), statistics.median(cold)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--big", type=int, default=5000)
    parser.add_argument("--small", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="mailbot-bench-poll-"))
    os.environ[ENV] = PASSWORD
    with running_dovecot(make_cert(folder)) as dovecot, running_smtp() as smtp:
        os.environ["SSL_CERT_FILE"] = str(dovecot.cert.cert)  # STARTTLS to the test server
        print("empty poll on loopback Dovecot (STARTTLS), median of", args.rounds)
        small = measure(folder, dovecot, smtp, args.small, args.rounds)
        big = measure(folder, dovecot, smtp, args.big, args.rounds)
    for label, index in (("warm (open connection, `mailbot run`)", 0),
                         ("cold (connect + login, `poll --once`)", 1)):
        print(f"  {label:<40} {args.small:>5}: {small[index] * 1000:7.1f} ms   "
              f"{args.big:>5}: {big[index] * 1000:7.1f} ms   ratio {big[index] / small[index]:.2f}"
              "   (goal < 1.5)")


if __name__ == "__main__":
    main()
