"""config.toml -> Config, every problem reported with its key path.

All problems are collected before failing, so the operator fixes the file in one
pass instead of one error per run. Relative paths are relative to the file.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from mailbot.core.calendar import (LIBRARY_YEARS, CalendarCoverageError, WorkCalendar,
                                   due_by_rule, parse_due_rule)
from mailbot.config.endpoint import MAILBOX_SCHEMES, SMTP_SCHEMES, Endpoint, parse_endpoint
from mailbot.config.problems import Problems, shown
from mailbot.core.limits import Limits
from mailbot.core.models import (DEFAULT_COLUMNS, Campaign, Column, ColumnRole, Item, Quarter,
                                 Unit, columns_of)
from mailbot.core.schedule import Ladder, SummarySchedule, ladder_steps

DEFAULT_CONFIG = "config.toml"
# The 2026 campaign of the notice, shipped inside the package (`init` and `demo` copy it).
# beside the code (importlib.resources, for a path on disk anyway, cost every start ~5 ms)
PACKAGED_CONFIG = Path(__file__).resolve().parent.parent / "data" / "config.toml"
QUARTER_NAME = re.compile(r"^(\d{4})Q([1-4])$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PLACEHOLDER = ".invalid"  # RFC 2606: addresses `init --notice` writes for the operator to replace


class ConfigError(Exception):
    """Raised with every problem found; exit status 2."""

    def __init__(self, path: Path, problems: list[str]):
        self.path = path
        self.problems = problems
        listing = "\n".join(f"  - {problem}" for problem in problems)
        super().__init__(f"配置文件 {path} 有 {len(problems)} 处问题，请逐一改正：\n{listing}")


@dataclass(frozen=True)
class Config:
    path: Path
    campaign: Campaign
    mailbox: Endpoint
    smtp: Endpoint
    store_path: Path
    archive_path: Path
    trusted_authserv_ids: tuple[str, ...] = ()
    raw: dict | None = None  # the parsed TOML, for sections other stages own
    calendar: WorkCalendar = WorkCalendar()
    reminders: Ladder = Ladder()
    summary: SummarySchedule = SummarySchedule()
    warnings: tuple[str, ...] = ()  # not errors: e.g. a year the holiday calendar guesses
    limits: Limits = Limits()
    placeholders: tuple[str, ...] = ()  # owners of placeholder addresses, for `check`

    @property
    def base_dir(self) -> Path:
        return self.path.parent

    def section(self, name: str) -> dict:
        return dict((self.raw or {}).get(name, {}))


def load(path: str | Path | None = None) -> Config:
    """Read and validate a config file; raise ConfigError naming every bad key."""
    path = Path(path or DEFAULT_CONFIG).resolve()
    if not path.is_file():
        raise ConfigError(path, [f"找不到配置文件 {path}"
                                 "（可用 --config 路径 或环境变量 MAILBOT_CONFIG 指定）"])
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(path, [f"不是有效的 TOML 格式：{error}"]) from None
    except UnicodeDecodeError:
        raise ConfigError(path, ["文件不是 UTF-8 编码，请另存为 UTF-8 后再试"]) from None
    problems = Problems()
    config = _build(path, data, problems)
    if problems.items:
        raise ConfigError(path, problems.items)
    return replace(config, warnings=(*_readable_by_all(path), *config.warnings))


def _readable_by_all(path: Path) -> tuple[str, ...]:
    """config.toml names the mailbox and who reports: it should be the operator's alone."""
    if path.stat().st_mode & 0o004:
        return (f"{path} 任何用户都能读取；请改为只有运行 mailbot 的用户可读：chmod 600 {path}",)
    return ()


SECTIONS = ("campaign", "form", "federation", "mailbox", "smtp", "store", "security", "limits",
            "quarters", "calendar", "reminders", "summary", "units", "items",
            "web")  # [web] is checked by the console's own settings (web/settings.py)


