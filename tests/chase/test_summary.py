"""The federation's summary: content (pure), the mail with its chart, the report attached."""

from __future__ import annotations

import io
import subprocess
import sys
import re
from datetime import datetime
from pathlib import Path

import pytest
from PIL import Image

from mailbot.core.models import UnitState, UnitStatus
from mailbot.outgoing.render import template_env
from mailbot.outgoing.summary_mail import render_summary
from mailbot.chase.summary import build_summary
from mailbot.report.chart import cjk_font_file, status_chart
from tests import report_data as data
from tests.tools import need_tool, require
from mailbot.outgoing.render import TEMPLATES

NOW = datetime(2026, 10, 9, 17, 0, tzinfo=data.TZ)


@pytest.fixture(scope="module")
def campaign():
    return data.campaign()


@pytest.fixture(scope="module")
def summary(campaign):
    return build_summary(campaign, "2026Q3", data.sample_statuses(campaign),
                         data.sample_held(), NOW)


def test_matrix_has_every_unit_in_config_order(campaign, summary):
    assert [row.unit for row in summary.rows] == [unit.name for unit in campaign.units]
    states = {row.unit: row.state for row in summary.rows}
    assert states["区司法局"] == "missing" and states["区应急管理局"] == "late"
    assert dict((s, c) for s, _, c in summary.counts) == {
        "on_time": 11, "late": 2, "incomplete": 2, "missing": 3}
    assert summary.headline == ("截至10月9日 17:00，18个责任单位中按时报送11个，"
                                "逾期报送2个，材料不全2个，未报送3个。")
    assert summary.subject == "【2026年第三季度】十件实事进展报送情况汇总（截至10月9日）"
    assert summary.overdue and summary.due == "9月30日"


def test_a_unit_without_status_counts_as_missing(campaign):
    summary = build_summary(campaign, "2026Q3", [UnitStatus("区妇联", UnitState.ON_TIME)], [],
                            NOW)
    assert [row.state for row in summary.rows].count("missing") == 17
    assert summary.rows[1].label == "按时报送"
    assert [(s, c) for s, _, c in summary.counts if c] == [("on_time", 1), ("missing", 17)]


def test_problems_name_the_unit_and_do_not_repeat(campaign, summary):
    # stored problems are what the unit was told; bare flags fall back to the missing parts
    assert summary.problems == (
        ("区残联", data.UNREADABLE),
        ("区总工会", "盖章PDF版"),
    )
    worded = UnitStatus("区法院", UnitState.INCOMPLETE, electronic=True, stamped_pdf=False,
                        problems=("未收到盖章PDF版", "未收到盖章PDF版"))
    again = build_summary(campaign, "2026Q3", [worded], [], NOW)
    assert again.problems == (("区法院", "未收到盖章PDF版"),)


def test_mail_parts_show_matrix_problems_and_held_mail(campaign, summary, tmp_path):
    report = tmp_path / "2026年第三季度为全区妇女儿童办实事工作进展情况汇总表.docx"
    report.write_bytes(b"PK fake docx bytes")
    mail = render_summary(campaign, summary, template_env(TEMPLATES), [report],
                          dedup_key="summary:2026Q3:2026-10-09")
    assert mail.kind == "summary" and mail.to == campaign.federation_emails
    assert mail.auto_submitted == "auto-generated" and mail.dedup_key.endswith("10-09")
    assert [(a.filename, a.data) for a in mail.attachments] == [(report.name, report.read_bytes())]
    assert mail.attachments[0].content_type.endswith("wordprocessingml.document")
    for part in (mail.text, mail.html):
        for row in summary.rows:
            assert row.unit in part
        assert data.UNREADABLE in part and "someone@163.com" in part
        assert report.name in part
    assert "区司法局：未报送" in mail.text
    assert "<script>" not in mail.html and "&lt;script&gt;" in mail.html
    assert "发件地址不在登记名单中。该邮件" in mail.text  # no doubled full stop
    for state in UnitState:
        assert re.search(rf"background:#[0-9a-f]{{6}}[^>]*>{state.zh}<", mail.html), state


def test_chart_is_inline_and_referenced(campaign, summary):
    require(cjk_font_file(), "no CJK font (apt-get install fonts-noto-cjk)")
    mail = render_summary(campaign, summary, template_env(TEMPLATES), [])
    (image,) = mail.inline_images
    assert f'src="cid:{image.filename}"' in mail.html and image.content_type == "image/png"
    picture = Image.open(io.BytesIO(image.data))
    assert picture.format == "PNG" and picture.width >= 480
    assert "三、附件" not in mail.text


def test_chart_colours_follow_the_states(summary):
    require(cjk_font_file(), "no CJK font (apt-get install fonts-noto-cjk)")
    picture = Image.open(io.BytesIO(status_chart(summary))).convert("RGB")
    colours = {colour for _, colour in picture.getcolors(1_000_000)}
    for hex_colour in ("#e3f2e6", "#fff1c9", "#ffe3cc", "#fde2e2"):
        assert tuple(int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)) in colours


@pytest.mark.slow
def test_summary_html_renders_in_chromium(tmp_path):
    script = Path(__file__).resolve().parents[2] / "benchmarks" / "screenshot_summary.py"
    need_tool("chromium")
    subprocess.run([sys.executable, str(script), str(tmp_path)], check=True,
                   capture_output=True, timeout=180)
    shot = Image.open(tmp_path / "summary-phone.png").convert("RGB")
    colours = {colour for _, colour in shot.getcolors(10_000_000)}
    assert (0xfd, 0xe2, 0xe2) in colours  # the "missing" cells made it to the screen
    assert "cid:" not in (tmp_path / "summary.html").read_text(encoding="utf-8")
