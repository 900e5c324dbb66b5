"""mailbot must never be a way in: forged senders are held, auto-responders cannot start a
loop, no mail leaves for an address outside config.toml, passwords never reach the logs
or the store, and the store and archive are private."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from email.mime.text import MIMEText
from email.utils import format_datetime, make_msgid

import pytest

from mailbot.app import pipeline
from mailbot.app.pipeline import REPLIES_PER_HOUR
from mailbot.core.models import OutgoingMail
from mailbot.outgoing.outbox import NotInConfig, allowed_addresses, queue
from tests.pipeline import NOW, ROOT, SEPT, open_context, sent_mails, unit_mail
from tests.servers import PASSWORD

UNIT = "区人社局"
UNIT_ADDRESS = "rsj@zichuan.example.org"
FEDERATION = "fulian-office@zichuan.example.org"
def trusted(text: str) -> str:
    return text.replace("trusted_authserv_ids = []",
                        'trusted_authserv_ids = ["mx.zichuan.example.org"]')


@pytest.fixture
def ctx(tmp_path):
    context = open_context(tmp_path)
    yield context
    context.store.close()


def with_header(raw: bytes, line: str) -> bytes:
    return line.encode() + b"\n" + raw


def assert_only_config_addresses(ctx) -> None:
    allowed = allowed_addresses(ctx.config.campaign)
    for row in ctx.store.outgoing():
        assert set(row.recipients) <= allowed


# --- forged senders -------------------------------------------------------------------

def test_forged_unit_name_from_an_unregistered_address_is_held_and_the_unit_told(ctx, tmp_path):
    raw = with_header(unit_mail(ctx, UNIT, sender="rsj.zichuan@163.com"),
                      "Authentication-Results: mx.zichuan.example.org; dkim=pass header.d=163.com;"
                      " dmarc=pass header.from=163.com")
    outcome = pipeline.ingest(ctx, raw, "test:1", SEPT)
    assert (outcome.state, outcome.unit) == ("held", UNIT)  # a passing DKIM proves nothing here
    assert ctx.current("2026Q3") == []
    [notice] = sent_mails(ctx, tmp_path / "out")
    assert notice["To"] == UNIT_ADDRESS and "rsj.zichuan@163.com" in notice.get_content()


def test_results_claimed_by_an_untrusted_server_change_nothing(tmp_path):
    ctx = open_context(tmp_path, edit=trusted)
    raw = with_header(unit_mail(ctx, UNIT),
                      "Authentication-Results: evil.example; dkim=fail; dmarc=fail")
    assert pipeline.ingest(ctx, raw, "test:1", SEPT).state == "done"


def test_registered_address_failing_dkim_at_a_trusted_server_is_held(tmp_path):
    ctx = open_context(tmp_path, edit=trusted)
    raw = with_header(unit_mail(ctx, UNIT), "Authentication-Results: mx.zichuan.example.org;"
                      " dkim=fail header.d=zichuan.example.org; dmarc=fail")
    outcome = pipeline.ingest(ctx, raw, "test:1", SEPT)
    assert (outcome.state, outcome.unit) == ("held", UNIT)
    assert "DKIM" in outcome.reason
    assert ctx.current("2026Q3") == []


# --- loops with auto-responders -----------------------------------------------------------

def auto_responder(subject: str, in_reply_to: str, *headers: tuple[str, str]) -> bytes:
    mail = MIMEText("您好，您的邮件已收到，我会尽快处理。", "plain", "utf-8")
    mail["From"], mail["To"] = UNIT_ADDRESS, FEDERATION
    mail["Subject"] = subject
    mail["Date"] = format_datetime(SEPT)
    mail["Message-ID"] = make_msgid(domain="zichuan.example.org")
    mail["In-Reply-To"] = in_reply_to
    for name, value in headers:
        mail[name] = value
    return mail.as_bytes()


@pytest.mark.parametrize("subject, headers", [
    ("Re: 回执", [("Auto-Submitted", "auto-replied")]),
    ("Re: 回执", [("X-Autoreply", "yes")]),
    ("Re: 回执", [("Precedence", "auto_reply")]),
    ("自动回复：回执：区人社局2026年第三季度进展情况已收到", []),
    ("Automatic reply: 回执", []),
])
def test_an_auto_responder_answering_a_receipt_gets_no_answer(ctx, tmp_path, subject, headers):
    pipeline.ingest(ctx, unit_mail(ctx, UNIT), "test:1", SEPT)
    [receipt] = sent_mails(ctx, tmp_path / "out")
    answer = auto_responder(subject, receipt["Message-ID"], *headers)
    outcome = pipeline.ingest(ctx, answer, "test:2", SEPT)
    assert outcome.state == "ignored" and outcome.reason.startswith("automatic mail")
    assert len(sent_mails(ctx, tmp_path / "out")) == 1  # the loop stopped at one reply


def test_a_report_whose_subject_starts_like_an_auto_reply_still_counts(ctx):
    raw = unit_mail(ctx, UNIT, subject="自动回复功能测试后补报：区人社局三季度进展")
    assert pipeline.ingest(ctx, raw, "test:1", SEPT).state == "done"


def test_the_per_sender_rate_limit_caps_a_loop_that_looks_human(ctx, tmp_path):
    """A responder that quotes our receipt with a fresh report attached looks human; the
    hourly cap on receipts per address bounds the damage."""
    for number in range(REPLIES_PER_HOUR + 3):
        raw = unit_mail(ctx, UNIT, files=("docx",), subject=f"区人社局三季度进展（第{number}次）")
        assert pipeline.ingest(ctx, raw, f"test:{number}", SEPT).state == "done"
    assert len(ctx.store.messages("done")) == REPLIES_PER_HOUR + 3  # every mail recorded
    assert len(sent_mails(ctx, tmp_path / "out")) == REPLIES_PER_HOUR


# --- nobody outside config.toml ------------------------------------------------------------

def test_reply_to_and_cc_of_strangers_are_never_answered(ctx, tmp_path):
    raw = unit_mail(ctx, UNIT)
    raw = with_header(with_header(raw, "Reply-To: attacker@evil.example"),
                      "Cc: attacker2@evil.example")
    pipeline.ingest(ctx, raw, "test:1", SEPT)
    [receipt] = sent_mails(ctx, tmp_path / "out")
    assert receipt["To"] == UNIT_ADDRESS and receipt["Cc"] is None
    assert_only_config_addresses(ctx)


def test_the_outbox_refuses_an_address_outside_config(ctx):
    mail = OutgoingMail(kind="receipt", to=("someone@evil.example",), subject="x", text="x")
    with pytest.raises(NotInConfig, match="someone@evil.example"):
        with ctx.store.transaction() as tx:
            queue(tx, ctx.config.campaign, ctx.sender, mail, NOW)
    assert ctx.store.outgoing() == []


# --- secrets ---------------------------------------------------------------------------------

WRONG = "Wr0ng-pa55-xyzzy-7731"


def run_cli(config, *args, password: str, cert) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT), MAILBOT_IMAP_PASSWORD=password,
               SSL_CERT_FILE=str(cert.cert))
    return subprocess.run([sys.executable, "-m", "mailbot", "-v", "--config", str(config),
                           "--now", "2026-10-12T10:00", *args],
                          capture_output=True, text=True, env=env, timeout=120)


@pytest.mark.slow
def test_passwords_never_reach_logs_or_store(dovecot_bad_logins, tmp_path):
    server = dovecot_bad_logins
    user = server.new_user()
    ctx = open_context(tmp_path, edit=lambda text: text.replace(
        'url = "maildir:var/mail"', f'url = "{server.url(user)}"'))
    server.append(user, unit_mail(ctx, UNIT))
    ctx.store.close()
    config = tmp_path / "config.toml"
    outputs = []
    for password, args, code in [(WRONG, ["check"], 1), (WRONG, ["poll", "--once"], 1),
                                 (PASSWORD, ["check"], 0), (PASSWORD, ["poll", "--once"], 0)]:
        result = run_cli(config, *args, password=password, cert=server.cert)
        assert result.returncode == code, result.stderr
        outputs.append(result.stdout + result.stderr)
    assert "拒绝了用户" in outputs[0] and "新邮件 1 封" in outputs[3]
    logs = "\n".join(outputs)
    assert WRONG not in logs
    assert PASSWORD not in logs
    stored = b"".join(p.read_bytes() for p in (tmp_path / "var").rglob("*") if p.is_file())
    assert len(stored) > 10_000  # the store, its WAL and the archived mail
    assert WRONG.encode() not in stored and PASSWORD.encode() not in stored


# --- permissions --------------------------------------------------------------------------------

def test_store_and_archive_are_private(ctx):
    pipeline.ingest(ctx, unit_mail(ctx, UNIT), "test:1", SEPT)
    store, archive = ctx.store.path, ctx.store.archive_dir
    assert stat.S_IMODE(store.stat().st_mode) == 0o600
    for sidecar in (store.with_name(store.name + "-wal"), store.with_name(store.name + "-shm")):
        if sidecar.exists():
            assert stat.S_IMODE(sidecar.stat().st_mode) & 0o077 == 0
    folders = [store.parent, archive, *(p for p in archive.rglob("*") if p.is_dir())]
    assert {stat.S_IMODE(p.stat().st_mode) for p in folders} == {0o700}
    files = [p for p in archive.rglob("*") if p.is_file()]
    assert files and {stat.S_IMODE(p.stat().st_mode) for p in files} == {0o600}


def test_server_answers_reach_staff_without_python_bytes_reprs():
    from mailbot.config.secure import explain_login_refused
    text = explain_login_refused("SMTP", "smtp.163.com", "bot",
                                 "(535, b'Error: authentication failed')")
    assert "b'" not in text and "535 Error: authentication failed" in text
    assert "授权码" in text
