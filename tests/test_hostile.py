"""Hostile and broken mail (issue 12): each finding's reproduction, with the right outcome.

Each test sends the mail the hostile test sent, through the real pipeline (real SQLite
store and archive, the folder outbox or aiosmtpd, Dovecot where the finding is IMAP's).
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from mailbot.app import pipeline
from tests.pipeline import SEPT, open_context, sent_mails, unit_mail


@pytest.fixture
def ctx(tmp_path):
    context = open_context(tmp_path / "site")
    yield context
    context.store.close()


def counted_units(ctx) -> set[str]:
    return {record.unit for record in ctx.current("2026Q3")}


def test_1_another_mail_reusing_a_message_id_is_recorded_and_processed(ctx):
    """An OA system's fixed Message-ID: the second unit's report is not a duplicate."""
    fixed = "<report@oa.zichuan.example.org>"
    first = unit_mail(ctx, "区人社局", message_id=fixed)
    second = unit_mail(ctx, "区民政局", message_id=fixed)
    assert pipeline.ingest(ctx, first, "test:1", SEPT).state == "done"
    assert pipeline.ingest(ctx, second, "test:2", SEPT).state == "done"
    assert counted_units(ctx) == {"区人社局", "区民政局"}
    assert len(ctx.store.messages()) == 2


def test_1_the_same_mail_by_another_route_is_still_one_mail(ctx, tmp_path):
    """The same bytes with a trace header more (delivered twice, copied between folders)."""
    raw = unit_mail(ctx, "区人社局")
    rerouted = b"Received: from relay.example.org by mx; Mon, 28 Sep 2026 10:00:00 +0800\r\n" + raw
    assert pipeline.ingest(ctx, raw, "test:1", SEPT).state == "done"
    assert pipeline.ingest(ctx, rerouted, "test:2", SEPT).state == "duplicate"
    assert len(ctx.store.messages()) == 1 and len(sent_mails(ctx, tmp_path / "out")) == 1
