"""What the command line says of each mail: Chinese, from the outcome's typed cause."""

import re

from mailbot.app.display import ECHO_EVERY, Batched, outcome_line, telling
from mailbot.app.pipeline import Outcome
from mailbot.core.models import HeldReason, IgnoredReason, MailState, Standing

LATIN = re.compile(r"[A-Za-z]{2,}")
NAMES = {"PDF", "DKIM", "DMARC", "Outlook", "winmail", "dat"}  # what staff know by these names


def test_every_typed_cause_is_said_in_chinese():
    outcomes = [Outcome(MailState.DONE, Standing.COMPLETE, "区人社局", "2026Q3", Standing.COMPLETE),
                Outcome(MailState.DONE, Standing.INCOMPLETE, "区残联", "2026Q3",
                        Standing.INCOMPLETE),
                Outcome(MailState.NOT_REPORT, "not a report: ...", "区法院", "2026Q3"),
                Outcome(MailState.BEFORE_SINCE, "arrived before 2026-07-01 ([mailbox] since)"),
                Outcome(MailState.DUPLICATE, "seen before")]
    outcomes += [Outcome(MailState.HELD, reason, "团区委", "2026Q3", reason) for reason in HeldReason]
    outcomes += [Outcome(MailState.IGNORED, f"{reason} (detail)", why=reason)
                 for reason in IgnoredReason]
    for outcome in outcomes:
        line = outcome_line(outcome)
        assert line.startswith(outcome.state.zh), line
        assert set(LATIN.findall(line)) <= NAMES, line


def test_a_counted_mail_names_its_unit_quarter_and_standing():
    outcome = Outcome(MailState.DONE, Standing.INCOMPLETE, "区残联", "2026Q3", Standing.INCOMPLETE)
    told: list[str] = []
    telling(told.append)("maildir:a.eml", outcome)
    assert told == ["maildir:a.eml：已计入 区残联2026年第三季度：材料不全"]


def test_a_failure_keeps_its_error_and_a_rejection_the_persons_words():
    assert outcome_line(Outcome(MailState.FAILED, "disk full (attempt 1 of 3)")) == (
        "处理失败：disk full (attempt 1 of 3)")
    assert outcome_line(Outcome(MailState.REJECTED, "误发草稿", "区人社局", "2026Q3")) == (
        "已退回 区人社局2026年第三季度：误发草稿")


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_of_lines_is_written_together_and_a_line_after_a_pause_at_once():
    written, clock = [], FakeClock()
    lines = Batched(written.append, clock=clock)
    lines("第一封")  # the first line of a poll is never held back
    assert written == ["第一封"]
    lines("第二封")
    lines("第三封")  # a burst: within ECHO_EVERY of the last write
    assert written == ["第一封"]
    clock.now += ECHO_EVERY
    lines("第四封")  # a slow mail's line takes the burst's out with it
    assert written == ["第一封", "第二封\n第三封\n第四封"]
    lines("第五封")
    lines.flush()
    assert written[-1] == "第五封" and "".join(written).count("封") == 5


def test_every_line_is_on_screen_when_the_command_stops_on_an_error(capsys):
    from mailbot.cli import told_on_screen

    outcome = Outcome(MailState.DUPLICATE, "seen before")
    try:
        with told_on_screen() as tell:
            for n in range(3):
                tell(f"maildir:{n}", outcome)
            raise RuntimeError("the mailbox went away")
    except RuntimeError:
        pass
    shown = capsys.readouterr().out.splitlines()
    assert shown == [f"maildir:{n}：重复邮件：此前已收到，未再处理" for n in range(3)]
