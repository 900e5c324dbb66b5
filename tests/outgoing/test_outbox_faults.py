"""Issue 12, finding 6: a relay's own outage (4xx to every mail) costs no mail; a mail is
given up by age, not by count; a given-up reminder frees its stage to be queued again.
Real aiosmtpd on loopback answering 451 while the outage lasts; the campaign clock
steps the flushes through the hours."""

from __future__ import annotations

from datetime import timedelta

import pytest

from mailbot.app import notices
from mailbot.outgoing import outbox
from tests.servers import _controller
from tests.outgoing.test_outbox import NOW, mail, open_ctx, put

UNITS = ("rsj", "wjj", "fayuan", "jtj", "sfj")


class Relay:
    """An SMTP relay that answers 451 to every recipient while `down`; counts tries."""

    def __init__(self) -> None:
        self.down = True
        self.tries = 0
        self.received: list[tuple[str, ...]] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        self.tries += 1
        if self.down:
            return "451 4.3.0 relay unavailable, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.received.append(tuple(envelope.rcpt_tos))
        return "250 Message accepted"


@pytest.fixture
def relay():
    handler = Relay()
    controller = _controller(handler)
    handler.port = controller.port
    yield handler
    controller.stop()


def relay_ctx(tmp_path, relay):
    return open_ctx(tmp_path, {'url = "outbox:var/outbox"':
                               f'url = "smtp://127.0.0.1:{relay.port}"'})


@pytest.mark.slow
def test_a_six_hour_relay_outage_loses_nothing_and_counts_against_no_mail(tmp_path, relay):
    ctx = relay_ctx(tmp_path, relay)
    transport = outbox.open_transport(ctx.config.smtp)
    for unit in UNITS:
        put(ctx, mail((f"{unit}@zichuan.example.org",), key=f"reminder:{unit}"))
    moment, flushes = NOW, 0
    while moment < NOW + timedelta(hours=6):  # the worker's outbox job: every minute
        assert outbox.flush(ctx.store, transport, moment)[0] == 0
        moment, flushes = moment + timedelta(minutes=1), flushes + 1
    rows = ctx.store.outgoing()
    assert {row.state for row in rows} == {"queued"}
    assert {row.attempts for row in rows} == {0}
    assert all("451" in row.last_error for row in rows)
    tries_in_outage = relay.tries

    relay.down = False
    assert outbox.flush(ctx.store, transport, moment + timedelta(minutes=2)) == (5, 0)
    assert sorted(relay.received) == sorted((f"{u}@zichuan.example.org",) for u in UNITS)
    assert {row.state for row in ctx.store.outgoing()} == {"sent"}
    print(f"\n6 h outage: {flushes} flushes, {tries_in_outage} RCPT tries, 0 given up, "
          f"5 of 5 sent after it")


@pytest.mark.slow
def test_a_mail_refused_alongside_accepted_ones_backs_off_and_waits_days_not_tries(
        tmp_path, smtp_server):
    ctx = open_ctx(tmp_path, {'url = "outbox:var/outbox"': f'url = "{smtp_server.url()}"',
                              "rsj@zichuan.example.org": "busy-rsj@zichuan.example.org"})
    transport = outbox.open_transport(ctx.config.smtp)
    put(ctx, mail(("busy-rsj@zichuan.example.org",), key="busy"))
    put(ctx, mail(("wjj@zichuan.example.org",), key="fine"))
    assert outbox.flush(ctx.store, transport, NOW) == (1, 1)
    assert ctx.store.outgoing()[0].attempts == 1  # the mail's own refusal counts
    moment = NOW
    for _ in range(30):  # 30 refusals over more than two days: still waiting
        moment += outbox.RETRY_MAX
        outbox.flush(ctx.store, transport, moment)
    assert ctx.store.outgoing()[0].state == "queued"


@pytest.mark.slow
def test_a_reminder_given_up_by_age_frees_its_stage_and_is_queued_again(tmp_path, relay):
    ctx = relay_ctx(tmp_path, relay)
    transport = outbox.open_transport(ctx.config.smtp)
    day = notices.reminders_due(ctx)
    assert day, "the campaign clock is inside a reminder window"
    assert notices.queue_reminders(ctx, day[:1]) == 1
    [first] = ctx.store.outgoing()
    outbox.flush(ctx.store, transport, NOW)  # one mail alone: its refusal counts
    assert outbox.flush(ctx.store, transport, NOW + outbox.GIVE_UP_AFTER) == (0, 1)
    given_up = ctx.store.outgoing()[0]
    assert given_up.state == "failed" and given_up.dedup_key is None
    assert given_up.given_up_key == first.dedup_key

    again = notices.reminders_due(ctx)
    assert first.dedup_key in {reminder.dedup_key for reminder in again}
    assert notices.queue_reminders(ctx, [r for r in again
                                         if r.dedup_key == first.dedup_key]) == 1
    with ctx.store.transaction() as tx:
        assert not tx.resend(given_up.id)  # the stage is queued again: no twin
    relay.down = False
    assert outbox.flush(ctx.store, transport, NOW + outbox.GIVE_UP_AFTER) == (1, 0)
