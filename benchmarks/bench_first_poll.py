"""The first poll of a full mailbox, and an empty poll, against mbsync on the same Dovecot.

    python benchmarks/bench_first_poll.py [--mails 5000] [--firsts 3] [--rounds 5]
                                          [--syncs 300]

One loopback Dovecot (STARTTLS, as a real deployment), users filled with the
same small mails (staff chatter and auto-replies, bench_poll_cost.plain_mail), a
fresh one for each first poll; `--firsts` pairs of first polls, the tools taking
turns to go first, give the median of each and of the pairs' ratios. One of a pair
is read by `mailbot poll --once` (the console script beside the Python that runs the
benchmark, as an operator types it, running this tree: start-up,
login, fetch, archive, record, commit), the other by `mbsync` (isync, into a
Maildir, FSync on, its default). Then the empty poll of each, median of `--rounds`
runs; the tree's bytecode is compiled first, as pip compiles an installed wheel
(installed.py). With `--syncs N` both tools also read N more mails under `strace -c` to count
fsync, fdatasync and syncfs calls per mail. The empty poll is also timed for a bare
Python script that has the same IMAP conversation (but ID) and imports only imapclient, ssl and
sqlite3: what any Python poll pays before its own code. Goals: first poll within 1.5x of mbsync, empty
poll within 2.5x (its start-up: see docs/benchmarks.md).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_poll_cost import plain_mail  # noqa: E402
from installed import compile_tree  # noqa: E402
from tests.servers import PASSWORD, make_cert, running_dovecot, running_smtp, site_config  # noqa: E402

ENV = "MAILBOT_BENCH_IMAP_PASSWORD"
MBSYNC = """IMAPAccount bench
Host 127.0.0.1
Port {port}
User {user}
Pass {password}
SSLType STARTTLS
CertificateFile {cert}

IMAPStore remote
Account bench

MaildirStore local
Path {folder}/
Inbox {folder}/INBOX

