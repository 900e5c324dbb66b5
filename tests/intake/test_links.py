"""Files sent as download links: found in the sender's own text, named, never in a quote."""

from datetime import datetime, timezone

import pytest

from mailbot.config import PACKAGED_CONFIG, load
from mailbot.core.limits import quoted
from mailbot.core.models import Held, HeldReason, Ignored, Submission
from mailbot.intake import message
from mailbot.intake.links import linked_files
from mailbot.intake.rules import decide
from mailbot.core.states import LinkKind
from tests.linked_mails import BAIDU_LINK, QQ_DOC, linked_mail, netease_block, online_block, qq_block

CONFIG = load(PACKAGED_CONFIG)
CAMPAIGN = CONFIG.campaign
RSJ = "rsj@zichuan.example.org"
FED = "fulian-office@zichuan.example.org"
WHEN = datetime(2026, 9, 28, 2, tzinfo=timezone.utc)


def parsed(mail) -> message.Message:
    return message.parse(mail.as_bytes())


def test_qq_big_attachments_are_found_with_their_names_in_text_and_html():
    mail = parsed(linked_mail(RSJ, FED, "区人社局第三季度进展", WHEN, "报表请查收。",
                              qq_block(["区人社局三季度进展.docx", "区人社局盖章版.pdf"])))
    assert [file.name for file in mail.linked] == ["区人社局三季度进展.docx", "区人社局盖章版.pdf"]
    assert all(file.url.startswith("https://wx.mail.qq.com/ftn/download?") for file in mail.linked)
    assert mail.attachments == ()


def test_netease_links_are_named_by_their_title():
    html_only = netease_block(["区人社局盖章版（三季度）.pdf"])[1]
    assert [file.name for file in linked_files([], [html_only])] == ["区人社局盖章版（三季度）.pdf"]
    plain_only = netease_block(["盖章版.pdf"])[0]
    assert [file.name for file in linked_files([plain_only], [])] == ["盖章版.pdf"]


def test_a_net_disk_share_pasted_by_hand_is_a_linked_file_without_a_name():
    text = f"报表太大发不了，放在网盘里了。\n链接：{BAIDU_LINK.format(n=1)} 提取码：8k2m\n"
    files = linked_files([text], [])
    assert [(file.name, file.url) for file in files] == [("", BAIDU_LINK.format(n=1))]


def test_coremail_style_links_count_where_the_text_says_large_attachment():
    text = ("您好，附件较大，已作为超大附件发送：\n区人社局盖章版.pdf\n"
            "https://mail.zichuan.gov.cn/coremail/largeattachment/download.jsp?id=77\n")
    assert [file.name for file in linked_files([text], [])] == ["区人社局盖章版.pdf"]


@pytest.mark.parametrize("text", [
    "详见区政府网站 https://www.zichuan.gov.cn/art/2026/9/1/art_1.html 的通知。",
    "会议材料下载：https://www.zichuan.gov.cn/download/meeting.pdf",  # no large-attachment words
    "超大附件的发送办法见 https://www.zichuan.gov.cn/art/help.html",  # a page, not a download
    "百度一下 https://www.baidu.com/s?wd=进展",
])
def test_ordinary_links_are_not_files(text):
    assert linked_files([text], [f"<p>{text}</p>"]) == ()


def test_a_quoted_earlier_mail_s_big_attachment_is_not_the_sender_s():
    notice_plain, notice_html = qq_block(["关于报送第三季度进展情况的通知.pdf"])
    reply = ("报表见附件。\n\n------------------ 原始邮件 ------------------\n发件人: 区妇联\n"
             + notice_plain)
    assert linked_files([reply], []) == ()
    html = f"<div>报表见附件。</div><blockquote>{notice_html}</blockquote>"
    assert linked_files([], [html]) == ()
    outlook = f'<div>报表见附件。</div><div id="divRplyFwdMsg">发件人: 区妇联</div>{notice_html}'
    assert linked_files([], [outlook]) == ()


def test_a_file_both_attached_and_linked_is_an_attachment():
    mail = parsed(linked_mail(RSJ, FED, "区人社局第三季度进展", WHEN, "报表请查收。",
                              qq_block(["盖章版.pdf"]), files=[("盖章版.pdf", b"%PDF-1.4")]))
    assert mail.linked == ()


def test_a_unit_mail_with_only_links_is_held_so_that_the_unit_is_told_why():
    mail = parsed(linked_mail(RSJ, FED, "区人社局第三季度进展", WHEN, "请查收。",
                              qq_block(["区人社局盖章版.pdf"])))
    decision = decide(CAMPAIGN, mail, None, WHEN)
    assert decision == Held(HeldReason.LINKED_ONLY, unit="区人社局", quarter="2026Q3")
    assert decision.reason.told


def test_linked_report_files_make_a_mail_a_report_without_campaign_words():
    mail = parsed(linked_mail(RSJ, FED, "文件请查收", WHEN, "", qq_block(["区人社局报表.docx"])))
    assert isinstance(decide(CAMPAIGN, mail, None, WHEN), Held)
    photos = parsed(linked_mail(RSJ, FED, "活动照片", WHEN, "", qq_block(["现场照片.jpg"])))
    assert isinstance(decide(CAMPAIGN, photos, None, WHEN), Ignored)


