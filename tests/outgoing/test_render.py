"""Reminder mails rendered from the real templates: wording, contacts, escaping, headers."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from mailbot import config
from mailbot.chase.remind import Reminder
from mailbot.outgoing.render import paragraphs, render_reminder, template_env
from mailbot.config import PACKAGED_CONFIG
from mailbot.outgoing.render import TEMPLATES

ROOT = Path(__file__).resolve().parents[2]
CAMPAIGN = config.load(PACKAGED_CONFIG).campaign
ENV = template_env(TEMPLATES)


def reminder(stage: str, unit: str = "区教体局", missing=(), cc=()) -> Reminder:
    return Reminder(unit=unit, to=("jtj@zichuan.example.org",), cc=cc, quarter="2026Q3",
                    stage=stage, subject=f"subject {stage}",
                    dedup_key=f"reminder:2026Q3:{unit}:{stage}", missing=missing,
                    overdue=int(stage[7:]) if stage.startswith("overdue") else 0)


@pytest.mark.parametrize("stage, wording", [
    ("notice", "请贵单位按时报送"), ("due", "请抓紧报送"), ("overdue1", "仍未收到"),
    ("overdue3", "以免影响全区汇总工作"),
])
def test_every_stage_renders_plain_polite_text(stage, wording):
    mail = render_reminder(ENV, CAMPAIGN, reminder(stage))
    assert mail.text.startswith("区教体局：\n")
    assert wording in mail.text
    assert "9月30日（星期三）" in mail.text
    assert "6. 优化儿童成长发展环境" in mail.text
    assert "10. 深入开展“青少年心理成长护航”工程" in mail.text
    assert "联系人：张爱民、朱滢榕　联系电话：5181763" in mail.text
    assert mail.text.rstrip().endswith("（本邮件由系统自动发送，无需回复。）")
    assert "\n\n\n" not in mail.text and "{" not in mail.text
    assert "抄送" not in mail.text


def test_mail_fields_come_from_the_reminder():
    copied = reminder("overdue2", cc=("fulian-office@zichuan.example.org",))
    mail = render_reminder(ENV, CAMPAIGN, copied)
    assert (mail.kind, mail.auto_submitted) == ("reminder", "auto-generated")
    assert mail.to == ("jtj@zichuan.example.org",)
    assert mail.cc == ("fulian-office@zichuan.example.org",)
    assert mail.subject == "subject overdue2"
    assert mail.dedup_key == "reminder:2026Q3:区教体局:overdue2"
    assert "本邮件同时抄送淄川区妇联。" in mail.text


def test_incomplete_lists_each_missing_part():
    missing = ("盖章PDF版", "第10项（深入开展“青少年心理成长护航”工程）的进展情况")
    before = render_reminder(ENV, CAMPAIGN, reminder("due", missing=missing))
    assert "尚缺以下内容：\n　　1. 盖章PDF版\n　　2. 第10项" in before.text
    assert "请于9月30日（星期三）前补充报送" in before.text
    after = render_reminder(ENV, CAMPAIGN, reminder("overdue1", missing=missing))
    assert "已过，请尽快补充报送" in after.text
    assert "仍未收到" not in after.text


def test_html_carries_the_same_words_escaped():
    campaign = replace(CAMPAIGN, federation="妇联<办公室> & 儿童工作委员会")
    mail = render_reminder(ENV, campaign, reminder("notice"))
    assert "妇联<办公室> & 儿童工作委员会" in mail.text
    assert "妇联&lt;办公室&gt; &amp; 儿童工作委员会" in mail.html
    assert "<办公室>" not in mail.html
    assert mail.html.count("<p>") == len(paragraphs(mail.text))
    assert "<p>区教体局：</p>" in mail.html


def test_no_contact_line_without_contacts():
    mail = render_reminder(ENV, replace(CAMPAIGN, contact="", phone=""), reminder("due"))
    assert "联系人" not in mail.text and "联系电话" not in mail.text
