"""The worker as a real subprocess: jobs run, one instance only, SIGTERM/SIGINT stop it cleanly."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = textwrap.dedent("""
    import logging, sys, time
    from pathlib import Path
    from mailbot.app.lock import AlreadyRunning
    from mailbot.app.scheduler import Job, run

    out = Path(sys.argv[1])
    logging.basicConfig(level=logging.INFO, stream=sys.stderr)

    def tick():
        with open(out / "tick", "a") as f:
            f.write("t\\n")

    def slow():
        with open(out / "slow", "a") as f:
            f.write("start\\n")
        time.sleep(0.8)
        with open(out / "slow", "a") as f:
            f.write("end\\n")

    def broken():
        raise RuntimeError("boom")

    try:
        run([Job("tick", tick, 0.2), Job("slow", slow, 60), Job("broken", broken, 0.3)],
            out / "worker.lock", "Asia/Shanghai")
    except AlreadyRunning as error:
        sys.exit(str(error))
    print("clean exit")
""")


def start(tmp_path: Path) -> subprocess.Popen:
    script = tmp_path / "worker_script.py"
    script.write_text(SCRIPT, encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.Popen([sys.executable, str(script), str(tmp_path)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_for(path: Path, text: str, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and text in path.read_text():
            return
        time.sleep(0.02)
    raise AssertionError(f"{path} never contained {text!r}")


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_signal_stops_after_the_job_in_hand(tmp_path, signum):
    worker = start(tmp_path)
    wait_for(tmp_path / "slow", "start")
    time.sleep(0.3)  # let tick run a few times, while slow is still in hand
    worker.send_signal(signum)
    out, err = worker.communicate(timeout=30)
    assert worker.returncode == 0, err
    assert out.strip() == "clean exit"
    assert (tmp_path / "slow").read_text() == "start\nend\n"
    assert (tmp_path / "tick").read_text().count("t") >= 2
    assert "job broken failed" in err and "RuntimeError: boom" in err
    assert "stopping: letting the jobs in hand finish" in err and "worker stopped" in err


def test_a_second_instance_is_refused_with_a_clear_message(tmp_path):
    first = start(tmp_path)
    try:
        wait_for(tmp_path / "tick", "t")
        second = start(tmp_path)
        _, err = second.communicate(timeout=30)
        assert second.returncode == 1
        assert f"another mailbot worker is already running (pid {first.pid}" in err
    finally:
        first.send_signal(signal.SIGTERM)
        first.communicate(timeout=30)
    assert first.returncode == 0


def test_lock_is_free_after_a_kill(tmp_path):
    first = start(tmp_path)
    wait_for(tmp_path / "tick", "t")
    first.kill()
    first.communicate(timeout=30)
    (tmp_path / "tick").unlink()
    second = start(tmp_path)
    wait_for(tmp_path / "tick", "t")
    second.send_signal(signal.SIGTERM)
    out, err = second.communicate(timeout=30)
    assert second.returncode == 0, err
    assert f"worker started (pid {second.pid})" in err
