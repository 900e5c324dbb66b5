"""Robustness over the public corpus: real files from other projects' test suites.

    python scripts/robustness.py [CORPUS] [--timeout SECONDS] [--jobs N]

CORPUS defaults to ../shared/public-corpus beside the checkout (or $MAILBOT_CORPUS).
Every document in CORPUS/docx and CORPUS/pdf goes through `mailbot extract --json`,
and every mail in CORPUS/eml through `mailbot ingest` into a fresh store with the
shipped config (outbox: a folder), each in its own process with a time limit.
Each must be read or refused with a clear error: no traceback, no hang, and, as
none of the senders is a registered unit, no mail queued or sent. Prints a table
and exits 1 on any violation (2 when the corpus is missing).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from mailbot.config import PACKAGED_CONFIG
from mailbot.core.models import MailState

ROOT = Path(__file__).resolve().parent.parent
NOW = "2026-10-12T10:00"


@dataclass(frozen=True)
class Result:
    kind: str
    path: Path
    seconds: float
    verdict: str  # read | refused | VIOLATION
    detail: str = ""


def mailbot(args: list[str], config: Path, timeout: float) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "mailbot", "--config", str(config), "--now",
                           NOW, *args], capture_output=True, text=True, env=env,
                          timeout=timeout)


def timed(kind: str, path: Path, check, timeout: float) -> Result:
    start = time.monotonic()
    try:
        verdict, detail = check()
    except subprocess.TimeoutExpired:
        verdict, detail = "VIOLATION", f"no answer within {timeout:g} s"
    return Result(kind, path, time.monotonic() - start, verdict, detail)


def check_document(path: Path, config: Path, timeout: float) -> tuple[str, str]:
    """`extract --json`: a JSON array, every error a plain line, nothing on stderr but logs."""
    result = mailbot(["extract", "--json", str(path)], config, timeout)
    if "Traceback" in result.stderr or result.returncode not in (0, 1):
        return "VIOLATION", f"exit {result.returncode}: {result.stderr.strip()[-300:]}"
    try:
        found = json.loads(result.stdout)
    except json.JSONDecodeError:
        return "VIOLATION", f"not JSON: {result.stdout[:200]!r}"
    errors = [item["error"] for item in found if item["error"]]
    bad = [e for e in errors if "Traceback" in e or "\n" in e or len(e) > 400]
    if bad or not found:
        return "VIOLATION", f"unclear error: {(bad or ['no result'])[0][:200]!r}"
    return ("refused", errors[0]) if len(errors) == len(found) else ("read", "")


def check_mail(path: Path, config: Path, timeout: float) -> tuple[str, str]:
    """`ingest`: recorded in some state, no traceback, exit 0 (1 would mean a failed mail)."""
    result = mailbot(["ingest", str(path)], config, timeout)
    if "Traceback" in result.stderr + result.stdout or result.returncode != 0:
        return "VIOLATION", f"exit {result.returncode}: {(result.stderr or result.stdout)[-300:]}"
    line = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""
    outcome = line.split("：", 1)[-1]  # "[1/1] NAME：已计入 …", as `ingest` says it
    return ("read" if outcome.startswith(MailState.DONE.zh) else "refused"), outcome


def fresh_site(folder: Path) -> Path:
    shutil.copyfile(PACKAGED_CONFIG, folder / "config.toml")
    return folder / "config.toml"


def nothing_sent(config: Path, timeout: float) -> list[str]:
    """Flush the outbox as the worker would; the store must hold no outgoing mail at all."""
    site = config.parent
    (site / "var" / "mail").mkdir(parents=True, exist_ok=True)
    result = mailbot(["poll", "--once"], config, timeout)
    problems = [f"poll --once: exit {result.returncode}: {result.stderr[-300:]}"] \
        if result.returncode != 0 else []
    with sqlite3.connect(site / "var" / "mailbot.sqlite3") as db:
        queued = db.execute("SELECT kind, recipients FROM outgoing").fetchall()
        recorded = db.execute("SELECT count(*) FROM messages").fetchone()[0]
    problems += [f"mail queued: {kind} to {to}" for kind, to in queued]
    outbox = site / "var" / "outbox"
    problems += [f"mail sent: {p.name}" for p in outbox.glob("*")] if outbox.exists() else []
    return problems + ([] if recorded else ["no mail was recorded in the store"])


def table(results: list[Result]) -> str:
    lines = [f"{'kind':6} {'files':>5} {'read':>5} {'refused':>7} {'violations':>10} "
             f"{'slowest':>8}"]
    for kind in ("docx", "pdf", "eml"):
        mine = [r for r in results if r.kind == kind]
        if mine:
            count = {v: sum(r.verdict == v for r in mine) for v in ("read", "refused", "VIOLATION")}
            lines.append(f"{kind:6} {len(mine):5} {count['read']:5} {count['refused']:7} "
                         f"{count['VIOLATION']:10} {max(r.seconds for r in mine):7.1f}s")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=Path(
        os.environ.get("MAILBOT_CORPUS") or ROOT.parent / "shared" / "public-corpus"))
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per file")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    args = parser.parse_args()
    folders = {kind: args.corpus / kind for kind in ("docx", "pdf", "eml")}
    if not all(folder.is_dir() for folder in folders.values()):
        print(f"public corpus not found at {args.corpus} (expected docx/, pdf/, eml/)",
              file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="mailbot-robustness-") as scratch:
        config = fresh_site(Path(scratch))
        documents = [(kind, p) for kind in ("docx", "pdf") for p in sorted(folders[kind].iterdir())]
        with ThreadPoolExecutor(args.jobs) as pool:
            results = list(pool.map(lambda job: timed(
                job[0], job[1], lambda: check_document(job[1], config, args.timeout),
                args.timeout), documents))
        # one writer at a time: ingest runs in order, as the worker does
        results += [timed("eml", p, lambda p=p: check_mail(p, config, args.timeout),
                          args.timeout) for p in sorted(folders["eml"].iterdir())]
        sent = nothing_sent(config, args.timeout)
    print(table(results))
    violations = [r for r in results if r.verdict == "VIOLATION"]
    for r in violations:
        print(f"VIOLATION {r.kind} {r.path.name}: {r.detail}")
    for problem in sent:
        print(f"VIOLATION outbox: {problem}")
    print("ok: every file read or refused plainly, no mail sent" if not violations and not sent
          else f"{len(violations) + len(sent)} violation(s)")
    return 1 if violations or sent else 0


if __name__ == "__main__":
    sys.exit(main())
