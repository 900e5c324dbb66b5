"""The command line as the staff meet it from docs/guide.zh.md: its help, and a mistyped
command, said in Chinese."""

import re

import click
import pytest

from mailbot.cli import main
from mailbot.cli.usage import columns, lines_of
from tests.invoke import mailbot

ENGLISH = re.compile(r"\b(Error|Usage|Invalid|Missing|No such|Got unexpected|Try)\b")

MISTYPED = [
    (("status", "--quarter", "2027Q1"),
     ("选项 --quarter 的取值有误：2027Q1 不在 config.toml 的 [quarters] 中（可选：2026Q1、2026Q2、"
      "2026Q3、2026Q4）。"), "mailbot status --help"),
    (("--now", "yesterday", "status"),
     "选项 --now 的取值有误：“yesterday”不是日期或时间，请按 2026-10-09 或 2026-10-09T09:30 的格式写。",
     "mailbot status --help"),
    (("poll", "--once", "--since", "2026-13-01"),
     "选项 --since 的取值有误：“2026-13-01”不是日期，请按 2026-09-01 的格式写。", "mailbot poll --help"),
    (("compile", "--format", "odt"),
     "选项 --format 的取值有误：只能是 docx、pdf、xlsx 之一，写的是“odt”。", "mailbot compile --help"),
    (("compile", "--year", "明年"), "选项 --year 的取值有误：“明年”不是整数", "mailbot compile --help"),
    (("review", "accept", "第3封"), "参数“编号”的取值有误：“第3封”不是整数，请写数字，如 12。",
     "mailbot review accept --help"),
    (("review", "accept"), "缺少参数“编号”。", "mailbot review accept --help"),
    (("review", "accept", "3", "4"), "多写了“4”，这条命令用不到。", "mailbot review accept --help"),
    (("status", "2026Q3"), "多写了“2026Q3”，这条命令用不到。", "mailbot status --help"),
    (("status", "--quarter"), "--quarter 后面要写上取值。", "mailbot status --help"),
    (("poll", "--once=yes"), "--once 后面不用写取值。", "mailbot poll --help"),
    (("poll", "--onec"), "没有 --onec 这个选项。是否要用 --once、--since？", "mailbot poll --help"),
    (("stauts",), "没有 stauts 这个命令。是否要用 mailbot status？", "mailbot --help"),
    (("review", "undo", "3"), "没有 undo 这个命令。", "mailbot review --help"),
    (("ingest", "邮件.eml"), "参数“文件”的取值有误：找不到“邮件.eml”，请检查路径和文件名。",
     "mailbot ingest --help"),
    (("--config", "config.toml"), "请写上要执行的命令，如 mailbot status。", "mailbot --help"),
]


@pytest.mark.parametrize("args, said, help_", MISTYPED, ids=[" ".join(a) for a, _, _ in MISTYPED])
def test_a_mistyped_command_is_said_in_chinese_with_the_help_to_read(site, args, said, help_):
    result = mailbot(*args, cwd=site, check=False)
    assert result.returncode == 2 and not result.stdout
    first, hint = result.stderr.splitlines()
    assert first.startswith("命令写法有误：") and said in first
    assert hint == f"可执行 {help_} 查看用法。"
    assert not ENGLISH.search(result.stderr)


def test_a_folder_where_a_file_is_wanted_is_named_as_a_folder(site):
    (site / "收件").mkdir()
    result = mailbot("ingest", "收件", cwd=site, check=False)
    assert result.returncode == 2 and "“收件”是文件夹，这里要写文件。" in result.stderr


def test_a_file_where_a_folder_is_wanted_is_named_as_a_file(site):
    result = mailbot("forms", "--quarter", "2026Q3", "-o", "config.toml", cwd=site, check=False)
    assert result.returncode == 2 and "“config.toml”是文件，这里要写文件夹。" in result.stderr


def test_a_right_command_is_untouched(site):
    assert mailbot("status", "--quarter", "2026Q3", cwd=site).returncode == 0


def every_command(group=main, path=("mailbot",)):
    yield path
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            yield from every_command(command, (*path, name))
        else:
            yield (*path, name)


CLICK_ENGLISH = re.compile(r"Usage|Options|Commands|Show this message|\b(TEXT|INTEGER|PATH)\b"
                           r"|default:|\[required\]")
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize("path", list(every_command()), ids=" ".join)
def test_every_command_and_option_is_explained_in_chinese(site, path):
    """Each --help: Chinese headings, the command said in Chinese, and every option too;
    no line wider than the terminal (a Chinese character takes two columns)."""
    text = mailbot(*path[1:], "--help", cwd=site).stdout
    lines = text.splitlines()
    assert lines[0].startswith(f"用法：{' '.join(path)} ")
    assert not CLICK_ENGLISH.search(text)
    assert CJK.search(lines[2])  # the command's own help, below the usage line
    options = text.split("选项：\n", 1)[1].split("\n\n", 1)[0]
    rows = [row for row in options.splitlines() if row.lstrip().startswith("-")]
    assert rows and all(CJK.search(row) for row in rows)
    assert max(columns(line) for line in lines) <= 80


def test_lines_of_breaks_between_chinese_characters_never_inside_a_latin_word():
    text = "使用的配置文件（默认：当前文件夹的 config.toml，或环境变量 MAILBOT_CONFIG）。"
    lines = lines_of(text, 30)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    assert len(lines) > 1 and all(columns(line) <= 30 for line in lines)
    assert any("config.toml" in line for line in lines)
    assert any("MAILBOT_CONFIG" in line for line in lines)


def test_no_line_starts_with_closing_punctuation():
    lines = lines_of("保存到的文件（默认：按标题命名，放在当前文件夹）。", 28)
    assert len(lines) > 1 and not any(line[0] in "，。）" for line in lines)
    assert all(columns(line) <= 28 for line in lines)
