"""Frozen dataclasses shared by every stage of the pipeline.

This is the ground floor: it imports nothing from mailbot, so every stage can
depend on it and the pure core never reaches the I/O shell through it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime


# --- the campaign (from config.toml) -------------------------------------


@dataclass(frozen=True)
class Unit:
    """A government unit that must report; `emails` are the registered senders."""

    name: str
    emails: tuple[str, ...]
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Item:
    """One of the campaign's practical projects (a row of the form)."""

    seq: int
    title: str
    units: tuple[str, ...]
    deadline: str


@dataclass(frozen=True)
class Quarter:
    """A reporting period; `due` is the last day a report counts as on time."""

    name: str
    start: date
    end: date
    due: date


@dataclass(frozen=True)
class Campaign:
    """Everything the pure stages need to know about what is being collected."""

    title: str
    federation: str
    federation_emails: tuple[str, ...]
    units: tuple[Unit, ...]
    items: tuple[Item, ...]
    quarters: tuple[Quarter, ...]
    timezone: str = "Asia/Shanghai"
    contact: str = ""
    phone: str = ""

    def unit(self, name: str) -> Unit:
        for unit in self.units:
            if unit.name == name:
                return unit
        raise KeyError(name)

    def quarter(self, name: str) -> Quarter:
        for quarter in self.quarters:
            if quarter.name == name:
                return quarter
        raise KeyError(name)

    def items_of(self, unit: str) -> tuple[Item, ...]:
        return tuple(item for item in self.items if unit in item.units)


# --- a mail, as parsed ----------------------------------------------------


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    data: bytes = field(repr=False)


@dataclass(frozen=True)
class Message:
    """A parsed mail: decoded headers, the text body and the attachments."""

    message_id: str
    subject: str
    from_addr: str
    from_name: str
    to: tuple[str, ...]
    date: datetime | None
    text: str
    attachments: tuple[Attachment, ...]
    headers: tuple[tuple[str, str], ...] = ()
    references: tuple[str, ...] = ()
    content_type: str = "text/plain"
    forwarded: tuple[Message, ...] = ()  # mails attached as message/rfc822, parsed

    def header(self, name: str) -> str | None:
        wanted = name.lower()
        for key, value in self.headers:
            if key.lower() == wanted:
                return value
        return None


# --- intake decisions -----------------------------------------------------


@dataclass(frozen=True)
class Submission:
    """A mail attributed to a unit and a quarter, with the files to read."""

    unit: str
    quarter: str
    attachments: tuple[Attachment, ...]
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Ignored:
    """A mail that is not a report and gets no answer (auto-reply, bounce...)."""

    reason: str


@dataclass(frozen=True)
class Held:
    """A mail that needs a person: it counts for no unit until accepted."""

    reason: str
    unit: str | None = None
    quarter: str | None = None


Decision = Submission | Ignored | Held


# --- documents read ---------------------------------------------------------


@dataclass(frozen=True)
class FormRow:
    """One filled row of the progress form, matched to a campaign item."""

    seq: int
    title: str
    units: tuple[str, ...]
    unit: str | None
    progress: str
    deadline: str
    ocr: bool = False                 # read from a scan or photo, not from a text layer
    confidence: float | None = None   # the OCR engine's mean score for the progress text

    def to_json(self) -> dict:
        data = dict(asdict(self), units=list(self.units))
        if not self.ocr:
            del data["ocr"], data["confidence"]
        return data


@dataclass(frozen=True)
class StampedCheck:
    """How the stamped copy compares with the electronic version (pure verdict).

    `similarity` is the lowest normalised similarity of an item's progress text;
    `problems` name each mismatch in the receipt's words; `ok` when there are none."""

    unit: str | None
    quarter: int | None
    items: tuple[int, ...]
    similarity: float | None
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_json(self) -> dict:
        return dict(asdict(self), items=list(self.items), problems=list(self.problems),
                    ok=self.ok)


@dataclass(frozen=True)
class Extraction:
    """What was read from one file: the `extract --json` object of docs/design.md."""

    file: str
    format: str
    error: str | None = None
    has_form: bool = False
    scanned: bool = False
    seal: bool | None = None
    rows: tuple[FormRow, ...] = ()
    warnings: tuple[str, ...] = ()
    text: str = ""  # a scan's text outside its tables (title, 填报单位 line), read by OCR
    stamped_check: StampedCheck | None = None

    def to_json(self) -> dict:
        data = asdict(self)
        del data["text"]
        data["rows"] = [row.to_json() for row in self.rows]
        data["warnings"] = list(self.warnings)
        if self.stamped_check is None:
            del data["stamped_check"]
        else:
            data["stamped_check"] = self.stamped_check.to_json()
        return data


@dataclass(frozen=True)
class Assessment:
    """A submission judged against the campaign: what is there and what is not."""

    unit: str
    quarter: str
    electronic: bool
    stamped_pdf: bool
    items: tuple[int, ...]
    rows: tuple[FormRow, ...]
    problems: tuple[str, ...]
    notes: tuple[str, ...] = ()  # told in the receipt, without making the report incomplete

    @property
    def complete(self) -> bool:
        return self.electronic and self.stamped_pdf and not self.problems


# --- what the store knows -------------------------------------------------


@dataclass(frozen=True)
class SubmissionRecord:
    """A stored submission; the newest one per (unit, quarter) is current."""

    id: int
    message_id: str
    unit: str
    quarter: str
    received_at: datetime
    electronic: bool
    stamped_pdf: bool
    items: tuple[int, ...]
    problems: tuple[str, ...]
    rows: tuple[FormRow, ...] = ()


@dataclass(frozen=True)
class UnitStatus:
    unit: str
    state: str  # on_time | late | incomplete | missing
    electronic: bool = False
    stamped_pdf: bool = False
    received_at: datetime | None = None
    items: tuple[int, ...] = ()
    message_id: str | None = None
    problems: tuple[str, ...] = ()


@dataclass(frozen=True)
class HeldMail:
    """A mail held for review, as the federation's summary lists it."""

    subject: str
    sender: str
    reason: str
    received_at: datetime | None = None
    unit: str | None = None


# --- outgoing mail ----------------------------------------------------------


@dataclass(frozen=True)
class OutgoingMail:
    """A mail mailbot sends: rendered, addressed only to config.toml addresses."""

    kind: str  # receipt | reminder | summary | held_notice
    to: tuple[str, ...]
    subject: str
    text: str
    html: str | None = None
    cc: tuple[str, ...] = ()
    in_reply_to: str | None = None
    references: tuple[str, ...] = ()
    auto_submitted: str = "auto-generated"
    attachments: tuple[Attachment, ...] = ()
    dedup_key: str | None = None  # unique per logical mail: never sent twice
    # pictures the HTML shows by "cid:<filename>"; the Content-ID is the filename
    inline_images: tuple[Attachment, ...] = ()


IMAGE_FORMATS = ("jpeg", "png", "tiff", "heic")  # image attachments, read by OCR
CN_QUARTERS = {"1": "一", "2": "二", "3": "三", "4": "四"}


def quarter_label(name: str) -> str:
    """"2026Q3" -> "2026年第三季度", the way the quarter is named in Chinese mail."""
    year, _, number = name.partition("Q")
    if not year.isdigit() or number not in CN_QUARTERS:
        raise ValueError(f"not a quarter name like 2026Q3: {name!r}")
    return f"{year}年第{CN_QUARTERS[number]}季度"
