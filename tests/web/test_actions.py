"""The console's review actions through Flask's test client on a real store: reassign a
counted mail from the unit page and from 待处理, and a refusal shown in review's own words."""

from __future__ import annotations

import re

import pytest

from mailbot.app import pipeline, review, samples
from mailbot.extract.ocr import engine
from mailbot.web.app import create_app
from mailbot.web.settings import web_settings
from tests import scans
from tests.console import STAFF
from tests.pipeline import NOW, SEPT, open_context, unit_mail
from tests.tools import require
from tests.web.test_web import console_toml, log_in, token


@pytest.fixture
def ctx(tmp_path):
    return open_context(tmp_path / "site", console_toml())


@pytest.fixture
def client(ctx):
    client = create_app(ctx.config, lambda: NOW, web_settings(ctx.config)).test_client()
    log_in(client)
    return client


def act(client, path, **fields):
    """Post an action as its confirmation page does, and follow it back to the page."""
    answer = client.post(path, data={"csrf_token": token(client, "/"), "confirm": "1", **fields},
                         follow_redirects=True)
    assert answer.status_code == 200
    return re.search(r'<p class="flash (ok|error)"[^>]*>(.*?)</p>', answer.text).groups()


def test_a_counted_mail_is_reassigned_from_the_unit_page(ctx, client):
    pipeline.ingest(ctx, unit_mail(ctx, "区妇联"), "test:1", SEPT)
    [mail] = ctx.store.messages("done")
    page = client.get("/unit/区妇联?quarter=2026Q3").text
    path = f"/review/{mail.id}/reassign"
    assert f'action="{path}"' in page and "改为其他单位或季度" in page
    asked = client.post(path, data={"csrf_token": token(client, "/"), "unit": "区残联",
                                    "quarter": "2026Q3"})
    assert "确认改为其他单位或季度" in asked.text and "区残联2026年第三季度" in asked.text
    kind, words = act(client, path, unit="区残联", quarter="2026Q3")
    assert kind == "ok" and "已登记为区残联2026年第三季度的报送" in words
    assert ctx.current_of("区残联", "2026Q3") is not None
    assert ctx.current_of("区妇联", "2026Q3") is None
    [entry] = ctx.store.audit_trail(mail.id)
    assert (entry.action, entry.who) == ("reassign", f"{STAFF}（网页）")


def test_unanswered_mail_is_listed_on_the_review_page_with_its_actions(ctx, client):
    ctx.answer = False  # a quiet import: counted, never answered
    pipeline.ingest(ctx, unit_mail(ctx, "区人社局"), "test:1", SEPT)
    [mail] = ctx.store.messages("done")
    page = client.get("/review").text
    section = page.split("已计入但未发回执的邮件", 1)[1].split("未能发出的邮件", 1)[0]
    assert f'action="/review/{mail.id}/reassign"' in section
    assert f'action="/review/{mail.id}/reject"' in section
    kind, words = act(client, f"/review/{mail.id}/reassign", quarter="2026Q4")
    assert kind == "ok" and "2026年第四季度" in words
    assert ctx.store.message(mail.id).quarter == "2026Q4"


def test_a_refusal_is_shown_in_reviews_own_words(ctx, client):
    pipeline.ingest(ctx, unit_mail(ctx, "区人社局"), "test:1", SEPT)
    [mail] = ctx.store.messages("done")
    kind, words = act(client, f"/review/{mail.id}/confirm-copy")
    assert kind == "error" and f"第{mail.id}号邮件没有经核对与本报表不符的盖章版" in words
    kind, words = act(client, f"/review/{mail.id}/reassign", unit="区外办")
    assert kind == "error" and "没有名为“区外办”的单位" in words
    assert ctx.store.audit_trail() == []


@pytest.mark.slow
def test_staff_vouch_for_a_stamped_copy_the_check_found_different(ctx, client):
    require(engine.available(), 'the OCR extra is not installed (pip install -e ".[ocr]")')
    campaign, unit = ctx.config.campaign, "区人社局"
    page = scans.stamp(scans.rasterise(scans.form_pdf(campaign, unit, "2026Q2"), 200)[0],
                       where=(0.62, 0.25))  # last quarter's form, stamped and scanned
    files = [("报表.docx", samples.form_docx(campaign, unit, "2026Q3")),
             ("盖章版.pdf", scans.image_pdf([scans.scanned(page)], 200))]
    pipeline.ingest(ctx, samples.report_mail(campaign.unit(unit).emails[0],
                                             campaign.federation_emails[0], "三季度进展", SEPT,
                                             files), "test:1", SEPT)
    [mail] = ctx.store.messages("done")
    assert not ctx.current_of(unit, "2026Q3").stamped_pdf
    shown = client.get(f"/unit/{unit}?quarter=2026Q3").text
    assert "盖章版核对：盖章版似为第二季度材料" in shown and "确认盖章版即本报表" in shown
    kind, words = act(client, f"/review/{mail.id}/confirm-copy", reason="已核对纸质件，系填错季度")
    assert kind == "ok" and "材料齐全" in words
    current = ctx.current_of(unit, "2026Q3")
    assert current.stamped_pdf and current.problems == ()
    [entry] = ctx.store.audit_trail(mail.id)
    assert (entry.who, entry.action) == (f"{STAFF}（网页）", "confirm_copy")
    assert entry.reason == "已核对纸质件，系填错季度" and "盖章版似为第二季度材料" in entry.detail
    assert "确认盖章版即本报表" not in client.get(f"/unit/{unit}?quarter=2026Q3").text
    with pytest.raises(review.ReviewError) as again:  # nothing left to vouch for
        review.confirm_copy(ctx, mail.id)
    assert again.value.refusal is review.Refusal.NO_WRONG_COPY
