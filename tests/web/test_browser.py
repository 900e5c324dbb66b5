"""The staff console in a real headless Chromium, served by waitress over a real store,
with a real SMTP server (aiosmtpd) behind 立即提醒."""

from __future__ import annotations

import json
import re
import time
import urllib.request
from urllib.error import HTTPError

import docx
import pytest
from click.testing import CliRunner
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from mailbot.cli import main
from tests.console import DRAFT, EXPECTED_COUNTS, IMPOSTOR, PASSWORD, STAFF, VIEWER
from tests.pipeline import SEPT

pytestmark = pytest.mark.slow


def log_in(browser, web_site, user=STAFF, password=PASSWORD, here=False):
    """Fill in the login form: at /login, or (here=True) on the page the browser shows."""
    if not here:
        browser.get(web_site.url + "/login")
    browser.find_element(By.NAME, "username").send_keys(user)
    browser.find_element(By.NAME, "password").send_keys(password)
    submit(browser, browser.find_element(By.CSS_SELECTOR, "form button[type=submit]"))


def submit(browser, button) -> None:
    """Click a form's button and wait for the page it leads to.

    The old page is marked before the click and the wait is for a loaded document without
    the mark. Asking whether the button went stale raced the navigation: ChromeDriver 156
    sometimes answered "Node with given id does not belong to the document" instead."""
    browser.execute_script("window.mailbotLeaving = true")
    button.click()
    WebDriverWait(browser, 30, ignored_exceptions=(WebDriverException,)).until(
        lambda b: b.execute_script(
            "return window.mailbotLeaving === undefined && document.readyState === 'complete'"))


def counts(browser) -> dict[str, int]:
    return {item.get_attribute("data-state"): int(item.find_element(By.TAG_NAME, "strong").text)
            for item in browser.find_elements(By.CSS_SELECTOR, ".counts li")}


def badge(browser, unit: str) -> str:
    return browser.find_element(By.CSS_SELECTOR, f'tr[data-unit="{unit}"] .badge').text


def confirm(browser) -> None:
    """The confirmation page every action passes through: press its button."""
    assert browser.find_element(By.TAG_NAME, "h1").text.startswith("确认")
    submit(browser, browser.find_element(By.CSS_SELECTOR, "section.confirm button[type=submit]"))


def flash(browser) -> str:
    return browser.find_element(By.CSS_SELECTOR, ".flash").text


def held_id(web_site) -> int:
    ctx = web_site.context()
    return next(m.id for m in ctx.store.messages("held") if m.sender == IMPOSTOR)


def status_json(web_site) -> dict:
    result = CliRunner().invoke(main, ["--config", str(web_site.config.path), "--now",
                                       "2026-10-12T10:00", "status", "--json"])
    assert result.exit_code == 0, result.output
    return {u["unit"]: u["state"] for u in json.loads(result.output)["units"]}


def test_a_page_without_a_session_goes_to_the_login_form(browser, web_site):
    browser.get(web_site.url + "/review")
    assert browser.current_url == web_site.url + "/login?next=/review"
    assert browser.find_element(By.NAME, "username").is_displayed()
    assert browser.find_element(By.NAME, "password").get_attribute("type") == "password"
    log_in(browser, web_site, here=True)
    assert browser.current_url == web_site.url + "/review"


def test_healthz_answers_without_login(web_site):
    with urllib.request.urlopen(web_site.url + "/healthz") as answer:
        assert answer.status == 200 and answer.read() == b"ok\n"


def test_overview_counts_a_quarter_of_mail(browser, web_site):
    log_in(browser, web_site)
    assert counts(browser) == EXPECTED_COUNTS
    assert badge(browser, "区人社局") == "按时报送"
    assert badge(browser, "区教体局") == "逾期报送"
    assert badge(browser, "区残联") == "材料不全"
    assert badge(browser, "区民政局") == "未报送"  # held: counts for no one yet
    assert "加盖公章的 PDF 版" in browser.find_element(
        By.CSS_SELECTOR, 'tr[data-unit="区残联"] .missing').text


