"""TLS as offices have it: a self-signed or internal-CA certificate is trusted through
`ca_file` (no SSL_CERT_FILE), an untrusted one gets advice naming `ca_file`, and a
scheme that does not fit its port is refused at once with the URL that works."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from mailbot.config import ConfigError, load
from tests.pipeline import write_config
from tests.servers import PASSWORD
from tests.invoke import ROOT


def check(config, env_extra: dict) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "SSL_CERT_FILE"}
    env.update(PYTHONPATH=str(ROOT), MAILBOT_IMAP_PASSWORD=PASSWORD, **env_extra)
    return subprocess.run([sys.executable, "-m", "mailbot", "--config", str(config), "check"],
                          capture_output=True, text=True, env=env, timeout=120)


def imaps_site(tmp_path, dovecot, ca_file: str = ""):
    user = dovecot.new_user()
    line = f'ca_file = "{ca_file}"\n' if ca_file else ""
    return write_config(tmp_path, edit=lambda text: text.replace(
        'url = "maildir:var/mail"', f'url = "{dovecot.url(user, tls=True)}"\n{line}'))


@pytest.mark.slow
def test_a_self_signed_certificate_is_trusted_through_ca_file(tmp_path, dovecot):
    config = imaps_site(tmp_path, dovecot, ca_file=str(dovecot.cert.cert))
    result = check(config, {})
    assert result.returncode == 0, result.stderr
    assert "IMAP 登录成功" in result.stdout


@pytest.mark.slow
def test_an_untrusted_certificate_gets_advice_naming_ca_file(tmp_path, dovecot):
    result = check(imaps_site(tmp_path, dovecot), {})
    assert result.returncode == 1
    assert "服务器证书无法验证" in result.stderr and "[mailbox] 的 ca_file" in result.stderr


@pytest.mark.parametrize("url, fix", [
    ("imap://u@mail.example.org:993/INBOX", "imaps://u@mail.example.org:993/INBOX"),
    ("imaps://u@mail.example.org:143/INBOX", "imap://u@mail.example.org:143/INBOX"),
])
def test_a_scheme_that_does_not_fit_its_port_is_refused_at_once(tmp_path, url, fix):
    config = write_config(tmp_path, edit=lambda text: text.replace(
        'url = "maildir:var/mail"', f'url = "{url}"'))
    started = time.monotonic()
    with pytest.raises(ConfigError) as error:
        load(config)
    assert time.monotonic() - started < 5
    assert "[mailbox] url：端口" in str(error.value) and f"请改为 {fix}" in str(error.value)


def test_smtp_starttls_on_465_names_smtps(tmp_path):
    config = write_config(tmp_path, edit=lambda text: text.replace(
        'url = "outbox:var/outbox"', 'url = "smtp+starttls://bot@mail.example.org:465"'))
    with pytest.raises(ConfigError, match="请改为 smtps://bot@mail.example.org:465"):
        load(config)


def test_a_missing_ca_file_is_named(tmp_path):
    config = write_config(tmp_path, edit=lambda text: text.replace(
        'url = "maildir:var/mail"', 'url = "maildir:var/mail"\nca_file = "certs/none.pem"'))
    with pytest.raises(ConfigError, match=r"\[mailbox\] ca_file：找不到证书文件"):
        load(config)
