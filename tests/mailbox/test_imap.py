"""ImapSource against a real Dovecot on loopback (tests/servers.py)."""

from __future__ import annotations

import threading
import time

import pytest

from mailbot.config import Endpoint
from mailbot.mailbox import ConnectionLost, MailboxError
from mailbot.mailbox.imap import (KEYWORD, ImapSettings, ImapSource, ImapState, check_login,
                                  size_batches)
from mailbot.config.secure import app_code_hint, explain_login_refused, plaintext_allowed
from tests.servers import PASSWORD, free_port

pytestmark = pytest.mark.slow
ENV = "MAILBOT_TEST_IMAP_PASSWORD"


def mail(n: int, subject: str = "report") -> bytes:
    return (f"From: unit{n}@zichuan.example.org\r\nTo: fulian@zichuan.example.org\r\n"
            f"Subject: {subject} {n}\r\nMessage-ID: <m{n}@x>\r\n\r\nbody {n}\r\n").encode()


@pytest.fixture
def password(monkeypatch):
    monkeypatch.setenv(ENV, PASSWORD)


def make_source(server, user: str, **overrides) -> ImapSource:
    options = dict(host="127.0.0.1", port=server.port, user=user, implicit_tls=False,
                   password_env=ENV, timeout=10, connect_attempts=2)
    options.update(overrides)
    return ImapSource(ImapSettings(**options), ssl_context=server.cert.client_context())


def filled(server, *numbers: int) -> str:
    """A fresh user whose INBOX holds mail(n) for each n."""
    user = server.new_user()
    for n in numbers:
        server.append(user, mail(n))
    return user


def subjects(server, user: str, folder: str = "INBOX") -> list[str]:
    client = server.client(user)
    try:
        client.select_folder(folder, readonly=True)
        data = client.fetch(client.search(["ALL"]), ["BODY.PEEK[HEADER.FIELDS (SUBJECT)]"])
        return sorted(item[b"BODY[HEADER.FIELDS (SUBJECT)]"].decode().strip()[9:]
                      for item in data.values())
    finally:
        client.logout()


def test_incremental_fetch_over_starttls_leaves_seen_alone(dovecot, password):
    user = filled(dovecot, 1, 2, 3)
    source = make_source(dovecot, user, batch_size=2)
    got = list(source.fetch_new(None))
    assert [m.raw for m in got] == [mail(1), mail(2), mail(3)]
    assert got[-1].state == ImapState(source.uidvalidity, 3)
    assert got[0].source_key == f"imap:{source.uidvalidity}:1"
    assert all(m.received_at.tzinfo is not None for m in got)
    assert list(source.fetch_new(got[-1].state)) == []  # UID 4:* matches UID 3: filtered
    dovecot.append(user, mail(4))
    assert [m.raw for m in source.fetch_new(got[-1].state)] == [mail(4)]
    source.close()
    client = dovecot.client(user)
    client.select_folder("INBOX", readonly=True)
    assert all(b"\\Seen" not in flags for flags in client.get_flags([1, 2, 3, 4]).values())
    client.logout()
    log = (dovecot.root / "dovecot.log").read_text(errors="replace")
    assert any(f"user=<{user}>" in line and ", TLS" in line for line in log.splitlines())


def test_imaps_url_from_config(dovecot, password):
    user = filled(dovecot, 1)
    endpoint = Endpoint(url=dovecot.url(user, tls=True), password_env=ENV)
    source = ImapSource(ImapSettings.from_endpoint(endpoint), ssl_context=dovecot.cert.client_context())
    assert [m.raw for m in source.fetch_new(None)] == [mail(1)]
    source.close()


def test_uidvalidity_change_hands_everything_back_under_the_new_validity(dovecot, password):
    user = filled(dovecot, 1, 2)
    source = make_source(dovecot, user)
    state = list(source.fetch_new(None))[-1].state
    dovecot.set_uidvalidity(user, state.uidvalidity + 1000)
    again = list(source.fetch_new(state))  # the old connection was cut: reconnects
    assert [m.raw for m in again] == [mail(1), mail(2)]
    assert {m.state.uidvalidity for m in again} == {state.uidvalidity + 1000}
    assert again[0].source_key.startswith(f"imap:{state.uidvalidity + 1000}:")
    source.close()


def test_connection_cut_mid_fetch_raises_and_the_next_fetch_resumes(dovecot, password):
    user = filled(dovecot, 1, 2, 3)
    source = make_source(dovecot, user, batch_size=1)
    mails = source.fetch_new(None)
    first = next(mails)
    dovecot.kick(user)
    with pytest.raises(ConnectionLost, match="connection to IMAP server 127.0.0.1"):
        next(mails)
    assert [m.raw for m in source.fetch_new(first.state)] == [mail(2), mail(3)]
    source.close()


def test_idle_wakes_up_on_new_mail(dovecot, password):
    user = dovecot.new_user()
    source = make_source(dovecot, user)
    assert list(source.fetch_new(None)) == []
    assert source.wait_for_mail(0.3) is False
    threading.Timer(0.3, dovecot.append, (user, mail(1))).start()
    started = time.monotonic()
    assert source.wait_for_mail(20) is True
    assert time.monotonic() - started < 5
    assert [m.raw for m in source.fetch_new(None)] == [mail(1)]
    source.close()


def test_without_idle_the_source_polls(dovecot_limited, password):
    source = make_source(dovecot_limited, dovecot_limited.new_user())
    started = time.monotonic()
    assert source.wait_for_mail(0.3) is False  # no news known: poll on the interval
    assert time.monotonic() - started >= 0.3
    source.close()


