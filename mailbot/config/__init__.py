"""config.toml -> Config, every problem reported with its key path.

All problems are collected before failing, so the operator fixes the file in one
pass instead of one error per run. Relative paths are relative to the file.
"""

from __future__ import annotations

from importlib import resources
import re
import tomllib
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path

from mailbot.core.calendar import (CalendarCoverageError, WorkCalendar, coverage_message, due_by_rule,
                              parse_due_rule)
from mailbot.config.endpoint import MAILBOX_SCHEMES, SMTP_SCHEMES, Endpoint, parse_endpoint
from mailbot.core.limits import Limits
from mailbot.core.models import (DEFAULT_COLUMNS, Campaign, Column, ColumnRole, Item, Quarter,
                                 Unit, columns_of)
from mailbot.core.schedule import Ladder, SummarySchedule, ladder_steps

DEFAULT_CONFIG = "config.toml"
# The 2026 campaign of the notice, shipped inside the package (`init` and `demo` copy it).
PACKAGED_CONFIG = Path(str(resources.files("mailbot") / "data" / "config.toml"))
QUARTER_NAME = re.compile(r"^(\d{4})Q([1-4])$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PLACEHOLDER = ".invalid"  # RFC 2606: addresses `init --notice` writes for the operator to replace


class ConfigError(Exception):
    """Raised with every problem found; exit status 2."""

    def __init__(self, path: Path, problems: list[str]):
        self.path = path
        self.problems = problems
        listing = "\n".join(f"  - {problem}" for problem in problems)
        super().__init__(f"{path}: {len(problems)} problem(s) in the configuration:\n{listing}")


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


class _Problems:
    """Collects problems with their key paths while reading the file."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, key: str, message: str) -> None:
        self.items.append(f"{key}: {message}")

    def require(self, table: dict, key: str, path: str, kind: type, default=None):
        value = table.get(key, default)
        if value is None:
            self.add(f"{path}.{key}" if path else key, "is missing")
            return default
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            self.add(f"{path}.{key}" if path else key,
                     f"must be {_kind_name(kind)}, not {value!r}")
            return default
        return value


def _kind_name(kind: type) -> str:
    return {str: "a string", int: "an integer", list: "a list", dict: "a table",
            date: "a date (YYYY-MM-DD)", bool: "true or false"}.get(kind, kind.__name__)


def load(path: str | Path | None = None) -> Config:
    """Read and validate a config file; raise ConfigError naming every bad key."""
    path = Path(path or DEFAULT_CONFIG).resolve()
    if not path.is_file():
        raise ConfigError(path, [f"no configuration file at {path} "
                                 "(give one with --config PATH or MAILBOT_CONFIG)"])
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ConfigError(path, [f"not valid TOML: {error}"]) from None
    problems = _Problems()
    config = _build(path, data, problems)
    if problems.items:
        raise ConfigError(path, problems.items)
    return config


def _build(path: Path, data: dict, problems: _Problems) -> Config:
    base = path.parent
    campaign_table = data.get("campaign", {})
    federation = data.get("federation", {})
    units = _units(data.get("units", []), problems)
    unit_names = {unit.name for unit in units}
    items = _items(data.get("items", []), unit_names, problems)
    calendar = _calendar(data.get("calendar", {}), problems)
    ladder = _reminders(data.get("reminders", {}), problems)
    summary = _summary(data.get("summary", {}), problems)
    # Coverage of guessed years is reported once, through Config.warnings: the
    # calendar handed on stays quiet about them (no log line on every command).
    quarter_table = data.get("quarters", {})
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
        timezone=campaign_table.get("timezone", "Asia/Shanghai"),
        contact=federation.get("contact", ""),
        phone=str(federation.get("phone", "")),
        columns=_form_columns(data.get("form", {}), problems),
    )
    store = data.get("store", {})
    return Config(
        path=path,
        campaign=campaign,
        mailbox=parse_endpoint(data.get("mailbox"), "mailbox", MAILBOX_SCHEMES, base, problems),
        smtp=parse_endpoint(data.get("smtp"), "smtp", SMTP_SCHEMES, base, problems),
        store_path=base / store.get("path", "var/mailbot.sqlite3"),
        archive_path=base / store.get("archive", "var/archive"),
        trusted_authserv_ids=_authserv_ids(data.get("security", {}), problems),
        raw=data,
        calendar=calendar,
        reminders=ladder,
        summary=summary,
        warnings=(*(coverage_message(year) for year in guessed),
                  *_shared_addresses(units, fed_emails)),
        placeholders=_placeholders(units, fed_emails),
        limits=Limits(**_bounded(data.get("limits", {}), "limits", _LIMITS, Limits, (),
                                 problems)),
    )


def _form_columns(table: dict, problems: _Problems) -> tuple[Column, ...]:
    """[form] columns: headings in order; one to fill in and a name or 序号 are needed."""
    _unknown_keys(table, "form", ("columns",), problems)
    names = table.get("columns")
    if names is None:
        return DEFAULT_COLUMNS
    if not isinstance(names, list) or not names or not all(
            isinstance(name, str) and name.strip() for name in names):
        problems.add("form.columns", f"must be a list of column headings, not {names!r}")
        return DEFAULT_COLUMNS
    columns = columns_of([name.strip() for name in names])
    roles = {column.role for column in columns}
    if ColumnRole.FILLED not in roles:
        problems.add("form.columns", "no column for units to fill in (such as 进展情况)")
    if not roles & {ColumnRole.TITLE, ColumnRole.SEQ}:
        problems.add("form.columns", "neither 序号 nor a name column (such as 实事名称)")
    return columns


def _placeholders(units, fed_emails) -> tuple[str, ...]:
    """Who still has a placeholder address that `init --notice` wrote."""
    owners = [(unit.name, unit.emails) for unit in units] + [("区妇联（[federation]）", fed_emails)]
    return tuple(name for name, emails in owners
                 if any(address.endswith(PLACEHOLDER) for address in emails))


def _shared_addresses(units, fed_emails) -> list[str]:
    """The collecting address should be the federation's alone: a unit's own mail from it
    would be read as the federation forwarding, not as that unit's report."""
    return [f"federation.emails: {address} is also an address of {unit.name} ([[units]]); "
            "give the unit its own reporting address, or its mails from this one count "
            "only as forwards" for unit in units for address in unit.emails
            if address in fed_emails]


def _authserv_ids(table: dict, problems: _Problems) -> tuple[str, ...]:
    values = table.get("trusted_authserv_ids", [])
    if not isinstance(values, list) or not all(isinstance(v, str) and v.strip() for v in values):
        problems.add("security.trusted_authserv_ids",
                     f"must be a list of server names, not {values!r}")
        return ()
    return tuple(v.strip().lower() for v in values)


def _units(entries: list, problems: _Problems) -> tuple[Unit, ...]:
    units, seen = [], set()
    if not isinstance(entries, list) or not entries:
        problems.add("units", "at least one [[units]] entry is needed")
        return ()
    for index, entry in enumerate(entries):
        key = f"units[{index}]"
        name = problems.require(entry, "name", key, str, "")
        if name in seen:
            problems.add(f"{key}.name", f"unit {name!r} is listed twice")
        seen.add(name)
        emails = _emails(entry.get("emails", []), f"{key}.emails", problems)
        aliases = tuple(entry.get("aliases", []))
        units.append(Unit(name=name, emails=tuple(emails), aliases=aliases))
    return tuple(units)


def _emails(values, key: str, problems: _Problems) -> list[str]:
    if not isinstance(values, list):
        problems.add(key, f"must be a list of addresses, not {values!r}")
        return []
    good = []
    for index, value in enumerate(values):
        if not isinstance(value, str) or not EMAIL.match(value):
            problems.add(f"{key}[{index}]", f"{value!r} is not an e-mail address")
        else:
            good.append(value.lower())
    return good


def _check_duplicate_addresses(units, fed_emails, problems: _Problems) -> None:
    owner: dict[str, str] = {}
    for index, unit in enumerate(units):
        for address in unit.emails:
            if address in owner:
                problems.add(f"units[{index}].emails",
                             f"{address} is already the address of {owner[address]}")
            owner[address] = unit.name


def _items(entries: list, unit_names: set[str], problems: _Problems) -> tuple[Item, ...]:
    items, seqs = [], set()
    if not isinstance(entries, list) or not entries:
        problems.add("items", "at least one [[items]] entry is needed")
        return ()
    for index, entry in enumerate(entries):
        key = f"items[{index}]"
        seq = problems.require(entry, "seq", key, int, 0)
        if seq in seqs:
            problems.add(f"{key}.seq", f"item {seq} is listed twice")
        seqs.add(seq)
        units = problems.require(entry, "units", key, list, [])
        for position, unit in enumerate(units):
            if unit not in unit_names:
                problems.add(f"{key}.units[{position}]",
                             f"unknown unit {unit!r} (not among [[units]])")
        items.append(Item(
            seq=seq,
            title=problems.require(entry, "title", key, str, ""),
            units=tuple(units),
            deadline=str(entry.get("deadline", "")),
        ))
    return tuple(sorted(items, key=lambda item: item.seq))


def _quarters(table: dict, calendar: WorkCalendar,
              problems: _Problems) -> tuple[Quarter, ...]:
    quarters = []
    if not table:
        problems.add("quarters", "at least one due date (2026Q1 = 2026-03-31) is needed")
    for name, due in table.items():
        match = QUARTER_NAME.match(name)
        if not match:
            problems.add(f"quarters.{name}", "a quarter is named like 2026Q1")
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
              problems: _Problems) -> date | None:
    """An explicit date, or a rule such as "10 workdays after end" (the quarter's end)."""
    if isinstance(value, str):
        try:
            return due_by_rule(parse_due_rule(value), end, calendar)
        except (ValueError, CalendarCoverageError) as error:
            problems.add(key, str(error))
            return None
    if not isinstance(value, date) or hasattr(value, "hour"):
        problems.add(key, f"must be a date (YYYY-MM-DD) or a rule such as "
                     f"\"10 workdays after end\", not {value!r}")
        return None
    return value


