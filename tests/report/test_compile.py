"""`mailbot compile` on the demo's store, run as the operator runs it: what it says, where
it writes, under which name."""

from __future__ import annotations

import dataclasses
import email
import email.policy
from datetime import datetime
from pathlib import Path

import docx
import pytest

from mailbot.app.demo import run_demo
from mailbot.core.models import UnitState, UnitStatus
from mailbot.report.content import build_annual, build_report, file_name
from mailbot.report.coverage import Coverage, coverage, early_warning
from tests import report_data as data
from tests.invoke import mailbot

Q3_NAME = "2026年第三季度为全区妇女儿童办实事工作进展情况汇总表"


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("compile") / "demo"
    run_demo(folder, None, lambda line: None)
    return folder


def compile_(demo: Path, *args: str, now: str):
    return mailbot("--config", demo / "config.toml", "--now", now, "compile", *args,
                   cwd=demo, check=False)


def test_compile_in_december_warns_and_names_the_previous_quarter(demo):
    result = compile_(demo, now="2026-12-10T10:00:00")
    assert result.returncode == 0, result.stderr
    assert "注意：2026年第四季度正在收集中，18个单位均未报送" in result.stderr
    assert "mailbot compile --quarter 2026Q3" in result.stderr
    assert result.stdout.splitlines()[0] == "2026年第四季度：18个单位中0个已报送"
    assert (demo / "2026年第四季度为全区妇女儿童办实事工作进展情况汇总表.docx").is_file()


def test_compile_of_a_past_quarter_prints_its_counts_and_no_warning(demo):
    result = compile_(demo, "--quarter", "2026Q3", now="2026-12-10T10:00:00")
    assert result.returncode == 0, result.stderr
    assert "注意" not in result.stderr
    assert result.stdout.splitlines()[0] == \
        "2026年第三季度：18个单位中15个已报送（按时报送11个，逾期报送2个，材料不全2个）"
    written = demo / f"{Q3_NAME}.docx"
    assert f"已生成汇总表：{written.name}" in result.stdout
    assert docx.Document(written).tables[0].rows[1].cells[2].text == "区人社局"


def test_compile_keeps_output_and_format(demo):
    result = compile_(demo, "--quarter", "2026Q3", "--format", "xlsx", "-o", "out/q3.xlsx",
                      now="2026-10-12T10:00:00")
    assert result.returncode == 0, result.stderr
    assert (demo / "out" / "q3.xlsx").is_file()
    assert "注意" not in result.stderr  # 15 of 18 reported: nothing to warn about


def test_compile_send_mails_the_report_under_its_official_name(demo):
    result = compile_(demo, "--quarter", "2026Q3", "--send", "-o", "sent.docx",
                      now="2026-10-12T10:00:00")
    assert result.returncode == 0, result.stderr
    assert "2026年第三季度的汇总邮件已放入发件队列；本次发出1封，未能发出0封" in result.stdout
    newest = max((demo / "var" / "outbox").glob("*.eml"))
    mail = email.message_from_bytes(newest.read_bytes(), policy=email.policy.default)
    assert [part.get_filename() for part in mail.iter_attachments()
            if part.get_content_type() != "image/png"] == [f"{Q3_NAME}.docx"]


def test_file_names_follow_the_configured_title():
    campaign = data.campaign()
    assert file_name(build_report(campaign, "2026Q3", []), "docx") == f"{Q3_NAME}.docx"
    assert file_name(build_annual(campaign, 2026, {}), "pdf") == \
        "2026年为全区妇女儿童办实事工作年度进展情况汇总表.pdf"
    odd = build_report(dataclasses.replace(campaign, title="三季度/进展报表"), "2026Q1", [])
    assert file_name(odd, "xlsx") == "2026年第一季度三季度_进展汇总表.xlsx"


def test_warning_only_while_the_quarter_is_collected_and_almost_nobody_reported():
    campaign = data.campaign()
    december = datetime(2026, 12, 10, 10, tzinfo=data.TZ)
    few = [UnitStatus(unit=u.name, state=UnitState.ON_TIME) for u in campaign.units[:3]]
    enough = [UnitStatus(unit=u.name, state=UnitState.LATE) for u in campaign.units[:4]]
    assert early_warning(campaign, coverage(campaign, "2026Q4", few), december).startswith(
        "注意：2026年第四季度正在收集中，18个单位中仅3个已报送")
    assert early_warning(campaign, coverage(campaign, "2026Q4", enough), december) is None
    assert early_warning(campaign, coverage(campaign, "2026Q3", []), december) is None
    first = coverage(campaign, "2026Q1", [])
    march = datetime(2026, 3, 2, 10, tzinfo=data.TZ)
    assert "如需" not in early_warning(campaign, first, march)


def test_coverage_counts_every_state():
    counts = tuple((state, 1) for state in UnitState)
    assert Coverage("2026Q2", 4, counts).line() == \
        "2026年第二季度：4个单位中3个已报送（按时报送1个，逾期报送1个，材料不全1个）"
