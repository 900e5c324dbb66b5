"""Failed logins slow the next attempt down, longer each time, and a restart forgets
nothing: the counts are in the real store (through Flask's test client)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest

from mailbot.config import load
from mailbot.store import Store
from mailbot.web import throttle
from mailbot.web.app import create_app
from mailbot.web.settings import web_settings
from tests.console import PASSWORD, STAFF, console_toml
from tests.pipeline import NOW, write_config
from tests.web.test_web import log_in


@pytest.fixture
def config(tmp_path):
    return load(write_config(tmp_path, console_toml()))


def test_the_wait_starts_at_the_fifth_failure_and_doubles_up_to_an_hour():
    waits = [throttle.wait_after(n, throttle.FREE_BY_NAME).total_seconds() for n in range(1, 14)]
    assert waits[:4] == [0, 0, 0, 0]
    assert waits[4:9] == [30, 60, 120, 240, 480]
    assert waits[-1] == 3600 and max(waits) == 3600


def test_the_longest_wait_of_the_keys_counts():
    now = datetime(2026, 12, 2, tzinfo=timezone.utc)
    free = throttle.keys("10.0.0.9", STAFF)
    by_name, by_address = free
    counted = {by_name: (5, now - timedelta(seconds=10)), by_address: (5, now)}
    assert throttle.open_at(counted, free, now) == now + timedelta(seconds=20)
    assert throttle.open_at({by_name: (5, now - timedelta(seconds=31))}, free, now) is None


def _app(config):
    return create_app(config, lambda: NOW, web_settings(config)).test_client()


def _retry_after(answer) -> int:
    assert answer.status_code == 429, answer.status_code
    assert re.search(r"请在\d\d:\d\d:\d\d以后（约\d+(秒|分钟)后）再试", answer.text)
    return int(answer.headers["Retry-After"])


def test_five_wrong_passwords_slow_the_login_down_even_after_a_restart(config):
    client = _app(config)
    for attempt in range(1, 6):
        answer = log_in(client, password="wrong")
        assert answer.status_code == 401 and "用户名或密码不正确" in answer.text
        assert ("登录失败次数过多" in answer.text) == (attempt == 5)
    assert 25 <= _retry_after(log_in(client)) <= 30  # the right password is refused too
    assert 25 <= _retry_after(log_in(_app(config))) <= 30  # a new process: still waiting
    store = Store(config.store_path, config.archive_path)
    # the 30 s have passed (moved back in the real store): the next failure waits a minute
    store.db.execute("UPDATE login_failures SET last_at = ?", (
        (datetime.now(timezone.utc) - timedelta(seconds=31)).isoformat(timespec="seconds"),))
    assert log_in(client, password="wrong").status_code == 401
    assert 55 <= _retry_after(log_in(client)) <= 60
    store.db.execute("UPDATE login_failures SET last_at = ?", (
        (datetime.now(timezone.utc) - timedelta(minutes=2)).isoformat(timespec="seconds"),))
    assert log_in(client, password=PASSWORD).status_code == 302  # in, and the count is gone
    assert store.login_failures(throttle.keys("127.0.0.1", STAFF)) == {}


def test_a_failure_a_day_ago_is_forgotten(config):
    store = Store(config.store_path, config.archive_path)
    keys = throttle.keys("127.0.0.1", STAFF)
    now = datetime.now(timezone.utc)
    for _ in range(7):
        store.note_login_failure(keys, now - timedelta(hours=25), now - timedelta(hours=49))
    store.note_login_failure(keys, now, now - throttle.FORGET_AFTER)
    assert {count for count, _ in store.login_failures(keys).values()} == {1}