def test_a_mail_without_links_or_attachments_is_still_no_attachment():
    mail = parsed(linked_mail(RSJ, FED, "区人社局第三季度进展", WHEN,
                              "报表随后发送，详见 https://www.zichuan.gov.cn/art/1.html", ("", "")))
    assert decide(CAMPAIGN, mail, None, WHEN).reason is HeldReason.NO_ATTACHMENT


def test_attachments_with_a_linked_stamped_copy_are_a_submission():
    mail = parsed(linked_mail(RSJ, FED, "区人社局第三季度进展", WHEN, "请查收。",
                              netease_block(["区人社局盖章版.pdf"]),
                              files=[("区人社局三季度进展.docx", b"PK")]))
    assert isinstance(decide(CAMPAIGN, mail, None, WHEN), Submission)
    assert [file.name for file in mail.linked] == ["区人社局盖章版.pdf"]


def test_names_are_quoted_only_from_a_verified_sender_and_never_with_a_link():
    mail = parsed(linked_mail(RSJ, FED, "进展", WHEN, "", qq_block(["见www.evil.example.pdf"])))
    assert [file.name for file in quoted(mail, CONFIG.limits).linked] == ["见（已略去）.pdf"]
    assert [file.name for file in quoted(mail, CONFIG.limits, verified=False).linked] == [""]


@pytest.mark.parametrize("plain, html", [
    ("超大附件 http://[abc/download", '<a href="http://[zz/ftn">超大附件</a>'),
    ("超大附件\nhttps://", "<a href='https://wx.mail.qq.com/ftn/download?k=1'>报表.docx"),
    ("", "<a href=https://pan.baidu.com/s/1x><blockquote"),
])
def test_broken_links_and_bodies_cut_short_never_raise(plain, html):
    files = linked_files([plain], [html])
    assert all(file.url.startswith("https://") for file in files)
    assert [file.name for file in files if file.name] in ([], ["报表.docx"])


def test_an_online_document_is_a_link_of_its_own_kind_named_by_its_title():
    mail = parsed(linked_mail(RSJ, FED, "区人社局第三季度进展", WHEN, "进展已填在腾讯文档，请查收。",
                              online_block("区人社局2026年三季度进展情况", QQ_DOC.format(n=1))))
    assert [(file.name, file.kind) for file in mail.linked] == [
        ("区人社局2026年三季度进展情况", LinkKind.ONLINE)]
    assert decide(CAMPAIGN, mail, None, WHEN) == Held(HeldReason.LINKED_ONLY, unit="区人社局",
                                                      quarter="2026Q3")


@pytest.mark.parametrize("plain, html, name", [
    ("见 https://www.kdocs.cn/l/cuJ4Ptk3KL 【金山文档】 三季度进展表", "", "三季度进展表"),
    ("", '<p>进展见<a href="https://zichuan.feishu.cn/docx/AbCdEf">三季度进展表</a></p>', "三季度进展表"),
    ("", '<a href="https://alidocs.dingtalk.com/i/nodes/x1">https://alidocs.dingtalk.com/i/nodes/x1</a>',
     ""),
    ("石墨：https://shimo.im/sheets/xYz12 请编辑", "", ""),
])
def test_the_online_documents_of_kdocs_feishu_dingtalk_and_shimo(plain, html, name):
    files = linked_files([plain] if plain else [], [html] if html else [])
    assert [(file.name, file.kind) for file in files] == [(name, LinkKind.ONLINE)]


def test_an_online_document_makes_a_report_only_when_its_title_says_so():
    titled = parsed(linked_mail(RSJ, FED, "请查收", WHEN, "",
                                online_block("区人社局三季度进展情况", QQ_DOC.format(n=2))))
    assert isinstance(decide(CAMPAIGN, titled, None, WHEN), Held)
    signup = parsed(linked_mail(RSJ, FED, "请查收", WHEN, "",
                                online_block("巾帼志愿者活动报名表", QQ_DOC.format(n=3))))
    assert isinstance(decide(CAMPAIGN, signup, None, WHEN), Ignored)
    quoted_notice = "报表见附件。\n\n------------------ 原始邮件 ------------------\n" + \
        online_block("三季度进展填报", QQ_DOC.format(n=4))[0]
    assert linked_files([quoted_notice], []) == ()


def test_a_reminder_answered_with_a_bare_link_is_held_not_taken_for_thanks():
    """"回复：【催报】..." is a "收到" reply unless it brings a link of its own: then the
    unit believes it has reported, and must hear that a link is not a file."""
    answer = parsed(linked_mail(RSJ, FED, "回复：【催报】请报送2026年第三季度进展情况", WHEN,
                                f"进展见 {QQ_DOC.format(n=6)}", ("", "")))
    assert [file.name for file in answer.linked] == [""]
    assert decide(CAMPAIGN, answer, None, WHEN).reason is HeldReason.LINKED_ONLY
    thanks = parsed(linked_mail(RSJ, FED, "回复：【催报】请报送2026年第三季度进展情况", WHEN,
                                "收到，马上报送。", ("", "")))
    assert isinstance(decide(CAMPAIGN, thanks, None, WHEN), Ignored)
