"""The console's settings, security and commands, through Flask's test client on a real store
(the browser tests in test_web_browser.py go through a real server and Chromium)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import urllib.request

import pytest
from argon2 import PasswordHasher
from click.testing import CliRunner

from mailbot.cli import main
from mailbot.config import ConfigError, load
from mailbot.web.app import create_app
from mailbot.web.settings import Role, check_password, web_settings
from mailbot.app import pipeline
from tests.console import HASH, PASSWORD, STAFF, VIEWER, campaign_with_mail, console_toml
from tests.pipeline import NOW, ROOT, write_config
from tests.servers import free_port, wait_for_port


@pytest.fixture
def config(tmp_path):
    return load(write_config(tmp_path, console_toml()))


@pytest.fixture
def client(config):
    return create_app(config, lambda: NOW, web_settings(config)).test_client()


def token(client, path="/login") -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text).group(1)


def log_in(client, user=STAFF, password=PASSWORD):
    return client.post("/login", data={"username": user, "password": password,
                                       "csrf_token": token(client)})


def test_settings_read_users_and_roles(config):
    settings = web_settings(config)
    assert [(u.name, u.role) for u in settings.users] == [(STAFF, Role.STAFF), (VIEWER, Role.VIEWER)]
    assert check_password(settings, STAFF, PASSWORD).name == STAFF
    assert check_password(settings, STAFF, "wrong") is None
    assert check_password(settings, "nobody", PASSWORD) is None


def test_bad_web_settings_are_named_in_chinese(tmp_path):
    path = write_config(tmp_path, """
[web]
listen = "8765"
[[web.users]]
name = "a"
password_hash = "plain-password"
role = "admin"
""")
    with pytest.raises(ConfigError) as error:
        web_settings(load(path))
    problems = error.value.problems
    assert problems[0].startswith("web.listen：")
    assert any("第1项：role" in p for p in problems)
    assert any("第1项：password_hash" in p for p in problems)


def test_a_hash_may_come_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("TEST_WEB_HASH", HASH)
    path = write_config(tmp_path, '[[web.users]]\nname = "li"\npassword_hash_env = "TEST_WEB_HASH"\n')
    assert check_password(web_settings(load(path)), "li", PASSWORD).role is Role.STAFF


def test_hash_password_reads_stdin_and_prints_an_argon2_hash():
    result = CliRunner().invoke(main, ["web", "hash-password"], input="s3cret pass\n")
    assert result.exit_code == 0
    assert PasswordHasher().verify(result.output.strip(), "s3cret pass")
    assert CliRunner().invoke(main, ["web", "hash-password"], input="\n").exit_code == 2


def test_web_without_users_says_how_to_add_one(tmp_path):
    path = write_config(tmp_path, '[web]\nlisten = "127.0.0.1:0"\n')
    result = CliRunner().invoke(main, ["--config", str(path), "web"])
    assert result.exit_code == 2 and "mailbot web hash-password" in result.output


def test_pages_need_a_session_and_healthz_does_not(client):
    assert client.get("/healthz").status_code == 200
    for path in ("/", "/unit/区人社局", "/review", "/remind", "/reports", "/system",
                 "/reports/2026Q3.docx", "/no-such-page"):
        answer = client.get(path)
        assert answer.status_code == 302 and answer.location.startswith("/login?next="), path
    assert client.post("/remind").status_code == 400  # no CSRF token: refused before anything


def test_login_sets_a_protected_cookie_and_secure_headers(client):
    answer = log_in(client)
    assert answer.status_code == 302 and answer.location == "/"
    cookie = answer.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    page = client.get("/")
    assert page.status_code == 200 and "报送情况" in page.text
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    assert page.headers["X-Frame-Options"] == "DENY"
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert "http" not in re.sub(r'href="/[^"]*"|src="/[^"]*"', "", page.text).lower().replace(
        "http-equiv", "")  # nothing from outside the package


def test_an_idle_session_must_log_in_again(client):
    log_in(client)
    with client.session_transaction() as session:
        session["seen"] = time.time() - 31 * 60
    assert client.get("/review").location == "/login?next=/review"


def test_the_system_page_checks_the_machine_parts_on_request(client, monkeypatch):
    log_in(client)
    assert "<h2>本机组件</h2>" not in client.get("/system").text  # a second of work: on request
    monkeypatch.setenv("MAILBOT_SOFFICE", "")
    page = client.get("/system?check=1").text
    assert "<h2>本机组件</h2>" in page
    assert '<li class="no">提醒：未安装 LibreOffice，无法读取 .doc、.wps、.xls、.et 格式的报表' in page
    assert '<li class="yes">正常：文字识别组件已安装（RapidOCR 1.' in page


def test_login_never_redirects_off_the_site(client):
    answer = client.post("/login?next=//evil.example/x", data={
        "username": STAFF, "password": PASSWORD, "csrf_token": token(client)})
    assert answer.location == "/"


def test_the_viewer_is_refused_every_action(client):
    log_in(client, VIEWER)
    csrf = token(client, "/")
    for path in ("/review/1/accept", "/review/1/reject", "/review/1/requeue",
                 "/review/1/confirm-seal", "/review/1/reassign", "/review/1/confirm-copy",
                 "/outgoing/1/resend", "/remind", "/reports/2026Q3/send"):
        answer = client.post(path, data={"csrf_token": csrf, "confirm": "1"})
        assert answer.status_code == 403 and "只读" in answer.text, path


def test_an_action_asks_for_confirmation_first(client):
    log_in(client)
    csrf = token(client, "/")
    answer = client.post("/remind", data={"csrf_token": csrf, "unit": "区民政局"})
    assert answer.status_code == 200 and "确认立即提醒" in answer.text
    assert 'name="confirm" value="1"' in answer.text


@pytest.mark.slow
def test_run_serves_the_console_when_web_listen_is_set(tmp_path):
    port = free_port()
    write_config(tmp_path, console_toml(f"127.0.0.1:{port}"))
    (tmp_path / "var" / "mail").mkdir(parents=True)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    worker = subprocess.Popen([sys.executable, "-m", "mailbot", "--now", "2026-10-12T10:00",
                               "run"], cwd=tmp_path, env=env, stderr=subprocess.PIPE, text=True)
    try:
        wait_for_port(port, 60)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz") as answer:
            assert answer.status == 200
    finally:
        worker.send_signal(signal.SIGTERM)
        _, log = worker.communicate(timeout=60)
    assert worker.returncode == 0, log
    assert "console listening" in log and "worker stopped" in log


@pytest.mark.slow
def test_staff_confirm_a_seal_by_hand_and_the_unit_is_complete(tmp_path, smtp_server):
    config = campaign_with_mail(tmp_path / "campaign", smtp_server.url())
    client = create_app(config, lambda: NOW, web_settings(config)).test_client()
    log_in(client)
    page = client.get("/unit/区残联?quarter=2026Q3").text
    assert "人工确认已盖章" in page
    action = re.search(r'action="(/review/\d+/confirm-seal)"', page).group(1)
    answer = client.post(action, data={"csrf_token": token(client, "/"), "confirm": "1"})
    assert answer.status_code == 302
    overview = client.get("/?quarter=2026Q3").text
    row = re.search(r'<tr data-unit="区残联">(.*?)</tr>', overview, re.S).group(1)
    assert "按时报送" in row
    ctx = pipeline.Context.open(config, lambda: NOW)
    assert ctx.store.audit_trail()[-1].who == f"{STAFF}（网页）"
