"""`mailbot review` acts on any recorded mail, as an operator runs it: undo a wrong
supersede, reassign, confirm a seal by hand; status and the report follow, and the
audit trail lists every action with who, when and why."""

import json
import os
import re
from datetime import timedelta

import docx

from mailbot.app import samples
from mailbot.config import load
from tests.cli.test_cli import SEPT
from tests.invoke import mailbot


def save(site, name, unit, files, when, subject=None, sender=None):
    campaign = load(site / "config.toml").campaign
    path = site / name
    path.write_bytes(samples.report_mail(sender or campaign.unit(unit).emails[0],
                                         campaign.federation_emails[0],
                                         subject or f"{unit}2026年三季度进展", when, files))
    os.utime(path, (when.timestamp(), when.timestamp()))  # ingest dates a mail by its file
    return path


def form(site, unit, text):
    campaign = load(site / "config.toml").campaign
    return ("报表.docx", samples.form_docx(campaign, unit, "2026Q3",
                                          {item.seq: text for item in campaign.items_of(unit)}))


def units(site):
    out = mailbot("--now", "2026-10-12T10:00", "status", "--quarter", "2026Q3", "--json",
                  cwd=site).stdout
    return {u["unit"]: u for u in json.loads(out)["units"]}


def mail_ids(site):
    listing = mailbot("review", "--all", cwd=site).stdout.splitlines()
    return [line.split()[0] for line in listing[1:] if line[:1].isdigit()]


def report_text(site):
    target = site / "report.docx"
    mailbot("--now", "2026-10-12T10:00", "compile", "--quarter", "2026Q3", "-o", str(target),
            cwd=site)
    return "\n".join(cell.text for table in docx.Document(target).tables
                     for row in table.rows for cell in row.cells)


def test_rejecting_a_wrong_supersede_brings_the_earlier_form_back(site):
    good = save(site, "a.eml", "区人社局", [form(site, "区人社局", "招聘会12场"),
                                         ("盖章.pdf", samples.scanned_pdf())], SEPT)
    wrong = save(site, "b.eml", "区人社局", [form(site, "区人社局", "误发的上季度草稿")],
                 SEPT + timedelta(days=1))
    mailbot("ingest", str(good), str(wrong), cwd=site)
    assert "误发的上季度草稿" in report_text(site)
    first, second = mail_ids(site)
    rejected = mailbot("review", "reject", second, "--reason", "误发草稿", "--by", "王敏", cwd=site)
    assert "已退回 区人社局2026年第三季度：误发草稿" in rejected.stdout
    unit = units(site)["区人社局"]
    assert unit["state"] == "on_time" and unit["received_at"].startswith("2026-09-28")
    text = report_text(site)
    assert "招聘会12场" in text and "误发的上季度草稿" not in text
    log = mailbot("review", "log", cwd=site).stdout
    assert "王敏" in log and "reject" in log and "人工退回，不计入：误发草稿" in log
    again = mailbot("review", "accept", second, "--by", "王敏", cwd=site)  # undo the undo
    assert "已计入 区人社局2026年第三季度" in again.stdout
    assert "误发的上季度草稿" in report_text(site)
    assert len(mailbot("review", "log", second, cwd=site).stdout.splitlines()) == 5


def test_a_mail_is_reassigned_to_the_unit_it_was_written_for(site):
    # 区妇联's staff sent 区残联's form from their own address
    mail = save(site, "a.eml", "区妇联", [form(site, "区残联", "助残活动5次"),
                                       ("盖章.pdf", samples.scanned_pdf())], SEPT)
    mailbot("ingest", str(mail), cwd=site)
    [mail_id] = mail_ids(site)
    out = mailbot("review", "reassign", mail_id, "--unit", "区残联", "--reason", "代发",
                  "--by", "李华", cwd=site)
    assert "已计入 区残联2026年第三季度" in out.stdout
    now = units(site)
    assert now["区妇联"]["state"] == "missing" and now["区残联"]["state"] == "on_time"
    assert "区妇联2026年第三季度 → 区残联2026年第三季度，原为已计入" in mailbot("review", "log", cwd=site).stdout


def test_a_seal_confirmed_by_hand_completes_the_unit(site):
    grey = ("黑白扫描.pdf", samples.scanned_pdf(stamped=False))
    mail = save(site, "a.eml", "区人社局", [form(site, "区人社局", "招聘会12场"), grey], SEPT)
    mailbot("ingest", str(mail), cwd=site)
    assert units(site)["区人社局"]["stamped_pdf"] is False
    [mail_id] = mail_ids(site)
    mailbot("review", "confirm-seal", mail_id, "--by", "王敏", "--reason", "原件已核对", cwd=site)
    unit = units(site)["区人社局"]
    assert unit["stamped_pdf"] is True and unit["state"] == "on_time"
    log = mailbot("review", "log", cwd=site).stdout
    assert "人工确认已盖章：原件已核对" in log and "王敏" in log


def test_review_of_an_unknown_mail_is_refused(site):
    result = mailbot("review", "reject", "99", cwd=site, check=False)
    assert result.returncode == 1 and "没有第99号邮件" in result.stderr


def test_refusals_say_in_chinese_why_and_what_to_do(site):
    mail = save(site, "a.eml", "区人社局", [form(site, "区人社局", "招聘会12场")], SEPT)
    mailbot("ingest", str(mail), cwd=site)
    [mail_id] = mail_ids(site)
    refusals = {
        ("accept", mail_id): "已计入区人社局2026年第三季度。如要改为其他单位或季度",
        ("reassign", mail_id): "请指明改为哪个单位（--unit）或哪个季度（--quarter）",
        ("reassign", mail_id, "--unit", "区外办"): "没有名为“区外办”的单位",
        ("reassign", mail_id, "--quarter", "2026Q9"): "没有“2026Q9”这个季度",
        ("requeue", mail_id): "状态是“已计入”，只有待核实或处理出错的邮件可以重新处理",
        ("confirm-copy", mail_id): "没有经核对与本报表不符的盖章版，无需确认",
        ("resend", "7"): "没有第7号发送失败的邮件",
    }
    for args, words in refusals.items():
        result = mailbot("review", *args, cwd=site, check=False)
        assert result.returncode == 1 and words in result.stderr, (args, result.stderr)
        words_only = re.sub(r"mailbot review( [a-z-]+)*|--[a-z]+|\d{4}Q\d|config\.toml|"
                            r"\[\[units\]\]", "", result.stderr)
        assert not re.search("[A-Za-z]", words_only), result.stderr  # no English, no repr
    mailbot("review", "reject", mail_id, cwd=site)
    again = mailbot("review", "reject", mail_id, cwd=site, check=False)
    assert f"第{mail_id}号邮件已经退回" in again.stderr

