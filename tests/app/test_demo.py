"""`mailbot demo`: the newcomer's first command, run as they would run it."""

import os
import subprocess
import sys
from pathlib import Path

import docx
import pytest

ROOT = Path(__file__).resolve().parents[2]
TITLE = "为全区妇女儿童办实事工作进展情况汇总表"


def run_demo(folder: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mailbot", "demo", "--dir", str(folder)],
                          cwd=folder.parent, env={**os.environ, "PYTHONPATH": str(ROOT)},
                          capture_output=True, text=True, timeout=300)


@pytest.mark.slow  # the whole cycle twice, as a separate process: the smoke test of the CLI
def test_demo_runs_the_whole_cycle_and_again(tmp_path):
    folder = tmp_path / "demo"
    first = run_demo(folder)
    assert first.returncode == 0, first.stderr
    assert "按时报送11个，逾期报送2个，材料不全2个，未报送3个" in first.stdout
    assert "待人工审核：1 封" in first.stdout
    report = docx.Document(folder / f"2026年第三季度{TITLE}.docx")
    [table] = report.tables
    seqs = [row.cells[0].text.strip() for row in table.rows[1:]]
    assert sorted(set(seqs), key=int) == [str(n) for n in range(1, 11)]
    [item7] = [row for row in table.rows[1:] if row.cells[0].text == "7"]
    assert "（未报送）" in item7.cells[3].text  # 区应急管理局 never wrote
    receipts = list((folder / "var" / "outbox").glob("*.eml"))
    assert len(receipts) == 23  # 16 receipts, 1 held notice, 5 reminders, 1 summary
    status = subprocess.run([sys.executable, "-m", "mailbot", "--config",
                             str(folder / "config.toml"), "--now", "2026-10-12T10:00", "status"],
                            env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True,
                            text=True, timeout=120)
    assert status.returncode == 0, status.stderr
    assert "邮箱最近一次读取：2026-10-12 10:00" in status.stdout, status.stdout  # not 从未读取
    again = run_demo(folder)  # starts afresh, same result
    assert again.returncode == 0, again.stderr
    assert "按时报送11个，逾期报送2个，材料不全2个，未报送3个" in again.stdout
    assert len(list((folder / "var" / "outbox").glob("*.eml"))) == 23


def test_demo_refuses_a_folder_it_did_not_make(tmp_path):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "precious.txt").write_text("keep me")
    result = run_demo(folder)
    assert result.returncode != 0 and "不是演示程序建立的目录" in result.stderr
    assert (folder / "precious.txt").read_text() == "keep me"