def test_accepting_a_held_mail_makes_the_unit_on_time(browser, web_site):
    log_in(browser, web_site)
    browser.get(web_site.url + "/review")
    mail = browser.find_element(By.ID, f"mail-{held_id(web_site)}")
    assert "发件地址未登记" in mail.text
    submit(browser, mail.find_element(By.XPATH, ".//button[text()='登记']"))
    confirm(browser)
    assert "已登记为区民政局2026年第三季度的报送（材料齐全）" in flash(browser)
    browser.get(web_site.url + "/")
    assert badge(browser, "区民政局") == "按时报送"
    assert counts(browser)["on_time"] == EXPECTED_COUNTS["on_time"] + 1
    assert status_json(web_site)["区民政局"] == "on_time"
    assert web_site.context().store.audit_trail()[-1].who == f"{STAFF}（网页）"


def test_rejecting_a_wrong_mail_lets_the_earlier_pieces_count_again(browser, web_site, tmp_path):
    log_in(browser, web_site)
    browser.get(web_site.url + "/unit/区司法局?quarter=2026Q3")
    current = browser.find_element(By.CSS_SELECTOR, "article.mail.current")
    assert "三季度进展5" in current.text  # the later mail, with the draft's text
    assert DRAFT in report_text(web_site, tmp_path)
    current.find_element(By.NAME, "reason").send_keys("误发的草稿")
    submit(browser, current.find_element(By.XPATH, ".//button[text()='退回这封邮件']"))
    confirm(browser)
    assert "未能执行" not in flash(browser)
    browser.get(web_site.url + "/unit/区司法局?quarter=2026Q3")
    assert "三季度进展4" in browser.find_element(By.CSS_SELECTOR, "article.mail.current").text
    text = report_text(web_site, tmp_path)
    assert DRAFT not in text and "区司法局围绕第3项实事" in text
    assert status_json(web_site)["区司法局"] == "on_time"


def report_text(web_site, folder) -> str:
    """The consolidated DOCX as `mailbot compile` writes it, as text."""
    target = folder / "report.docx"
    result = CliRunner().invoke(main, ["--config", str(web_site.config.path), "--now",
                                       "2026-10-12T10:00", "compile", "--quarter", "2026Q3",
                                       "-o", str(target)])
    assert result.exit_code == 0, result.output
    return docx_text(target)


def docx_text(path) -> str:
    """Every table cell of a DOCX, opened with python-docx."""
    return "\n".join(cell.text for table in docx.Document(path).tables
                     for row in table.rows for cell in row.cells)


def test_remind_now_sends_one_mail_and_a_second_click_none(browser, web_site):
    log_in(browser, web_site)
    browser.get(web_site.url + "/remind")
    browser.switch_to.new_window("tab")  # a second, stale copy of the page
    browser.get(web_site.url + "/remind")
    first, second = browser.window_handles
    for handle in (first, second):
        browser.switch_to.window(handle)
        row = browser.find_element(By.CSS_SELECTOR, 'tr[data-unit="区民政局"]')
        submit(browser, row.find_element(By.TAG_NAME, "button"))
        confirm(browser)
        if handle == first:
            assert flash(browser).startswith("已发出提醒1封（区民政局）")
            assert [r.rcpt_tos[0] for r in web_site.smtp.received] == ["mzj@zichuan.example.org"]
    assert flash(browser).startswith("没有需要发送的提醒")
    assert len(web_site.smtp.received) == 1
    assert b"Subject:" in web_site.smtp.received[0].data
    assert not browser.find_elements(By.CSS_SELECTOR, 'tr[data-unit="区民政局"]')


def test_the_docx_downloads_and_opens_in_python_docx(browser, web_site):
    log_in(browser, web_site)
    browser.get(web_site.url + "/reports")
    row = browser.find_element(By.CSS_SELECTOR, 'tr[data-quarter="2026Q3"]')
    row.find_element(By.LINK_TEXT, "DOCX（Word）").click()
    made = browser.downloads / "2026Q3-汇总表.docx"
    deadline = time.monotonic() + 30
    while not made.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    text = docx_text(made)
    assert "区人社局围绕第1项实事" in text and "（未报送）" in text


