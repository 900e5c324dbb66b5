"""From a unit's mail arriving to its receipt leaving, with IDLE, on loopback.

The real intake loop (mailbot.app.worker.intake_loop, as `mailbot run` runs it) watches a
Dovecot INBOX with IDLE and answers through aiosmtpd. Each round APPENDs one unit's
mail (a filled DOCX form and a stamped scanned PDF) and times until the receipt
reaches the SMTP server. Goal: median under 5 s (Dovecot itself waits 0.5 s
before it tells an idle client about new mail).

    python benchmarks/bench_idle_latency.py [--rounds 20]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mailbot.app import samples  # noqa: E402
from mailbot.config import load  # noqa: E402
from mailbot.app.live import LiveConfig  # noqa: E402
from mailbot.app.pipeline import flush_outbox  # noqa: E402
from mailbot.app.worker import intake_loop, opened  # noqa: E402
from tests.servers import (PASSWORD, make_cert, running_dovecot, running_smtp,  # noqa: E402
                           site_config)

ENV = "MAILBOT_BENCH_IMAP_PASSWORD"
UNITS = ("区人社局", "区卫健局", "区残联", "区法院", "区检察院")


def unit_mail(campaign, round_no: int) -> bytes:
    unit = UNITS[round_no % len(UNITS)]
    files = [("进展.docx", samples.form_docx(campaign, unit, "2026Q3")),
             ("盖章.pdf", samples.scanned_pdf())]
    return samples.report_mail(campaign.unit(unit).emails[0], campaign.federation_emails[0],
                               f"{unit}三季度进展（第{round_no}次）", datetime.now(timezone.utc),
                               files, message_id=f"<bench-{round_no}-{time.time_ns()}@x>")


def wait_for(received: list, count: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while len(received) < count:
        if time.monotonic() > deadline:
            raise SystemExit(f"no receipt after {seconds} s")
        time.sleep(0.01)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    rounds = parser.parse_args().rounds
    folder = Path(tempfile.mkdtemp(prefix="mailbot-bench-idle-"))
    os.environ[ENV] = PASSWORD
    with running_dovecot(make_cert(folder)) as dovecot, running_smtp() as smtp:
        os.environ["SSL_CERT_FILE"] = str(dovecot.cert.cert)  # STARTTLS to the test server
        user = dovecot.new_user()
        config = load(site_config(folder, dovecot, user, smtp, ENV))
        stop = threading.Event()
        clock = lambda: datetime.now(timezone.utc)  # noqa: E731

        def send() -> None:  # intake never sends: it has the outbox flushed, as the worker does
            with opened(config, clock) as ctx:
                flush_outbox(ctx, ctx.transport)

        loop = threading.Thread(target=intake_loop, args=(LiveConfig(config), clock, stop, send))
        loop.start()
        time.sleep(1.0)  # let the loop log in and enter IDLE
        mails = [unit_mail(config.campaign, n) for n in range(rounds)]  # built before timing
        latencies = []
        try:
            for number, raw in enumerate(mails, start=1):
                started = time.perf_counter()
                dovecot.append(user, raw)
                wait_for(smtp.received, number)
                latencies.append(time.perf_counter() - started)
        finally:
            stop.set()
            loop.join(timeout=30)
    latencies.sort()
    p90 = latencies[max(0, int(round(0.9 * len(latencies))) - 1)]
    print(f"IDLE mail -> receipt, {rounds} mails (DOCX + stamped PDF) on loopback Dovecot + aiosmtpd")
    print(f"  median {statistics.median(latencies):6.2f} s   p90 {p90:6.2f} s   "
          f"min {latencies[0]:6.2f} s   max {latencies[-1]:6.2f} s   (goal: median < 5 s)")


if __name__ == "__main__":
    main()