def _build(path: Path, data: dict, problems: Problems) -> Config:
    base = path.parent
    problems.known(data, "", SECTIONS)
    section = lambda name: problems.section(data, name)  # noqa: E731 - one line per section
    campaign_table, federation = section("campaign"), section("federation")
    problems.known(campaign_table, "campaign", ("title", "timezone"))
    problems.known(federation, "federation", ("name", "emails", "contact", "phone"))
    units = _units(data.get("units", []), problems)
    unit_names = {unit.name for unit in units}
    items = _items(data.get("items", []), unit_names, problems)
    calendar = _calendar(section("calendar"), problems)
    ladder = _reminders(section("reminders"), problems)
    summary = _summary(section("summary"), problems)
    # Coverage of guessed years is reported once, through Config.warnings: the
    # calendar handed on stays quiet about them (no log line on every command).
    quarter_table = section("quarters")
    quarters = _quarters(quarter_table, replace(
        calendar, reported_years=_named_years(quarter_table)), problems)
    guessed = _guessed_years(quarters, calendar, ladder)
    calendar = replace(calendar, reported_years=frozenset(guessed))
    fed_emails = tuple(_emails(federation.get("emails", []), "federation.emails", problems))
    _check_duplicate_addresses(units, fed_emails, problems)
    campaign = Campaign(
        title=problems.require(campaign_table, "title", "campaign", str, ""),
        federation=problems.require(federation, "name", "federation", str, ""),
        federation_emails=fed_emails,
        units=units,
        items=items,
        quarters=quarters,
        timezone=_timezone(campaign_table, problems),
        contact=problems.optional(federation, "contact", "federation", str, ""),
        phone=_phone(federation, problems),
        columns=_form_columns(section("form"), problems),
    )
    store = section("store")
    problems.known(store, "store", ("path", "archive"))
    mailbox = parse_endpoint(data.get("mailbox"), "mailbox", MAILBOX_SCHEMES, base, problems)
    smtp = parse_endpoint(data.get("smtp"), "smtp", SMTP_SCHEMES, base, problems)
    return Config(
        path=path,
        campaign=campaign,
        mailbox=mailbox,
        smtp=smtp,
        store_path=base / problems.text(store, "path", "store", "var/mailbot.sqlite3"),
        archive_path=base / problems.text(store, "archive", "store", "var/archive"),
        trusted_authserv_ids=_authserv_ids(section("security"), problems),
        raw=data,
        calendar=calendar,
        reminders=ladder,
        summary=summary,
        warnings=(*(f"[calendar]：{_coverage_zh(year)}" for year in guessed),
                  *_shared_addresses(units, fed_emails), *mailbox.warnings, *smtp.warnings),
        placeholders=_placeholders(units, fed_emails),
        limits=Limits(**_bounded(section("limits"), "limits", _LIMITS, Limits, (),
                                 problems)),
    )


def _phone(table: dict, problems: Problems) -> str:
    """[federation] phone: digits may be written with or without quotes."""
    value = table.get("phone", "")
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        problems.add("federation.phone", f"应为电话号码（文字或数字），现为 {shown(value)}")
        return ""
    return str(value)


def _timezone(table: dict, problems: Problems) -> str:
    """[campaign] timezone: a zone name the system knows (an unknown one would make every
    start fail later, in a restart loop)."""
    name = problems.text(table, "timezone", "campaign", "Asia/Shanghai")
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        problems.add("campaign.timezone", f"不认识时区 {shown(name)}，请写如 \"Asia/Shanghai\"")
        return "Asia/Shanghai"
    return name


def _coverage_zh(year: int) -> str:
    """calendar.coverage_message for the operator, in Chinese."""
    first, last = LIBRARY_YEARS
    return (f"节假日库只收录 {first}—{last} 年，不含 {year} 年；该年暂按周一至周五"
            f"为工作日，另加 [calendar] 中的调整。请升级 chinesecalendar，或在 [calendar] holidays/workdays 中录入 {year} 年"
            f"的放假与调休安排，并把 {year} 写进 complete_years。")


def _form_columns(table: dict, problems: Problems) -> tuple[Column, ...]:
    """[form] columns: headings in order; one to fill in and a name or 序号 are needed."""
    problems.known(table, "form", ("columns",))
    if table.get("columns") is None:
        return DEFAULT_COLUMNS
    names = problems.strings(table, "columns", "form")
    if not names:
        problems.add("form.columns", "应为表头文字的列表，如 [\"序号\", \"实事名称\", ...]")
        return DEFAULT_COLUMNS
    columns = columns_of(list(names))
    roles = {column.role for column in columns}
    if ColumnRole.FILLED not in roles:
        problems.add("form.columns", "没有供各单位填写的列（如“进展情况”）")
    if not roles & {ColumnRole.TITLE, ColumnRole.SEQ}:
        problems.add("form.columns", "既没有“序号”列，也没有名称列（如“实事名称”）")
    return columns


def _placeholders(units, fed_emails) -> tuple[str, ...]:
    """Who still has a placeholder address that `init --notice` wrote."""
    owners = [(unit.name, unit.emails) for unit in units] + [("区妇联（[federation]）", fed_emails)]
    return tuple(name for name, emails in owners
                 if any(address.endswith(PLACEHOLDER) for address in emails))