def test_a_post_without_the_csrf_token_is_refused(browser, web_site):
    log_in(browser, web_site)
    browser.get(web_site.url + "/remind")
    row = browser.find_element(By.CSS_SELECTOR, 'tr[data-unit="区民政局"]')
    browser.execute_script("arguments[0].querySelector('input[name=csrf_token]').remove()", row)
    submit(browser, row.find_element(By.TAG_NAME, "button"))
    assert browser.find_element(By.TAG_NAME, "h1").text == "请求未被接受"
    assert web_site.smtp.received == []
    with pytest.raises(HTTPError) as refused:  # and from outside the browser too
        urllib.request.urlopen(urllib.request.Request(
            web_site.url + "/remind", data=b"unit=x&confirm=1", method="POST",
            headers={"Cookie": f"mailbot_session={browser.get_cookie('mailbot_session')['value']}"}))
    assert refused.value.code == 400


def test_five_wrong_passwords_slow_the_login_down(browser, web_site):
    for _ in range(5):
        log_in(browser, web_site, password="wrong")
        assert "用户名或密码不正确" in browser.page_source
    log_in(browser, web_site)  # the right password, now refused too
    assert "登录失败次数过多" in browser.page_source
    assert re.search(r"请在\d\d:\d\d:\d\d以后（约[1-3]?\d秒后）再试", browser.page_source)
    assert browser.current_url.startswith(web_site.url + "/login")
    browser.get(web_site.url + "/")
    assert browser.current_url.startswith(web_site.url + "/login")


def test_the_read_only_role_sees_but_cannot_act(browser, web_site):
    log_in(browser, web_site, user=VIEWER)
    assert counts(browser) == EXPECTED_COUNTS
    for page in ("/review", "/remind", "/reports"):
        browser.get(web_site.url + page)
        assert not browser.find_elements(By.CSS_SELECTOR, "main form"), page
    # a forged form with a valid token (taken from the logout form) is refused all the same
    browser.execute_script("""
        const form = document.createElement('form');
        form.method = 'post'; form.action = arguments[0];
        form.appendChild(document.querySelector('input[name=csrf_token]').cloneNode());
        const confirm = document.createElement('input');
        confirm.name = 'confirm'; confirm.value = '1'; form.appendChild(confirm);
        document.body.appendChild(form); form.submit();""", f"/review/{held_id(web_site)}/accept")
    assert browser.find_element(By.TAG_NAME, "h1").text == "无权操作"
    assert web_site.context().store.message(held_id(web_site)).state == "held"


def test_files_sent_as_links_are_listed_on_the_mail_s_page_as_text(browser, web_site):
    from mailbot.app import pipeline
    from tests.linked_mails import QQ_DOC, linked_mail, online_block, qq_block

    ctx = web_site.context()
    unit = ctx.config.campaign.unit("区民政局")
    big = qq_block(["区民政局三季度进展报表（定稿）.docx", "区民政局盖章版.pdf"])
    doc = online_block("区民政局三季度进展（在线版）", QQ_DOC.format(n=5))
    mail = linked_mail(unit.emails[0], ctx.config.campaign.federation_emails[0],
                       "区民政局第三季度进展情况", SEPT, "请查收。",
                       (big[0] + doc[0], big[1] + doc[1]))
    pipeline.ingest(ctx, mail.as_bytes(), "test:linked", SEPT)
    held = next(m.id for m in ctx.store.messages("held") if m.sender == unit.emails[0])
    ctx.store.close()
    browser.set_window_size(390, 844)
    log_in(browser, web_site)
    browser.get(f"{web_site.url}/mail/{held}/files")
    section = browser.find_element(By.CSS_SELECTOR, "section.linked")
    assert section.find_element(By.TAG_NAME, "h2").text == "以链接发送的文件"
    items = [item.text.splitlines() for item in section.find_elements(By.TAG_NAME, "li")]
    assert [item[0] for item in items] == [
        "下载链接（超大附件或网盘分享）：区民政局三季度进展报表（定稿）.docx",
        "下载链接（超大附件或网盘分享）：区民政局盖章版.pdf",
        "在线文档（腾讯文档、金山文档等）：区民政局三季度进展（在线版）"]
    assert all(" ".join(item[1:]).startswith("https://wx.mail.qq.com/ftn/") for item in items[:2])
    assert " ".join(items[2][1:]).startswith("https://docs.qq.com/sheet/")
    assert not section.find_elements(By.TAG_NAME, "a")  # text to copy, not a link to click
    assert not browser.find_elements(By.CSS_SELECTOR, "p.empty")
    assert browser.execute_script(
        "return document.documentElement.scrollWidth <= window.innerWidth")