Channel sync
Far :remote:
Near :local:
Patterns INBOX
Create Near
Sync Pull
SyncState *
"""


def fill(dovecot, user: str, first: int, count: int) -> None:
    """`count` distinct small mails, numbered from `first`, by MULTIAPPEND, then written
    out (sync) so that the timed run starts with a clean disk."""
    client = dovecot.client(user)
    try:
        for start in range(first, first + count, 500):
            client.multiappend("INBOX", [plain_mail(n) for n in
                                         range(start, min(first + count, start + 500))])
    finally:
        client.logout()
    os.sync()  # Dovecot's writes reach the disk now: no tool's sync pays for them


class Runner:
    """One tool pointed at one Dovecot user: `run()` is one sync (timed), as a command."""

    def __init__(self, command: list[str], env: dict[str, str], user: str):
        self.command, self.env, self.user = command, env, user

    def run(self, strace: bool = False) -> tuple[float, int]:
        """(wall seconds, fsync + fdatasync calls when `strace`)."""
        command = self.command
        if strace:
            command = ["strace", "-f", "-c", "-e", "trace=fsync,fdatasync,syncfs", "-o",
                       str(self.env["STRACE_OUT"]), *command]
        started = time.perf_counter()
        subprocess.run(command, env=self.env, check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE)
        elapsed = time.perf_counter() - started
        return elapsed, _syncs(Path(self.env["STRACE_OUT"])) if strace else 0


def _syncs(report: Path) -> int:
    return sum(int(m.group(1)) for m in re.finditer(r"^\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)"
                                                    r"(?:\s+\d+)?\s+(?:f(?:data)?sync|syncfs)$",
                                                    report.read_text(), re.MULTILINE))


def mailbot(folder: Path, dovecot, smtp, user: str) -> Runner:
    site = folder / f"mailbot-{user}"
    site.mkdir()
    config = site_config(site, dovecot, user, smtp, ENV)
    env = dict(os.environ, PYTHONPATH=str(ROOT), SSL_CERT_FILE=str(dovecot.cert.cert),
               STRACE_OUT=str(site / "strace.txt"), **{ENV: PASSWORD})
    return Runner([*command_of(), "--config", str(config), "poll", "--once", "--quiet"], env,
                  user)


def command_of() -> list[str]:
    """`mailbot` as an operator types it: the console script beside this Python (with
    PYTHONPATH=ROOT it runs this tree), else `python -m mailbot`."""
    script = Path(sys.executable).with_name("mailbot")
    return [str(script)] if script.exists() else [sys.executable, "-m", "mailbot"]


BARE_POLL = """\
import os, sqlite3, ssl, sys
import imapclient
host, port, user, cafile, store = sys.argv[1:6]
sqlite3.connect(store).execute("CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value TEXT)")
client = imapclient.IMAPClient(host, port=int(port), ssl=False, timeout=30)
client.starttls(ssl.create_default_context(cafile=cafile))
client.login(user, os.environ["BARE_PASSWORD"])
client.select_folder("INBOX", readonly=True)
client.search(["UID", "1000000:*"])
client.logout()
"""


def bare_python(folder: Path, dovecot, user: str) -> Runner:
    """The empty poll's floor in Python: the same conversation by a script that imports only
    imapclient, ssl and sqlite3 (no CLI, config, logging or mailbot), started the same way."""
    return Runner([sys.executable, "-c", BARE_POLL, "127.0.0.1", str(dovecot.port), user,
                   str(dovecot.cert.cert), str(folder / "bare.sqlite3")],
                  dict(os.environ, BARE_PASSWORD=PASSWORD), user)


def mbsync(folder: Path, dovecot, user: str) -> Runner:
    site = folder / f"mbsync-{user}"
    (site / "mail").mkdir(parents=True)
    conf = site / "mbsyncrc"
    conf.write_text(MBSYNC.format(port=dovecot.port, user=user, password=PASSWORD,
                                  cert=dovecot.cert.cert, folder=site / "mail"))
    return Runner(["mbsync", "-c", str(conf), "-a", "-q"],
                  dict(os.environ, STRACE_OUT=str(site / "strace.txt")), user)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mails", type=int, default=5000)
    parser.add_argument("--firsts", type=int, default=3,
                        help="first polls of each tool, a fresh mailbox each, in pairs")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--syncs", type=int, default=300,
                        help="mails read under strace to count disk syncs (0: skip)")
    args = parser.parse_args()
    if not shutil.which("mbsync"):
        sys.exit("mbsync not found: apt-get install isync")
    compile_tree(ROOT)  # started as an installed mailbot starts (installed.py)
    folder = Path(tempfile.mkdtemp(prefix="mailbot-bench-first-"))
    with running_dovecot(make_cert(folder)) as dovecot, running_smtp() as smtp:
        tools = {"mailbot": lambda user: mailbot(folder, dovecot, smtp, user),
                 "mbsync": lambda user: mbsync(folder, dovecot, user)}
        first, runners = first_polls(dovecot, tools, args.mails, args.firsts)
        empty = {name: statistics.median(runner.run()[0] for _ in range(args.rounds))
                 for name, runner in runners.items()}
        syncs = {}
        if args.syncs and shutil.which("strace"):
            for name, runner in runners.items():
                fill(dovecot, runner.user, args.mails, args.syncs)
                syncs[name] = runner.run(strace=True)[1] / args.syncs
        bare = bare_python(folder, dovecot, runners["mbsync"].user)
        bare.run()
        empty["python"] = statistics.median(bare.run()[0] for _ in range(args.rounds))
    report(args, first, empty, syncs)


def first_polls(dovecot, tools: dict, mails: int, pairs: int) -> tuple[dict, dict]:
    """Each tool's first poll of `mails` mails, `pairs` times, each time a fresh user
    filled just before; the two tools take turns to go first (on this virtual machine
    the same poll's system time went from 1.0 s to 1.8 s from one minute to the next).
    Each tool's times, pair by pair, and the runners of the last pair."""
    first: dict[str, list[float]] = {name: [] for name in tools}
    runners = {}
    for pair in range(pairs):
        order = list(tools) if pair % 2 == 0 else list(reversed(tools))
        for name in order:
            user = dovecot.new_user()
            fill(dovecot, user, 0, mails)
            runners[name] = tools[name](user)
            first[name].append(runners[name].run()[0])
    return first, runners


def report(args, first: dict, empty: dict, syncs: dict) -> None:
    load = Path("/proc/loadavg").read_text().split()[0]
    print(f"loopback Dovecot, STARTTLS; load average {load}; command: python "
          f"benchmarks/bench_first_poll.py --mails {args.mails} --firsts {args.firsts} "
          f"--rounds {args.rounds} --syncs {args.syncs}")
    ratios = [a / b for a, b in zip(first["mailbot"], first["mbsync"])]
    print(f"  first poll of {args.mails} mails (median of {args.firsts}): mailbot "
          f"{statistics.median(first['mailbot']):7.2f} s   mbsync "
          f"{statistics.median(first['mbsync']):7.2f} s   ratio {statistics.median(ratios):.2f}"
          f"   (goal <= 1.5; each pair {', '.join(f'{r:.2f}' for r in ratios)})")
    print(f"  empty poll (median of {args.rounds}): mailbot {empty['mailbot'] * 1000:7.0f} ms   "
          f"mbsync {empty['mbsync'] * 1000:7.0f} ms   "
          f"ratio {empty['mailbot'] / empty['mbsync']:.2f}   (goal <= 2.5)")
    print(f"  the same empty poll by a bare Python script (imapclient, ssl, sqlite3): "
          f"{empty['python'] * 1000:.0f} ms, {empty['python'] / empty['mbsync']:.2f}x mbsync's")
    if syncs:
        print(f"  fsync + fdatasync + syncfs per mail ({args.syncs} mails under strace): "
              f"mailbot {syncs['mailbot']:.2f}   mbsync {syncs['mbsync']:.2f}")


if __name__ == "__main__":
    main()
