"""The `mailbot` command as a user runs it: exit codes, JSON contracts, review."""

import json
import os

import pytest
from datetime import datetime, timezone


from mailbot.app import samples
from mailbot.config import load
from tests.invoke import mailbot

SEPT = datetime(2026, 9, 28, 2, tzinfo=timezone.utc)


def save_mail(site, name, unit, sender=None, texts=None, when=SEPT):
    campaign = load(site / "config.toml").campaign
    raw = samples.report_mail(sender or campaign.unit(unit).emails[0],
                              campaign.federation_emails[0], f"{unit}2026年三季度进展", when,
                              [("表.docx", samples.form_docx(campaign, unit, "2026Q3", texts))])
    path = site / name
    path.write_bytes(raw)
    os.utime(path, (when.timestamp(), when.timestamp()))  # ingest dates a mail by its file
    return path


def status(site):
    out = mailbot("--now", "2026-10-12T10:00", "status", "--quarter", "2026Q3", "--json",
                  cwd=site).stdout
    return {u["unit"]: u for u in json.loads(out)["units"]}


def test_ingest_twice_records_once_and_status_shows_it(site):
    path = save_mail(site, "a.eml", "区人社局")
    first = mailbot("ingest", str(path), cwd=site)
    assert "已计入 区人社局2026年第三季度" in first.stdout
    assert "重复邮件：此前已收到" in mailbot("ingest", str(path), cwd=site).stdout
    unit = status(site)["区人社局"]
    assert unit["state"] == "incomplete" and unit["electronic"] and unit["items"] == [1]
    assert status(site)["区妇联"]["state"] == "missing"


def test_correction_supersedes_in_status(site):
    mailbot("ingest", str(save_mail(site, "a.eml", "区人社局", texts={1: "第一稿"})), cwd=site)
    later = save_mail(site, "b.eml", "区人社局", texts={1: "更正稿"},
                      when=SEPT.replace(day=29))
    mailbot("ingest", str(later), cwd=site)
    assert status(site)["区人社局"]["received_at"].startswith("2026-09-29")


def test_held_mail_counts_for_nobody_until_accepted(site):
    path = save_mail(site, "a.eml", "团区委", sender="someone@163.com")
    assert "待人工审核 团区委2026年第三季度" in mailbot("ingest", str(path), cwd=site).stdout
    assert status(site)["团区委"]["state"] == "missing"
    listing = mailbot("review", cwd=site).stdout
    assert "原因：发件地址未登记为该单位的报送邮箱" in listing
    mail_id = listing.splitlines()[1].split()[0]
    assert "已计入 团区委2026年第三季度" in mailbot("review", "accept", mail_id, cwd=site).stdout
    assert status(site)["团区委"]["electronic"] is True
    again = mailbot("review", "accept", mail_id, cwd=site, check=False)
    assert again.returncode == 1 and "已计入团区委2026年第三季度" in again.stderr


def test_bad_config_exits_2_naming_the_key(site):
    text = (site / "config.toml").read_text(encoding="utf-8")
    (site / "config.toml").write_text(text.replace('units = ["区应急管理局"]',
                                                   'units = ["应急局"]'), encoding="utf-8")
    result = mailbot("check", cwd=site, check=False)
    assert result.returncode == 2
    assert "第7个[[items]]的 units 第1项：“应急局”不在 [[units]] 中" in result.stderr


def test_missing_config_names_the_path(tmp_path):
    result = mailbot("--config", "nope.toml", "status", cwd=tmp_path, check=False)
    assert result.returncode == 2 and str(tmp_path / "nope.toml") in result.stderr


def test_bad_quarter_and_bad_now_are_usage_errors(site):
    assert mailbot("status", "--quarter", "2027Q1", cwd=site, check=False).returncode == 2
    assert mailbot("--now", "yesterday", "status", cwd=site, check=False).returncode == 2


def test_extract_json_prints_the_rows_of_a_form(site):
    campaign = load(site / "config.toml").campaign
    (site / "f.docx").write_bytes(samples.form_docx(campaign, "区妇联", "2026Q3"))
    [result] = json.loads(mailbot("extract", "--json", "f.docx", cwd=site).stdout)
    assert result["format"] == "docx" and result["has_form"] and result["error"] is None
    assert [row["seq"] for row in result["rows"]] == [1, 2, 4, 9]
    assert result["rows"][0]["progress"] == samples.progress_text("区妇联", 1, "2026Q3")


@pytest.mark.slow  # the connection is tried again with backoff before the poll gives up
def test_a_mailbox_that_cannot_be_reached_is_said_plainly(site, monkeypatch):
    """A real refused connection (nothing listens on the port), as a moved server gives."""
    import socket

    with socket.socket() as probe:  # a free port, closed again before the poll
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = site / "config.toml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        'url = "maildir:var/mail"', f'url = "imap://bot@127.0.0.1:{port}/INBOX"'), encoding="utf-8")
    monkeypatch.setenv("MAILBOT_IMAP_PASSWORD", "secret")
    result = mailbot("poll", "--once", cwd=site, check=False)
    assert result.returncode == 1
    said = result.stderr.splitlines()[-1]  # after the log's lines
    assert said.startswith(f"邮箱暂时无法读取：IMAP 服务器 127.0.0.1:{port}：连接被拒绝"), said
    assert "mailbot check" in said and "Error" not in result.stderr
