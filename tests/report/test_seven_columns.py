"""Another notice, another form: 序号 | 工作任务 | 牵头单位 | 配合单位 | 进展情况 | 存在问题 | 下步打算.

`init --notice` gives those columns; then the whole cycle runs with no code
change: each unit's form from `mailbot forms`, filled in and mailed back with a
stamped copy, `ingest`, `status`, and `compile` (DOCX and XLSX) in that form's
headings, every filled column under its unit.
"""

from __future__ import annotations

import io
import json
import re
from datetime import datetime, timezone

import docx
import openpyxl

from mailbot.app import samples
from mailbot.config import load
from mailbot.core.models import ColumnRole, quarter_label
from tests.notices import SEVEN, SEVEN_ITEMS, seven_column_notice, type_into
from tests.invoke import mailbot

QUARTER = "2027Q3"
NOW = "2027-10-09T10:00"
SENT = datetime(2027, 10, 8, 2, tzinfo=timezone.utc)
REPORTING = ("区民政局", "区妇联", "区总工会")


def texts_for(campaign, unit: str) -> dict[int, dict[str, str]]:
    return {item.seq: {"进展情况": f"{unit}：第{item.seq}项已完成阶段任务。",
                       "存在问题": f"{unit}：第{item.seq}项经费不足。",
                       "下步打算": f"{unit}：第{item.seq}项四季度完成验收。"}
            for item in campaign.items_of(unit)}


def make_campaign(tmp_path):
    notice = tmp_path / "通知.docx"
    notice.write_bytes(seven_column_notice())
    folder = tmp_path / "campaign"
    mailbot("init", str(folder), "--notice", str(notice), cwd=tmp_path)
    path = folder / "config.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"(\w+)@example\.invalid", r"\1@district.example.org", text),
                    encoding="utf-8")
    return path


def test_the_notice_gives_its_seven_columns_and_items(tmp_path):
    campaign = load(make_campaign(tmp_path)).campaign
    assert [c.name for c in campaign.columns] == list(SEVEN)
    assert [c.role for c in campaign.columns] == [
        ColumnRole.SEQ, ColumnRole.TITLE, ColumnRole.UNITS, ColumnRole.UNITS,
        ColumnRole.FILLED, ColumnRole.FILLED, ColumnRole.FILLED]
    assert [(i.seq, i.title, i.units, i.deadline) for i in campaign.items] == [
        (seq, title, (lead, *partners), "2027年11月底") for seq, title, lead, partners in SEVEN_ITEMS]
    assert campaign.title == "2027年家庭工作重点任务推进情况表"
    assert [(q.name, q.due.month) for q in campaign.quarters][2] == ("2027Q3", 10)


def test_a_full_cycle_in_the_seven_column_form(tmp_path):
    config_path = make_campaign(tmp_path)
    run = lambda *args: mailbot("--config", str(config_path), "--now", NOW, *args, cwd=tmp_path)
    forms = tmp_path / "forms"
    run("forms", "--quarter", QUARTER, "-o", str(forms))
    campaign = load(config_path).campaign
    for unit in REPORTING:
        [form] = forms.glob(f"{unit}-*.docx")
        blank = docx.Document(io.BytesIO(form.read_bytes())).tables[0]
        assert [c.text for c in blank.rows[0].cells] == list(SEVEN)
        filled = type_into(form.read_bytes(), texts_for(campaign, unit))
        raw = samples.report_mail(campaign.unit(unit).emails[0], campaign.federation_emails[0],
                                  f"{unit}三季度推进情况", SENT,
                                  [(form.name, filled), ("盖章版.pdf", samples.scanned_pdf())])
        (tmp_path / f"{unit}.eml").write_bytes(raw)
        assert f"已计入 {unit}{quarter_label(QUARTER)}" in run("ingest", str(tmp_path / f"{unit}.eml")).stdout

    extracted = json.loads(run("extract", "--json", str(next(forms.glob("区总工会-*")))).stdout)
    assert extracted[0]["has_form"] and extracted[0]["rows"] == []  # a blank form: no rows

    status = json.loads(run("status", "--quarter", QUARTER, "--json").stdout)
    states = {u["unit"]: (u["state"], u["items"]) for u in status["units"]}
    assert states["区民政局"] == ("on_time", [1])
    assert states["区妇联"] == ("on_time", [1, 2, 3])
    assert states["区总工会"] == ("on_time", [2])
    assert states["区卫健局"] == ("missing", [])

    run("compile", "--quarter", QUARTER, "-o", str(tmp_path / "r.docx"))
    table = docx.Document(str(tmp_path / "r.docx")).tables[0]
    assert [c.text for c in table.rows[0].cells] == [
        "序号", "工作任务", "牵头单位、配合单位", "进展情况、存在问题、下步打算", "完成时限"]
    printed = {(row.cells[0].text, row.cells[2].text):  # one printed row per unit and item
               [p.text.replace("\u2060", "") for p in row.cells[3].paragraphs]
               for row in table.rows[1:]}
    assert printed[("2", "区总工会")] == ["区总工会：区总工会：第2项已完成阶段任务。",
                                      "存在问题：区总工会：第2项经费不足。",
                                      "下步打算：区总工会：第2项四季度完成验收。"]
    assert printed[("2", "区卫健局")] == ["区卫健局：（未报送）"]

    run("compile", "--quarter", QUARTER, "--format", "xlsx", "-o", str(tmp_path / "r.xlsx"))
    sheet = openpyxl.load_workbook(tmp_path / "r.xlsx").active
    assert sheet["B3"].value == "工作任务" and sheet["D3"].value == "进展情况、存在问题、下步打算"
    assert "下步打算：区妇联：第3项四季度完成验收。" in sheet["D6"].value