def _dates(table: dict, key: str, problems: _Problems) -> frozenset[date]:
    values = table.get(key, [])
    if not isinstance(values, list):
        problems.add(f"calendar.{key}", f"must be a list of dates, not {values!r}")
        return frozenset()
    good = set()
    for index, value in enumerate(values):
        if not isinstance(value, date) or hasattr(value, "hour"):
            problems.add(f"calendar.{key}[{index}]", f"must be a date (YYYY-MM-DD), not {value!r}")
        else:
            good.add(value)
    return frozenset(good)


def _calendar(table: dict, problems: _Problems) -> WorkCalendar:
    """[calendar]: days the holiday library does not know, and years entered in full."""
    _unknown_keys(table, "calendar", ("workdays", "holidays", "complete_years", "strict"),
                  problems)
    workdays, holidays = _dates(table, "workdays", problems), _dates(table, "holidays", problems)
    for day in sorted(workdays & holidays):
        problems.add("calendar", f"{day} is listed both as a working day and as a holiday")
    years = table.get("complete_years", [])
    if not isinstance(years, list) or not all(
            isinstance(year, int) and not isinstance(year, bool) for year in years):
        problems.add("calendar.complete_years", f"must be a list of years, not {years!r}")
        years = []
    strict = table.get("strict", False)
    if not isinstance(strict, bool):
        problems.add("calendar.strict", f"must be true or false, not {strict!r}")
    return WorkCalendar(workdays=workdays, holidays=holidays,
                        complete_years=frozenset(years), strict=strict is True)


