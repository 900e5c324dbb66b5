"""Issue 12, finding 16: every key of config.toml typed and checked, in Chinese with its
place in the file; unknown keys are errors; secrets never echoed; `check` warns about
a file others can read and about a password written into it."""

from __future__ import annotations

import os

import pytest

from mailbot.config import ConfigError, load
from mailbot.config.endpoint import Endpoint
from mailbot.outgoing import smtp
from tests.pipeline import write_config
from tests.invoke import mailbot

SECRET = "S3cret-9911"


def problems(tmp_path, edit=lambda text: text, extra: str = "") -> list[str]:
    with pytest.raises(ConfigError) as raised:
        load(write_config(tmp_path, extra, edit))
    assert "Traceback" not in str(raised.value)
    return raised.value.problems


def swap(old: str, new: str):
    def edit(text: str) -> str:
        assert old in text, old
        return text.replace(old, new, 1)
    return edit


@pytest.mark.parametrize("value, expected", [
    ("0", "[mailbox] poll_seconds：应在 1 到 86400 之间，现为 0"),
    ("-5", "[mailbox] poll_seconds：应在 1 到 86400 之间，现为 -5"),
    ('"5m"', '[mailbox] poll_seconds：应为整数，现为 "5m"'),
])
def test_poll_seconds_must_be_a_positive_number_of_seconds(tmp_path, value, expected):
    assert problems(tmp_path, swap('processed = "leave"',
                                   f'processed = "leave"\npoll_seconds = {value}')) == [expected]


@pytest.mark.parametrize("edit, expected", [
    (swap('timezone = "Asia/Shanghai"', 'timezone = "Asia/Shangai"'),
     '[campaign] timezone：不认识时区 "Asia/Shangai"，请写如 "Asia/Shanghai"'),
    (swap('path = "var/mailbot.sqlite3"', 'path = ""'), "[store] path：不能为空"),
    (swap('sender = "fulian-office@zichuan.example.org"', 'sender = "办公室"'),
     '[smtp] sender："办公室" 不是邮箱地址'),
    (swap('title = "2026年为全区妇女儿童办实事工作进展情况报表"', "title = 123"),
     "[campaign] title：应为文字（加英文双引号），现为 123"),
    (swap('url = "maildir:var/mail"', "url = 123"), "[mailbox] url：应为文字（加英文双引号），现为 123"),
    (swap('password_env = "MAILBOT_IMAP_PASSWORD"', 'pasword_env = "MAILBOT_IMAP_PASSWORD"'),
     "[mailbox] pasword_env：不认识这一项；可用的有：url、password_env、allow_plaintext、processed、"
     "processed_folder、poll_seconds、since、ca_file"),
])
def test_each_bad_value_is_named_in_plain_chinese(tmp_path, edit, expected):
    assert problems(tmp_path, edit) == [expected]


def test_aliases_as_a_string_is_an_error_not_letters(tmp_path):
    found = problems(tmp_path, swap('aliases = ["淄川区卫生健康局", "区卫生健康局"]',
                                    'aliases = "卫健局"'))
    assert found == ['第3个[[units]]的 aliases：应为列表（[...]），现为 "卫健局"']


def test_unknown_sections_and_keys_in_units_are_errors_with_their_place(tmp_path):
    found = problems(tmp_path, swap('emails = ["wjj@zichuan.example.org"]',
                                    'email = ["wjj@zichuan.example.org"]'), "[mailbx]\nurl = 1\n")
    assert "[mailbx]：不认识这一项；可用的有：campaign、form、federation、mailbox、smtp、store、" \
           "security、limits、quarters、calendar、reminders、summary、units、items、web" in found
    assert any(p.startswith("第3个[[units]]的 email：不认识这一项") for p in found)


def test_smtp_needs_a_sender_when_it_sends_over_the_network(tmp_path):
    found = problems(tmp_path, lambda text: swap('sender = "fulian-office@zichuan.example.org"',
                                                 "")(text).replace(
        'url = "outbox:var/outbox"', 'url = "smtp://127.0.0.1:2525"'))
    assert found == ["[smtp] sender：通过 SMTP 发信时需要填写发件地址"]


def test_a_password_in_a_url_is_never_echoed(tmp_path):
    for url in (f"imaps://office:{SECRET}@mail.example.org:993/INBOX",
                f"imap://office:{SECRET}@mail.example.org:993/INBOX",  # wrong port, too
                f"imaps://office:{SECRET}@mail.example.org:99999/INBOX"):
        found = problems(tmp_path, swap('url = "maildir:var/mail"', f'url = "{url}"'))
        assert found and not any(SECRET in p for p in found), found
        assert "[mailbox] url：地址里不能写密码" in "\n".join(found) or "端口号" in found[0]


def test_a_world_readable_config_and_an_inline_password_are_warned_about_by_check(tmp_path):
    path = write_config(tmp_path, edit=swap('password_env = "MAILBOT_SMTP_PASSWORD"',
                                            f'password_env = "MAILBOT_SMTP_PASSWORD"\n'
                                            f'password = "{SECRET}"'))
    os.chmod(path, 0o644)
    result = mailbot("check", cwd=tmp_path)
    assert "任何用户都能读取" in result.stderr and "chmod 600" in result.stderr
    assert "[smtp] password：config.toml 里的密码不会被使用" in result.stderr
    assert "MAILBOT_SMTP_PASSWORD" in result.stderr and SECRET not in result.stderr
    os.chmod(path, 0o600)
    assert "任何用户都能读取" not in mailbot("check", cwd=tmp_path).stderr


@pytest.mark.slow
def test_a_non_ascii_password_is_a_plain_error(smtp_server, monkeypatch):
    monkeypatch.setenv("MAILBOT_SMTP_PASSWORD", "妇联密码2026")
    endpoint = Endpoint(url=f"smtp://bot@127.0.0.1:{smtp_server.port}",
                        password_env="MAILBOT_SMTP_PASSWORD", sender="bot@example.org")
    ok, explanation = smtp.check_login(endpoint)
    assert not ok and "非 ASCII" in explanation and "妇联密码2026" not in explanation
    with pytest.raises(smtp.TransportError, match="非 ASCII"):
        smtp.SmtpTransport.from_endpoint(endpoint).send(b"Subject: x\r\n\r\nx\r\n",
                                                        "bot@example.org", ["a@example.org"])
