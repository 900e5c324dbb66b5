"""Frozen dataclasses shared by every stage of the pipeline.

This is the ground floor: it imports nothing from mailbot, so every stage can
depend on it and the pure core never reaches the I/O shell through it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from enum import Enum, StrEnum


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


class ColumnRole(Enum):
    """What a column of the form holds; the value is its Chinese name in messages."""

    SEQ = "序号"
    TITLE = "事项名称"
    UNITS = "责任单位"
    FILLED = "由单位填写"
    DEADLINE = "完成时限"


# Keywords naming a role, checked in this order: "具体措施及任务进度情况" holds
# 任务 (a title word) but is the progress column, so FILLED words come first.
_ROLE_WORDS = (
    (ColumnRole.SEQ, ("序号", "编号")),
    (ColumnRole.DEADLINE, ("时限", "完成时间", "截止时间", "时间节点")),
    (ColumnRole.FILLED, ("进度", "进展", "措施", "完成情况", "工作情况")),
    (ColumnRole.UNITS, ("单位", "部门")),
    (ColumnRole.TITLE, ("名称", "实事", "项目", "事项", "任务")),
)


@dataclass(frozen=True)
class Column:
    """One column of the campaign's form, by its heading."""

    name: str
    role: ColumnRole


def column_role(name: str) -> ColumnRole:
    """The role a heading names; anything unrecognised (存在问题, 下步打算) is for units to fill."""
    flat = "".join(name.split())
    for role, words in _ROLE_WORDS:
        if any(word in flat for word in words):
            return role
    return ColumnRole.FILLED


def columns_of(names: tuple[str, ...] | list[str]) -> tuple[Column, ...]:
    return tuple(Column(name, column_role(name)) for name in names)


DEFAULT_COLUMNS = columns_of(("序号", "实事名称", "责任单位", "具体措施及任务进度情况", "完成时限"))


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
    columns: tuple[Column, ...] = DEFAULT_COLUMNS  # the form's, in order

    @property
    def filled_columns(self) -> tuple[Column, ...]:
        """The columns units write in; the first is the progress column."""
        return tuple(c for c in self.columns if c.role is ColumnRole.FILLED)

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


# --- what became of a mail -------------------------------------------------


class MailState(StrEnum):
    """What became of a recorded mail (the store keeps the value); `zh` is what staff read."""

    CLAIMED = "claimed"  # being processed (a crash leaves it so: retried at the next sighting)
    DONE = "done"  # counted for a unit's quarter
    NOT_REPORT = "not_report"  # from a unit, but brings no piece: changes nothing
    BEFORE_SINCE = "before_since"  # arrived before the start point: never answered
    IGNORED = "ignored"  # automatic, or nobody's mail
    HELD = "held"  # waits for a person
    FAILED = "failed"  # processing failed (retried, then listed by review)
    REJECTED = "rejected"  # set aside by review
    DUPLICATE = "duplicate"  # an outcome only: the mail was recorded before

    @property
    def zh(self) -> str:
        return MAIL_STATES_ZH[self]


MAIL_STATES_ZH = {
    MailState.CLAIMED: "处理中", MailState.DONE: "已计入", MailState.NOT_REPORT: "非报送邮件",
    MailState.BEFORE_SINCE: "起始日期前的邮件", MailState.IGNORED: "无需处理",
    MailState.HELD: "待人工审核", MailState.FAILED: "处理失败", MailState.REJECTED: "已退回",
    MailState.DUPLICATE: "重复邮件"}


class UnitState(StrEnum):
    """Where a unit's report for a quarter stands (`status --json` keeps the value); `zh`
    is what staff and the federation read."""

    ON_TIME = "on_time"  # complete, received by the due date
    LATE = "late"  # complete, received after it
    INCOMPLETE = "incomplete"  # received, but pieces or items are missing
    MISSING = "missing"  # nothing received

    @property
    def zh(self) -> str:
        return UNIT_STATES_ZH[self]

    @property
    def complete(self) -> bool:
        """A complete report arrived: the unit is chased no more."""
        return self in (UnitState.ON_TIME, UnitState.LATE)


UNIT_STATES_ZH = {UnitState.ON_TIME: "按时报送", UnitState.LATE: "逾期报送",
                  UnitState.INCOMPLETE: "材料不全", UnitState.MISSING: "未报送"}


class OutgoingState(StrEnum):
    """Where an outgoing mail stands (the store keeps the value); `zh` is what staff read."""

    QUEUED = "queued"  # waiting for the outbox (again, after a refusal: at next_try_at)
    SENT = "sent"  # the server (or the folder) took it
    FAILED = "failed"  # given up (a 5xx, or refused too long): listed by review, resendable

    @property
    def zh(self) -> str:
        return OUTGOING_STATES_ZH[self]


OUTGOING_STATES_ZH = {OutgoingState.QUEUED: "待发送", OutgoingState.SENT: "已发送",
                      OutgoingState.FAILED: "发送失败"}


# --- intake decisions -----------------------------------------------------


@dataclass(frozen=True)
class Submission:
    """A mail attributed to a unit and a quarter, with the files to read."""

    unit: str
    quarter: str
    attachments: tuple[Attachment, ...]
    notes: tuple[str, ...] = ()


class IgnoredReason(StrEnum):
    """Why a mail gets no answer and counts for no one (the stored reason begins with it)."""

    AUTOMATIC = "automatic mail"
    NAMES_NO_UNIT = "the sender is not a registered unit and the mail names none"
    NOT_FOR_US = ("not a report: no report files, and a reply to our mail or no campaign words "
                  "in the subject; recorded, not answered")
    FEDERATION_OWN = "mail from the federation's own address"