def _shared_addresses(units, fed_emails) -> list[str]:
    """The collecting address should be the federation's alone: a unit's own mail from it
    would be read as the federation forwarding, not as that unit's report."""
    return [f"[federation] emails：{address} 同时是 {unit.name}（[[units]]）的地址；请为该单位"
            "另设报送地址，否则它从这个地址发来的邮件只会被当作转发" for unit in units
            for address in unit.emails if address in fed_emails]


def _authserv_ids(table: dict, problems: Problems) -> tuple[str, ...]:
    problems.known(table, "security", ("trusted_authserv_ids",))
    return tuple(v.lower() for v in problems.strings(table, "trusted_authserv_ids", "security"))


def _units(entries, problems: Problems) -> tuple[Unit, ...]:
    units, seen = [], set()
    if not isinstance(entries, list) or not entries:
        problems.add("units", "至少需要一个 [[units]]")
        return ()
    for index, entry in enumerate(entries):
        key = f"units[{index}]"
        if not isinstance(entry, dict):
            problems.add(key, f"应为一节（[[units]]），现为 {shown(entry)}")
            continue
        problems.known(entry, key, ("name", "emails", "aliases"))
        name = problems.require(entry, "name", key, str, "")
        if name in seen:
            problems.add(f"{key}.name", f"单位“{name}”重复列出")
        seen.add(name)
        emails = _emails(entry.get("emails", []), f"{key}.emails", problems)
        aliases = problems.strings(entry, "aliases", key)
        units.append(Unit(name=name, emails=tuple(emails), aliases=aliases))
    return tuple(units)


def _emails(values, key: str, problems: Problems) -> list[str]:
    if not isinstance(values, list):
        problems.add(key, f"应为邮箱地址的列表（[...]），现为 {shown(values)}")
        return []
    good = []
    for index, value in enumerate(values):
        if not isinstance(value, str) or not EMAIL.match(value):
            problems.add(f"{key}[{index}]", f"{shown(value)} 不是邮箱地址")
        else:
            good.append(value.lower())
    return good


def _check_duplicate_addresses(units, fed_emails, problems: Problems) -> None:
    owner: dict[str, str] = {}
    for index, unit in enumerate(units):
        for address in unit.emails:
            if address in owner:
                problems.add(f"units[{index}].emails", f"{address} 已是{owner[address]}的地址")
            owner[address] = unit.name


def _items(entries, unit_names: set[str], problems: Problems) -> tuple[Item, ...]:
    items, seqs = [], set()
    if not isinstance(entries, list) or not entries:
        problems.add("items", "至少需要一个 [[items]]")
        return ()
    for index, entry in enumerate(entries):
        key = f"items[{index}]"
        if not isinstance(entry, dict):
            problems.add(key, f"应为一节（[[items]]），现为 {shown(entry)}")
            continue
        problems.known(entry, key, ("seq", "title", "units", "deadline"))
        seq = problems.require(entry, "seq", key, int, 0)
        if seq in seqs:
            problems.add(f"{key}.seq", f"第{seq}项重复列出")
        seqs.add(seq)
        units = problems.strings(entry, "units", key)
        if entry.get("units") is None:
            problems.add(f"{key}.units", "缺少此项")
        for position, unit in enumerate(units):
            if unit not in unit_names:
                problems.add(f"{key}.units[{position}]", f"“{unit}”不在 [[units]] 中")
        items.append(Item(seq=seq, title=problems.require(entry, "title", key, str, ""),
                          units=units,
                          deadline=problems.optional(entry, "deadline", key, str, "")))
    return tuple(sorted(items, key=lambda item: item.seq))


def _quarters(table: dict, calendar: WorkCalendar,
              problems: Problems) -> tuple[Quarter, ...]:
    quarters = []
    if not table:
        problems.add("quarters", "至少需要一个季度的报送截止日（如 2026Q1 = 2026-03-31）")
    for name, due in table.items():
        match = QUARTER_NAME.match(name)
        if not match:
            problems.add(f"quarters.{name}", "季度应写成 2026Q1 这样的形式")
            continue
        year, number = int(match[1]), int(match[2])
        start = date(year, 3 * number - 2, 1)
        end = (date(year + (number == 4), 1 if number == 4 else 3 * number + 1, 1)
               - timedelta(days=1))
        due = _due_date(due, end, calendar, f"quarters.{name}", problems)
        if due is None:
            continue
        quarters.append(Quarter(name=name, start=start, end=end, due=due))
    return tuple(sorted(quarters, key=lambda quarter: quarter.start))


