"""config.toml -> Config: the shipped campaign loads; every problem names its key."""

from pathlib import Path

import pytest

from mailbot.config import ConfigError, load
from mailbot.config import PACKAGED_CONFIG

ROOT = Path(__file__).resolve().parents[2]


def write_config(tmp_path: Path, edit=lambda text: text) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(edit(PACKAGED_CONFIG.read_text(encoding="utf-8")), encoding="utf-8")
    return path


def problems_of(path: Path) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load(path)
    return caught.value.problems


def test_shipped_config_holds_the_2026_campaign():
    campaign = load(PACKAGED_CONFIG).campaign
    assert len(campaign.units) == 18
    assert [item.seq for item in campaign.items] == list(range(1, 11))
    assert campaign.items[8].units == ("区总工会", "团区委", "区妇联", "区人才发展中心", "区融媒体中心")
    assert [q.name for q in campaign.quarters] == ["2026Q1", "2026Q2", "2026Q3", "2026Q4"]
    assert [i.seq for i in campaign.items_of("区妇联")] == [1, 2, 4, 9]


def test_relative_paths_are_relative_to_the_config_file(tmp_path):
    config = load(write_config(tmp_path))
    assert config.store_path == tmp_path / "var" / "mailbot.sqlite3"
    assert config.mailbox.url == f"maildir:{tmp_path / 'var' / 'mail'}"


def test_unknown_unit_in_an_item_names_the_key(tmp_path):
    path = write_config(tmp_path, lambda t: t.replace('units = ["区应急管理局"]',
                                                      'units = ["区应急局"]'))
    assert problems_of(path) == ["第7个[[items]]的 units 第1项：“区应急局”不在 [[units]] 中"]


def test_a_date_that_is_not_a_date_names_the_key(tmp_path):
    path = write_config(tmp_path, lambda t: t.replace("2026Q2 = 2026-06-30",
                                                      '2026Q2 = "June 30th"'))
    assert problems_of(path) == [
        '[quarters] 2026Q2："June 30th" 不是截止日规则：写日期（2026-04-10），或 '
        '"N workdays after end"（季末后第 N 个工作日）、"N days after end"、"end"']


def test_all_problems_are_reported_at_once(tmp_path):
    def edit(text: str) -> str:
        text = text.replace('emails = ["wjj@zichuan.example.org"]',
                            'emails = ["rsj@zichuan.example.org"]')
        text = text.replace('url = "outbox:var/outbox"', 'url = "ftp://host/"')
        text = text.replace('password_env = "MAILBOT_IMAP_PASSWORD"', 'password_env = ""')
        return text.replace('url = "maildir:var/mail"',
                            'url = "imaps://office@mail.example.org:993/INBOX"')
    problems = problems_of(write_config(tmp_path, edit))
    assert any(p.startswith("第3个[[units]]的 emails：rsj@zichuan.example.org 已是") for p in problems)
    assert any(p.startswith('[smtp] url："ftp://host/" 应以 ') for p in problems)
    assert "[mailbox] password_env：需要填写：保存密码的环境变量名" in problems


def test_missing_file_says_which_path(tmp_path):
    problems = problems_of(tmp_path / "nowhere.toml")
    assert str(tmp_path / "nowhere.toml") in problems[0]


def test_broken_toml_is_a_config_error(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text("[federation\nname = 1", encoding="utf-8")
    assert problems_of(path)[0].startswith("不是有效的 TOML 格式")


def test_trusted_authserv_ids_must_be_a_list_of_names(tmp_path):
    text = PACKAGED_CONFIG.read_text(encoding="utf-8")
    path = tmp_path / "config.toml"
    path.write_text(text.replace("trusted_authserv_ids = []",
                                 'trusted_authserv_ids = ["MX.Zichuan.example.org"]'), "utf-8")
    assert load(path).trusted_authserv_ids == ("mx.zichuan.example.org",)
    path.write_text(text.replace("trusted_authserv_ids = []",
                                 'trusted_authserv_ids = "mx"'), "utf-8")
    with pytest.raises(ConfigError, match=r'\[security\] trusted_authserv_ids：应为列表（\[...\]），现为 "mx"'):
        load(path)


def test_limits_are_read_and_checked(tmp_path):
    assert load(PACKAGED_CONFIG).limits.max_attachments == 20
    path = write_config(tmp_path, lambda text: text.replace(
        "max_attachment_mb = 40", "max_attachment_mb = 0").replace(
        "max_subject_chars = 200", "max_subject_chars = 200\nmax_files = 3"))
    problems = problems_of(path)
    assert "[limits] max_attachment_mb：应在 1 到 1024 之间，现为 0" in problems
    assert any(p.startswith("[limits] max_files：不认识这一项") for p in problems)


def test_a_collecting_address_shared_with_a_unit_is_warned_about(tmp_path):
    from tests.pipeline import write_config
    path = write_config(tmp_path, edit=lambda t: t.replace(
        'emails = ["fulian@zichuan.example.org"]',
        'emails = ["fulian@zichuan.example.org", "fulian-office@zichuan.example.org"]'))
    [warning] = [w for w in load(path).warnings if "[federation] emails" in w]
    assert "fulian-office@zichuan.example.org 同时是 区妇联（[[units]]）的地址" in warning