@dataclass(frozen=True)
class Ignored:
    """A mail that is not a report and gets no answer (auto-reply, bounce...);
    `detail` names the case (which automatic header, which sender)."""

    why: IgnoredReason
    detail: str = ""

    @property
    def reason(self) -> str:
        """What the store keeps: the reason, then the detail in brackets."""
        return f"{self.why} ({self.detail})" if self.detail else str(self.why)


class HeldReason(StrEnum):
    """Why a mail waits for a person. The value is what the store keeps; `zh` is what
    staff and the unit read; `told`: the unit gets a notice (someone wrote in its name,
    or its own mail lacks what recording needs); other held mails wait for staff."""

    def __new__(cls, stored: str, zh: str, told: bool):
        member = str.__new__(cls, stored)
        member._value_ = stored
        member.zh, member.told = zh, told
        return member

    UNREGISTERED = ("address not registered for this unit", "发件地址未登记为该单位的报送邮箱",
                    True)
    NO_QUARTER = ("no quarter could be found in the subject, body, filenames or date",
                  "未能从主题、正文、附件名或日期识别报送季度", True)
    NO_ATTACHMENT = ("no attachment: nothing to record", "邮件没有附件", True)
    WINMAIL = ("winmail.dat attachment (Outlook rich text): the files inside cannot be read",
               "附件为 winmail.dat（Outlook 格式），无法读取其中的文件", True)
    AUTH_FAILED = ("DKIM or DMARC failed at a trusted mail server: the sender may be forged",
                   "邮件服务器的发件人验证（DKIM/DMARC）未通过，发件人可能被冒用", False)
    FORWARD_WITHOUT_ORIGINAL = ("forwarded by the federation in the body, without the original "
                                "mail attached: the unit cannot be confirmed",
                                "妇联转发的邮件未附带原邮件，无法确认报送单位", False)
    FORWARD_NOT_FROM_UNIT = ("forwarded by the federation, but the original was not sent from a "
                             "registered unit address", "妇联转发的原邮件并非来自已登记的单位邮箱",
                             False)
    OUT_OF_BUDGET = ("the files were not all read within the parse budget (per mail, per "
                     "sender and hour); `review requeue` reads them again",
                     "附件解析时间超出限额，未能全部读取，请人工查看或重新处理", False)

    @classmethod
    def parse(cls, stored: str) -> tuple[HeldReason | None, str]:
        """A stored reason as (the reason, the notes that follow it "; "-separated, such
        as a reply not sent); None for what is no held reason (a failure's error).
        Matched whole, since OUT_OF_BUDGET's own words hold a "; "."""
        for member in cls:
            if stored == member or stored.startswith(f"{member}; "):
                return member, stored[len(member) + 2:]
        return None, stored

    @classmethod
    def zh_of(cls, stored: str) -> str:
        """A stored reason in Chinese, without its notes; an unknown one (an error) quoted."""
        reason, rest = cls.parse(stored)
        return reason.zh if reason else f"处理出错，请人工查看（{rest.split('; ', 1)[0]}）"


@dataclass(frozen=True)
class Held:
    """A mail that needs a person: it counts for no unit until accepted."""

    reason: HeldReason
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
    # the other columns units fill in (存在问题, 下步打算...): (heading, text)
    extra: tuple[tuple[str, str], ...] = ()
    ocr: bool = False                 # read from a scan or photo, not from a text layer
    confidence: float | None = None   # the OCR engine's mean score for the progress text


@dataclass(frozen=True)
class FormHint:
    """What a form generated by `mailbot forms` says it is for (a hint, never proof)."""

    campaign: str
    unit: str
    quarter: str


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
    form_of: FormHint | None = None
    text: str = ""  # a scan's text outside its tables (title, 填报单位 line), read by OCR
    stamped_check: StampedCheck | None = None

    def to_json(self) -> dict:
        data = asdict(self)
        del data["text"]
        if self.form_of is None:
            data.pop("form_of")  # only forms made by `mailbot forms` carry one
        data["rows"] = [_row_json(row) for row in self.rows]
        data["warnings"] = list(self.warnings)
        if self.stamped_check is None:
            del data["stamped_check"]
        else:
            data["stamped_check"] = self.stamped_check.to_json()
        return data


def _row_json(row: FormRow) -> dict:
    """A row of `extract --json`; "extra" (heading -> text) only for forms that have such columns."""
    data = dict(asdict(row), units=list(row.units))
    data.pop("extra")
    if row.extra:
        data["extra"] = dict(row.extra)
    if not row.ocr:
        del data["ocr"], data["confidence"]  # only rows read from a scan carry them
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
    report: bool = True  # False: no rows for the unit's items and no PDF of the form
    notes: tuple[str, ...] = ()  # told in the receipt, without making the report incomplete

    @property
    def complete(self) -> bool:
        return self.electronic and self.stamped_pdf and not self.problems


# --- what the store knows -------------------------------------------------


@dataclass(frozen=True)
class SubmissionRecord:
    """A stored submission: one mail's pieces for a unit's quarter (see assess.current_record)."""

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
    # in a unit's current quarter (assess.current_record): the mails its pieces come from
    form_from: str | None = None
    stamped_from: str | None = None


@dataclass(frozen=True)
class UnitStatus:
    unit: str
    state: UnitState
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
