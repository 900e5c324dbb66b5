"""The states and reasons a mail, a unit or an outgoing mail is in: string enums whose
values the store keeps, each with the Chinese words staff read.

Imports nothing from mailbot (the ground floor, like models), and no dataclasses: the
store and the command line need these on every start.
"""

from __future__ import annotations

from enum import StrEnum


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


class Standing(StrEnum):
    """Where a unit's quarter stands after a mail was counted for it; `zh` is what staff read."""

    COMPLETE = "complete"
    INCOMPLETE = "incomplete"

    @property
    def zh(self) -> str:
        return "材料齐全" if self is Standing.COMPLETE else "材料不全"


class Worded(StrEnum):
    """A kind whose members are (stored value, `zh`): the store keeps the one, staff read
    the other."""

    def __new__(cls, stored: str, zh: str):
        member = str.__new__(cls, stored)
        member._value_ = stored
        member.zh = zh
        return member


class IgnoredReason(Worded):
    """Why a mail gets no answer and counts for no one (the stored reason begins with it);
    `zh` is what staff read."""

    AUTOMATIC = ("automatic mail", "自动回复、退信等系统邮件")
    NAMES_NO_UNIT = ("the sender is not a registered unit and the mail names none",
                     "发件地址未登记，邮件中也未写明单位")
    NOT_FOR_US = ("not a report: no report files, and a reply to our mail or no campaign words "
                  "in the subject; recorded, not answered",
                  "不是报送邮件（没有报表附件），已记录，不作答复")
    FEDERATION_OWN = ("mail from the federation's own address", "妇联自己的邮箱发出的邮件")


class LinkKind(Worded):
    """What lies behind a link a unit sent instead of a file; `zh` is what staff read."""

    DOWNLOAD = ("download", "下载链接（超大附件或网盘分享）")
    ONLINE = ("online", "在线文档（腾讯文档、金山文档等）")


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
    LINKED_ONLY = ("no attachment: the files came as download links (超大附件, net disk), "
                   "which mailbot does not fetch",
                   "邮件中的文件是以链接（超大附件、网盘分享或在线文档）发送的，系统不会打开链接"
                   "读取其中的内容",
                   True)
    UNREADABLE = ("no attachment could be read: nothing to record", "所附文件均无法读取", True)
    EMPTY_FORM = ("the form came without the unit's progress filled in: nothing to record",
                  "所附报表中未填写贵单位负责事项的进展情况", True)
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
