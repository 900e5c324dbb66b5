"""`mailbot init DIR --notice FILE`: the campaign read from its notice.

The 2026 notice (tests/data, public) as text, as a DOCX and as a PDF made from it
gives the campaign the packaged config.toml holds, addresses aside; what cannot be
read is listed with its line; the result passes `check` except for the addresses.
"""

from __future__ import annotations

import re

import pytest

from mailbot.campaign.notice import NoticeText, read_notice
from mailbot.campaign.notice_files import text_notice
from mailbot.config import PACKAGED_CONFIG, load
from tests.forms import libreoffice
from tests.notices import NOTICE_2026, campaign_view, notice_docx, notice_pdf, notice_text
from tests.invoke import mailbot

TODAY = campaign_view(load(PACKAGED_CONFIG).campaign)


def init_from(tmp_path, name: str, data: bytes):
    notice = tmp_path / name
    notice.write_bytes(data)
    result = mailbot("init", str(tmp_path / "campaign"), "--notice", str(notice), cwd=tmp_path)
    return load(tmp_path / "campaign" / "config.toml"), result.stdout


def test_the_notice_as_text_gives_todays_campaign(tmp_path):
    config, out = init_from(tmp_path, "通知.txt", NOTICE_2026.read_bytes())
    assert campaign_view(config.campaign) == TODAY
    assert "10 项，18 个责任单位，4 个季度" in out and "未能读出" not in out


def test_the_notice_as_gbk_text_gives_the_same(tmp_path):
    config, _ = init_from(tmp_path, "通知.txt", notice_text().encode("gb18030"))
    assert campaign_view(config.campaign) == TODAY


def test_the_notice_as_docx_gives_todays_campaign(tmp_path):
    config, _ = init_from(tmp_path, "通知.docx", notice_docx(notice_text()))
    assert campaign_view(config.campaign) == TODAY


@pytest.mark.slow
def test_the_notice_as_pdf_gives_todays_campaign(tmp_path):
    config, out = init_from(tmp_path, "通知.pdf", notice_pdf(notice_text()))
    assert campaign_view(config.campaign) == TODAY
    assert "未能读出" not in out


@pytest.mark.slow
def test_the_notice_as_an_old_word_file_gives_todays_campaign(tmp_path):
    config, _ = init_from(tmp_path, "通知.doc", libreoffice(notice_docx(notice_text()), "docx", "doc"))
    assert campaign_view(config.campaign) == TODAY


def test_the_written_file_names_the_notice_and_keeps_the_default_comments(tmp_path):
    init_from(tmp_path, "通知.txt", NOTICE_2026.read_bytes())
    text = (tmp_path / "campaign" / "config.toml").read_text(encoding="utf-8")
    assert text.startswith("# mailbot configuration: the campaign of 川政办字〔2026〕14号")
    assert "# 淄川区人民政府办公室关于2026年为全区妇女儿童办好十件实事的通知" in text
    assert "# Counts are working days." in text  # [reminders] comments kept
    assert len(re.findall(r"\w@example\.invalid", text)) == 19


def test_check_passes_but_for_the_placeholder_addresses(tmp_path):
    init_from(tmp_path, "通知.txt", NOTICE_2026.read_bytes())
    path = tmp_path / "campaign" / "config.toml"
    failed = mailbot("--config", str(path), "check", cwd=tmp_path, check=False)
    assert failed.returncode == 1
    assert "19 处邮箱仍是占位地址" in failed.stderr and "区人才发展中心" in failed.stderr
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"(\w+)@example\.invalid", r"\1@zichuan.example.org", text),
                    encoding="utf-8")
    assert mailbot("--config", str(path), "check", cwd=tmp_path).returncode == 0


def test_an_existing_config_is_never_overwritten(tmp_path):
    folder = tmp_path / "campaign"
    folder.mkdir()
    (folder / "config.toml").write_text("# mine\n", encoding="utf-8")
    notice = tmp_path / "通知.txt"
    notice.write_bytes(NOTICE_2026.read_bytes())
    result = mailbot("init", str(folder), "--notice", str(notice), cwd=tmp_path, check=False)
    assert result.returncode == 2 and "已存在" in result.stderr
    assert (folder / "config.toml").read_text(encoding="utf-8") == "# mine\n"


def test_a_notice_that_is_no_document_is_a_clear_error(tmp_path):
    notice = tmp_path / "通知.docx"
    notice.write_bytes(b"not a zip")
    result = mailbot("init", str(tmp_path / "c"), "--notice", str(notice), cwd=tmp_path,
                     check=False)
    assert result.returncode == 2 and "无法读取通知《通知.docx》" in result.stderr
    assert not (tmp_path / "c").exists()


def test_what_cannot_be_read_is_listed_with_its_line():
    text = "\n".join([
        "某某办字〔2027〕2号", "关于2027年工作的通知", "各单位：",
        "一、开展读书活动。全年开展10场。（责任单位：区文明办、区妇联）",
        "二、建设儿童之家。年内建成5处。",
        "三、组织亲子运动会。（责任单位：区教体局）（完成时限：2027年6月底）",
        "各单位于年中报送进展情况。",
    ])
    draft = read_notice(text_notice(text))
    assert [(i.seq, i.units, i.deadline) for i in draft.items] == [
        (1, ("区文明办", "区妇联"), ""), (3, ("区教体局",), "2027年6月底")]
    unread = {u.problem: u.line for u in draft.unread}
    assert unread["第2项未写明责任单位"] == "二、建设儿童之家。年内建成5处。"
    assert unread["第1项未找到完成时限"] == "开展读书活动"
    assert unread["未能读出报送时间（如“每季度末”），请在 [quarters] 中填写"] == \
        "各单位于年中报送进展情况。"
    assert "未找到联系人" in unread and draft.quarters == ()
    assert draft.federation == "" and "未能读出报送对象（如“报淄川区妇联”）" in unread


def test_a_reporting_rule_after_quarter_end_becomes_a_due_rule():
    draft = read_notice(NoticeText(("川妇字〔2027〕3号", "各单位于每季度结束后10个工作日内报送区妇联。")))
    assert draft.quarters[0] == ("2027Q1", "10 workdays after end")
    assert draft.federation == "区妇联"


def test_the_form_wins_over_the_body_and_says_so():
    lines = ("川政办字〔2026〕14号", "一、甲事项。（责任单位：区民政局）", "附件：报表")
    table = [["序号", "实事名称", "责任单位", "进展情况", "完成时限"],
             ["1", "甲事项", "区民政局\n区妇联", "", "2026年12月底"]]
    draft = read_notice(NoticeText(lines, (table,)))
    assert draft.items[0].units == ("区民政局", "区妇联")
    assert draft.unread[0].problem == "第1项的责任单位正文与附件报表不一致，已按报表填写"