def test_move_to_a_chinese_folder(dovecot, password):
    user = filled(dovecot, 1, 2)
    source = make_source(dovecot, user, processed="move", processed_folder="已处理")
    for got in list(source.fetch_new(None)):
        source.mark_processed(got.source_key)
    source.close()
    assert subjects(dovecot, user) == []
    assert subjects(dovecot, user, "已处理") == ["report 1", "report 2"]
    client = dovecot.client(user)
    client.folder_encode = False  # the wire name: modified UTF-7
    assert b"&XfJZBHQG-" in [name for _flags, _sep, name in client.list_folders()]
    client.logout()


def test_move_without_MOVE_expunges_only_our_mail(dovecot_limited, password):
    server, user = dovecot_limited, filled(dovecot_limited, 1)
    client = server.client(user)
    client.append("INBOX", mail(2, "staff deleted"), flags=[b"\\Deleted"])
    client.logout()
    source = make_source(server, user, processed="move", processed_folder="处理完毕")
    assert b"MOVE" not in source._connected().capabilities()
    mails = list(source.fetch_new(None))
    source.mark_processed(mails[0].source_key)
    source.close()
    assert subjects(server, user) == ["staff deleted 2"]  # never a plain EXPUNGE
    assert subjects(server, user, "处理完毕") == ["report 1"]


def test_move_to_the_special_use_archive(dovecot, password):
    user = filled(dovecot, 1)
    source = make_source(dovecot, user, processed="move", processed_folder="\\Archive")
    source.mark_processed(next(source.fetch_new(None)).source_key)
    source.close()
    assert subjects(dovecot, user, "Archive") == ["report 1"]


def test_keyword_action_sets_a_keyword_not_seen(dovecot, password):
    user = filled(dovecot, 1)
    source = make_source(dovecot, user, processed="keyword")
    source.mark_processed(next(source.fetch_new(None)).source_key)
    source.close()
    client = dovecot.client(user)
    client.select_folder("INBOX", readonly=True)
    assert client.get_flags([1])[1] == (KEYWORD.encode(),)
    client.logout()


def test_a_wrong_password_is_explained(dovecot_bad_logins, monkeypatch):
    monkeypatch.setenv(ENV, "wrong")
    user = dovecot_bad_logins.new_user()
    ok, text = check_login(Endpoint(url=dovecot_bad_logins.url(user), password_env=ENV),
                           ssl_context=dovecot_bad_logins.cert.client_context())
    assert not ok
    assert text.startswith(f"IMAP 服务器 127.0.0.1 拒绝了用户 {user} 的登录（")
    assert "请核对用户名和密码" in text


def test_qq_and_exmail_failures_mention_the_app_code():
    for host in ("imap.qq.com", "imap.exmail.qq.com", "imap.163.com", "smtp.126.com"):
        assert "授权码" in explain_login_refused("IMAP", host, "u", "LOGIN failed")
    assert "授权码" not in explain_login_refused("IMAP", "mail.zichuan.gov.cn", "u", "x")
    assert "腾讯企业邮箱" in app_code_hint("imap.exmail.qq.com")


def test_plaintext_passwords_only_to_loopback_or_by_consent():
    assert plaintext_allowed("127.0.0.1", False) and plaintext_allowed("localhost", False)
    assert plaintext_allowed("::1", False)
    assert not plaintext_allowed("192.0.2.2", False) and not plaintext_allowed("imap.163.com", False)
    assert plaintext_allowed("imap.163.com", True)


def test_an_unset_password_variable_is_named(dovecot, monkeypatch):
    monkeypatch.delenv(ENV, raising=False)
    with pytest.raises(MailboxError, match=f"环境变量 {ENV} 没有设置"):
        list(make_source(dovecot, dovecot.new_user()).fetch_new(None))


def test_check_login(dovecot, password):
    user = dovecot.new_user()
    ok, text = check_login(Endpoint(url=dovecot.url(user), password_env=ENV),
                           ssl_context=dovecot.cert.client_context())
    assert ok and "IMAP 登录成功" in text
    ok, text = check_login(Endpoint(url=f"imap://u@127.0.0.1:{free_port()}/INBOX", password_env=ENV))
    assert not ok and "连接被拒绝" in text


def test_bodies_are_fetched_in_batches_that_fit_the_byte_budget():
    sized = [(1, 10), (2, 50), (3, 50), (4, 200), (5, 5), (6, 5), (7, 5)]
    assert size_batches(sized, count=20, budget=100) == [[1, 2], [3], [4], [5, 6, 7]]
    assert size_batches(sized, count=2, budget=1000) == [[1, 2], [3, 4], [5, 6], [7]]
    assert size_batches([], count=20, budget=100) == []


def test_large_mails_come_one_fetch_at_a_time_and_all_arrive(dovecot, password):
    """Three 3 MB mails against a 4 MB budget: each is fetched alone (issue 12, finding 15)."""
    user = dovecot.new_user()
    big = [mail(n) + b"x" * (3 * 1024 * 1024) + b"\r\n" for n in (1, 2, 3)]
    for raw in big:
        dovecot.append(user, raw)
    dovecot.append(user, mail(4))
    source = make_source(dovecot, user, batch_bytes=4 * 1024 * 1024)
    fetched = list(source.fetch_new(None))
    source.close()
    assert [m.raw.replace(b"\r\n", b"\n") for m in fetched[:3]] == [
        raw.replace(b"\r\n", b"\n") for raw in big]
    assert [m.state.last_uid for m in fetched] == [1, 2, 3, 4]