def _due_date(value, end: date, calendar: WorkCalendar, key: str,
              problems: Problems) -> date | None:
    """An explicit date, or a rule such as "10 workdays after end" (the quarter's end)."""
    if isinstance(value, str):
        try:
            return due_by_rule(parse_due_rule(value), end, calendar)
        except CalendarCoverageError as error:
            problems.add(key, _coverage_zh(error.year))
        except ValueError:
            problems.add(key, f"{shown(value)} 不是截止日规则：{DUE_FORMS}")
        return None
    if not isinstance(value, date) or hasattr(value, "hour"):
        problems.add(key, f"应为日期或截止日规则（{DUE_FORMS}），现为 {shown(value)}")
        return None
    return value


DUE_FORMS = ("写日期（2026-04-10），或 \"N workdays after end\"（季末后第 N 个工作日）、"
             "\"N days after end\"、\"end\"")


def _dates(table: dict, key: str, problems: Problems) -> frozenset[date]:
    values = problems.optional(table, key, "calendar", list, [])
    good = set()
    for index, value in enumerate(values):
        if not isinstance(value, date) or hasattr(value, "hour"):
            problems.add(f"calendar.{key}[{index}]", f"应为日期（如 2027-02-20），现为 {shown(value)}")
        else:
            good.add(value)
    return frozenset(good)


def _calendar(table: dict, problems: Problems) -> WorkCalendar:
    """[calendar]: days the holiday library does not know, and years entered in full."""
    problems.known(table, "calendar", ("workdays", "holidays", "complete_years", "strict"))
    workdays, holidays = _dates(table, "workdays", problems), _dates(table, "holidays", problems)
    for day in sorted(workdays & holidays):
        problems.add("calendar", f"{day} 既列为工作日，又列为假日")
    years = problems.optional(table, "complete_years", "calendar", list, [])
    if not all(isinstance(year, int) and not isinstance(year, bool) for year in years):
        problems.add("calendar.complete_years", f"应为年份的列表，如 [2027]，现为 {shown(years)}")
        years = []
    strict = problems.optional(table, "strict", "calendar", bool, False)
    return WorkCalendar(workdays=workdays, holidays=holidays,
                        complete_years=frozenset(years), strict=strict)


_LADDER_LIMITS = {  # key: (smallest, largest) allowed
    "hour": (0, 23), "until_hour": (1, 24), "notice_before": (0, 60),
    "overdue_first": (1, 60), "overdue_every": (1, 60), "overdue_max": (0, 20),
    "cc_federation_from": (1, 21),
}
_SUMMARY_LIMITS = {"hour": (0, 23), "after_due": (0, 30), "weekly_weekday": (0, 7),
                   "window_before": (0, 92)}

_LIMITS = {"max_attachments": (1, 1000), "max_attachment_mb": (1, 1024),
           "max_subject_chars": (20, 10000)}


def _reminders(table: dict, problems: Problems) -> Ladder:
    """[reminders]: the ladder; every key optional, defaults from remind.Ladder."""
    values = _bounded(table, "reminders", _LADDER_LIMITS, Ladder,
                      ("on_due", "opening", "form_every"), problems)
    if values["hour"] >= values["until_hour"]:
        problems.add("reminders.until_hour", "应晚于 [reminders] hour")
    return Ladder(**values)


def _summary(table: dict, problems: Problems) -> SummarySchedule:
    """[summary]: when the federation's summary goes out; defaults from SummarySchedule."""
    return SummarySchedule(**_bounded(table, "summary", _SUMMARY_LIMITS, SummarySchedule, (),
                                      problems))


def _bounded(table: dict, section: str, limits: dict, defaults: type, flags: tuple[str, ...],
             problems: Problems) -> dict:
    """Optional integer keys within limits, and true/false flags, of one section."""
    problems.known(table, section, (*limits, *flags))
    values = {key: problems.between(table, key, section, low, high, getattr(defaults, key))
              for key, (low, high) in limits.items()}
    for key in flags:
        values[key] = problems.optional(table, key, section, bool, getattr(defaults, key))
    return values


def _named_years(table: dict) -> frozenset[int]:
    """The years [quarters] names, and the next (a due date may fall into it)."""
    years = {int(match[1]) for name in table if (match := QUARTER_NAME.match(str(name)))}
    return frozenset(years | {year + 1 for year in years})


def _guessed_years(quarters, calendar: WorkCalendar, ladder: Ladder) -> list[int]:
    """The years the reminder windows reach that the holiday calendar only guesses."""
    if not quarters:
        return []
    # Estimate the last reminder day silently (every year vouched for): the point
    # here is to return the years, not to log while loading.
    years = range(quarters[0].start.year, quarters[-1].due.year + 2)
    lenient = replace(calendar, strict=False, complete_years=frozenset(years))
    days = [step.day for quarter in quarters for step in ladder_steps(ladder, lenient, quarter.due)]
    last = max(days + [quarter.due for quarter in quarters])
    return calendar.uncovered_years(quarters[0].start, last)