_LADDER_LIMITS = {  # key: (smallest, largest) allowed
    "hour": (0, 23), "until_hour": (1, 24), "notice_before": (0, 60),
    "overdue_first": (1, 60), "overdue_every": (1, 60), "overdue_max": (0, 20),
    "cc_federation_from": (1, 21),
}
_SUMMARY_LIMITS = {"hour": (0, 23), "after_due": (0, 30), "weekly_weekday": (0, 7),
                   "window_before": (0, 92)}

_LIMITS = {"max_attachments": (1, 1000), "max_attachment_mb": (1, 1024),
           "max_subject_chars": (20, 10000)}


def _reminders(table: dict, problems: _Problems) -> Ladder:
    """[reminders]: the ladder; every key optional, defaults from remind.Ladder."""
    values = _bounded(table, "reminders", _LADDER_LIMITS, Ladder,
                      ("on_due", "opening", "form_every"), problems)
    if values["hour"] >= values["until_hour"]:
        problems.add("reminders.until_hour", "must be later than reminders.hour")
    return Ladder(**values)


def _summary(table: dict, problems: _Problems) -> SummarySchedule:
    """[summary]: when the federation's summary goes out; defaults from SummarySchedule."""
    return SummarySchedule(**_bounded(table, "summary", _SUMMARY_LIMITS, SummarySchedule, (),
                                      problems))


def _bounded(table: dict, section: str, limits: dict, defaults: type, flags: tuple[str, ...],
             problems: _Problems) -> dict:
    """Optional integer keys within limits, and true/false flags, of one section."""
    _unknown_keys(table, section, (*limits, *flags), problems)
    values = {}
    for key, (low, high) in limits.items():
        value = problems.require(table, key, section, int, getattr(defaults, key))
        if not low <= value <= high:
            problems.add(f"{section}.{key}", f"must be between {low} and {high}, not {value}")
        values[key] = value
    for key in flags:
        values[key] = problems.require(table, key, section, bool, getattr(defaults, key))
    return values


def _unknown_keys(table: dict, section: str, known: tuple[str, ...],
                  problems: _Problems) -> None:
    for key in table:
        if key not in known:
            problems.add(f"{section}.{key}", "unknown key; known keys: " + ", ".join(known))


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
