"""SmtpTransport against a real aiosmtpd on loopback (tests/servers.py)."""

from __future__ import annotations

import email
import email.policy
import email.utils
from email.message import EmailMessage

import pytest

from mailbot.config import Endpoint
from mailbot.outgoing.smtp import SmtpSettings, SmtpTransport, TransportError, check_login
from tests.servers import PASSWORD, free_port

pytestmark = pytest.mark.slow
ENV = "MAILBOT_TEST_SMTP_PASSWORD"


def receipt(to: str = "rsj@zichuan.example.org") -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = "区妇联 <fulian-office@zichuan.example.org>"
    msg["To"] = to
    msg["Subject"] = "回执：区人社局2026年第一季度报表已收到"
    msg["Auto-Submitted"] = "auto-replied"
    msg.set_content("您单位报送的材料已收到。")
    return msg


def send(transport: SmtpTransport, msg: EmailMessage) -> None:
    """Send as the outbox does: bytes, with the envelope taken from the headers."""
    recipients = [a for _, a in email.utils.getaddresses(msg.get_all("To", []))]
    transport.send(msg.as_bytes(), "fulian-office@zichuan.example.org", recipients)


def transport(server, scheme: str) -> SmtpTransport:
    endpoint = Endpoint(url=server.url(scheme), password_env=ENV)
    context = server.cert.client_context() if server.cert else None
    return SmtpTransport(SmtpSettings.from_endpoint(endpoint, timeout=10), context)


def test_starttls_and_auth(smtp_tls_server, monkeypatch):
    monkeypatch.setenv(ENV, PASSWORD)
    send(transport(smtp_tls_server, "smtp+starttls"), receipt())
    [got] = smtp_tls_server.received
    assert got.mail_from == "fulian-office@zichuan.example.org"
    assert got.rcpt_tos == ("rsj@zichuan.example.org",)
    parsed = email.message_from_bytes(got.data, policy=email.policy.default)
    assert parsed["Subject"] == "回执：区人社局2026年第一季度报表已收到"
    assert parsed.get_content().strip() == "您单位报送的材料已收到。"


def test_plain_smtp_url_uses_starttls_when_offered(smtp_tls_server, monkeypatch):
    monkeypatch.setenv(ENV, PASSWORD)
    send(transport(smtp_tls_server, "smtp"), receipt())  # AUTH is only offered after STARTTLS
    assert len(smtp_tls_server.received) == 1


def test_plain_relay_on_loopback_without_login(smtp_server):
    send(transport(smtp_server, "smtp"), receipt())
    assert len(smtp_server.received) == 1


def test_starttls_required_but_not_offered(smtp_server):
    with pytest.raises(TransportError, match="offers no STARTTLS") as caught:
        send(transport(smtp_server, "smtp+starttls"), receipt())
    assert not caught.value.temporary and smtp_server.received == []


def test_a_wrong_password_is_permanent_and_explained(smtp_tls_server, monkeypatch):
    monkeypatch.setenv(ENV, "wrong")
    with pytest.raises(TransportError, match="拒绝了用户 bot 的登录") as caught:
        send(transport(smtp_tls_server, "smtp+starttls"), receipt())
    assert caught.value.code == 535 and not caught.value.temporary
    ok, text = check_login(Endpoint(url=smtp_tls_server.url("smtp+starttls"), password_env=ENV),
                           smtp_tls_server.cert.client_context())
    assert not ok and "请核对用户名和密码" in text


def test_codes_decide_temporary_or_permanent(smtp_server):
    with pytest.raises(TransportError) as rejected:
        send(transport(smtp_server, "smtp"), receipt("reject-me@zichuan.example.org"))
    assert rejected.value.code == 550 and not rejected.value.temporary
    with pytest.raises(TransportError) as busy:
        send(transport(smtp_server, "smtp"), receipt("busy-me@zichuan.example.org"))
    assert busy.value.code == 451 and busy.value.temporary
    assert smtp_server.received == []


def test_partial_refusal_is_not_retried(smtp_server):
    msg = receipt("rsj@zichuan.example.org, reject-x@zichuan.example.org")
    with pytest.raises(TransportError, match="accepted the mail but refused reject-x") as caught:
        send(transport(smtp_server, "smtp"), msg)
    assert not caught.value.temporary  # a retry would send rsj@ a second copy
    assert smtp_server.received[0].rcpt_tos == ("rsj@zichuan.example.org",)


def test_unreachable_server_is_temporary():
    settings = SmtpSettings(host="127.0.0.1", port=free_port(), scheme="smtp", timeout=5)
    with pytest.raises(TransportError, match="unreachable") as caught:
        send(SmtpTransport(settings), receipt())
    assert caught.value.temporary


def test_check_login(smtp_tls_server, monkeypatch):
    monkeypatch.delenv(ENV, raising=False)
    endpoint = Endpoint(url=smtp_tls_server.url("smtp+starttls"), password_env=ENV)
    ok, text = check_login(endpoint, smtp_tls_server.cert.client_context())
    assert not ok and f"环境变量 {ENV} 没有设置" in text
    monkeypatch.setenv(ENV, PASSWORD)
    assert check_login(endpoint, smtp_tls_server.cert.client_context()) == (
        True, f"SMTP 连接成功：bot@127.0.0.1:{smtp_tls_server.port}。")
    ok, text = check_login(Endpoint(url=f"smtps://u@127.0.0.1:{free_port()}", password_env=ENV))
    assert not ok and "连接被拒绝" in text


def test_a_long_mail_with_bare_line_feeds_goes_out_with_crlf(smtp_server):
    msg = receipt()
    msg.set_content("您单位报送的材料已收到。\n" * 200)  # as the store keeps it: LF only
    raw = msg.as_bytes()
    assert b"\r\n" not in raw and len(raw) > 2000
    transport(smtp_server, "smtp").send(raw, "fulian-office@zichuan.example.org",
                                        ["rsj@zichuan.example.org"])
    [got] = smtp_server.received
    assert got.data.replace(b"\r\n", b"\n").rstrip(b"\n") == raw.rstrip(b"\n")
