"""A notice's text and tables -> CampaignDraft (pure).

A district notice of this kind has a document number, numbered items ("一、题目。
…（责任单位：…）"), a reporting rule ("每季度末…报…妇联"), a contact line and an
attached form whose table lists the items with their responsible units. The form's
table wins where both give an item; the body is the fallback. Whatever cannot be
read is listed with its line, so the operator knows what to type by hand.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from mailbot.campaign.draft import CampaignDraft, Unread
from mailbot.campaign.text_table import Table
from mailbot.extract.text import parse_seq
from mailbot.core.models import DEFAULT_COLUMNS, ColumnRole, Item, column_role

DOC_NUMBER = re.compile(r"[\u4e00-\u9fff]{1,12}[〔\[［(（](\d{4})[〕\]］)）]\s*\d+\s*号")
ITEM = re.compile(r"^([一二三四五六七八九十]{1,3})[、.．]\s*(.+?)[。；;]")
UNITS = re.compile(r"[（(]\s*(?:责任单位|牵头单位)[:：]\s*(.+?)\s*[)）]")
ITEM_DEADLINE = re.compile(r"完成时限[:：]\s*([^，。；）)]+)")
YEAR_END = re.compile(r"(\d{4})\s*年(?:年底|底)前?完成")
MONTH_END = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月底前完成")
QUARTER_END = re.compile(r"每(?:个)?季度末")
AFTER_QUARTER = re.compile(r"每(?:个)?季度(?:结束|末)后\s*(\d+)\s*个?(工作日|日|天)内")
# the body the reports go to: an office's name ends like one (妇联, 办公室, 委员会, 局...)
SEND_TO = re.compile(r"报(?:送)?(?:至|给)?\s*([\u4e00-\u9fff]{1,18}?(?:联|会|办|室|委|局|中心|处|科|部))"
                     r"\s*[（(。，,]")
CONTACT = re.compile(r"联系人[:：]\s*(.+?)\s*(?:联系电话|电话|$)")
PHONE = re.compile(r"(?:联系)?电话[:：]\s*([0-9０-９\-－—()（） ]{5,})")
ATTACHMENT = re.compile(r"^附件\s*\d*\s*[:：]\s*(?:\d+[.．、])?\s*(.+)$")
SEPARATORS = re.compile(r"[、，,；;\s]+")
_SPACE_NEAR_CJK = re.compile(r"\s+(?=[^\x00-\x7f])|(?<=[^\x00-\x7f])\s+")


@dataclass(frozen=True)
class NoticeText:
    """A notice reduced to its lines of body text and its tables (rows of cell texts)."""

    lines: tuple[str, ...]
    tables: tuple[Table, ...] = ()


def read_notice(notice: NoticeText) -> CampaignDraft:
    unread: list[Unread] = []
    lines = [line.strip() for line in notice.lines if line.strip()]
    number_line, number, year = _document_number(lines)
    form = _form_table(notice.tables)
    body_items = _body_items(lines, unread)
    items = _table_items(form, unread) if form else []
    if not items:
        items = body_items
        if not items:
            unread.append(Unread("通知中未找到实事事项（如“一、……（责任单位：……）”或附件报表）", ""))
    _compare(items, body_items, unread)
    items = _with_deadlines(items, lines, unread)
    if not number:
        unread.append(Unread("未找到文号（如“川政办字〔2026〕14号”）", lines[0] if lines else ""))
    return CampaignDraft(
        notice_title=_notice_title(lines, number_line),
        document_number=number,
        form_title=_form_title(lines, unread),
        federation=_federation(lines, unread),
        contact=_contact(lines, unread),
        phone=_search(PHONE, lines, "联系电话", unread).replace(" ", ""),
        columns=tuple(form[0]) if form else tuple(c.name for c in DEFAULT_COLUMNS),
        items=tuple(items),
        quarters=_quarters(lines, year, unread),
        unread=tuple(unread),
    )


def tidy(text: str) -> str:
    """A title or name on one line: no line breaks, no spaces beside Chinese characters."""
    return _SPACE_NEAR_CJK.sub("", " ".join(text.split()))


def _document_number(lines: list[str]) -> tuple[int, str, int | None]:
    for index, line in enumerate(lines[:12]):
        match = DOC_NUMBER.search(line)
        if match:
            return index, tidy(match.group(0)), int(match.group(1))
    years = [int(m.group(1)) for line in lines for m in [re.search(r"(20\d{2})\s*年", line)] if m]
    return -1, "", years[0] if years else None


def _notice_title(lines: list[str], number_line: int) -> str:
    """The lines after the document number up to the one ending in 通知 (or 方案...)."""
    parts = []
    for line in lines[number_line + 1:number_line + 8]:
        if line.endswith(("：", ":")):
            break
        parts.append(line)
        if re.search(r"(通知|方案|意见|办法)$", line):
            break
    return tidy("".join(parts))


def _body_items(lines: list[str], unread: list[Unread]) -> list[Item]:
    items = []
    for line in lines:
        match = ITEM.match(line)
        units = UNITS.search(line)
        if not match:
            continue
        seq = parse_seq(match.group(1))
        if units is None:
            unread.append(Unread(f"第{seq}项未写明责任单位", line))
            continue
        deadline = ITEM_DEADLINE.search(line)
        items.append(Item(seq=seq, title=tidy(match.group(2)),
                               units=_unit_names(units.group(1)),
                               deadline=tidy(deadline.group(1)) if deadline else ""))
    return items


def _unit_names(text: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(name for name in SEPARATORS.split(text) if name))


def _form_table(tables: tuple[Table, ...]) -> Table | None:
    """The first table whose header names a title or 序号, units, and a column to fill."""
    for table in tables:
        for start, row in enumerate(table[:4]):
            roles = {column_role(cell) for cell in row if cell.strip()}
            if {ColumnRole.UNITS, ColumnRole.FILLED} <= roles and (
                    roles & {ColumnRole.SEQ, ColumnRole.TITLE}):
                header = tuple("".join(cell.split()) for cell in row)
                return [header, *table[start + 1:]]
    return None


def _table_items(form: Table, unread: list[Unread]) -> list[Item]:
    roles = [column_role(name) for name in form[0]]
    items = []
    for row in form[1:]:
        cells = dict(enumerate(row))
        by_role = lambda role: [cells.get(i, "") for i, r in enumerate(roles) if r is role]
        seq = next((parse_seq(text.strip()) for text in by_role(ColumnRole.SEQ)), None)
        title = tidy("".join(by_role(ColumnRole.TITLE)))
        units = _unit_names(" ".join(by_role(ColumnRole.UNITS)))
        if not (seq or title):
            continue
        if seq is None or not title or not units:
            unread.append(Unread("附件报表中此行缺少序号、名称或责任单位", " | ".join(row)))
            continue
        items.append(Item(seq=seq, title=title, units=units,
                               deadline=tidy(" ".join(by_role(ColumnRole.DEADLINE)))))
    return items


def _compare(items: list[Item], body: list[Item], unread: list[Unread]) -> None:
    """Report where the body's items disagree with the form's (the form is taken)."""
    by_seq = {item.seq: item for item in body}
    for item in items:
        other = by_seq.get(item.seq)
        if other and other is not item and set(other.units) != set(item.units):
            unread.append(Unread(
                f"第{item.seq}项的责任单位正文与附件报表不一致，已按报表填写",
                f"（责任单位：{'、'.join(other.units)}）"))


def _with_deadlines(items: list[Item], lines: list[str],
                    unread: list[Unread]) -> list[Item]:
    """Each item's 完成时限: its own, else the notice's "在2026年年底前完成"."""
    overall = ""
    for line in lines:
        if match := MONTH_END.search(line):
            overall = f"{match.group(1)}年{int(match.group(2))}月底"
        elif match := YEAR_END.search(line):
            overall = f"{match.group(1)}年12月底"
        if overall:
            break
    done = []
    for item in items:
        deadline = item.deadline or overall
        if not deadline:
            unread.append(Unread(f"第{item.seq}项未找到完成时限", item.title))
        done.append(Item(item.seq, item.title, item.units, deadline))
    return done


def _quarters(lines: list[str], year: int | None,
              unread: list[Unread]) -> tuple[tuple[str, date | str], ...]:
    """The due dates the reporting rule gives for the notice's year."""
    rule_line = _rule_line(lines)
    if year is None:
        unread.append(Unread("未能确定通知所属年度，未生成季度报送时间", rule_line))
        return ()
    if match := AFTER_QUARTER.search(rule_line):
        unit = "workdays" if match.group(2) == "工作日" else "days"
        rule = f"{match.group(1)} {unit} after end"
        return tuple((f"{year}Q{q}", rule) for q in range(1, 5))
    if QUARTER_END.search(rule_line):
        ends = (date(year, 3, 31), date(year, 6, 30), date(year, 9, 30), date(year, 12, 31))
        return tuple((f"{year}Q{q}", end) for q, end in enumerate(ends, start=1))
    unread.append(Unread("未能读出报送时间（如“每季度末”），请在 [quarters] 中填写",
                         rule_line))
    return ()


def _rule_line(lines: list[str]) -> str:
    """The sentence that says when and to whom progress is reported."""
    return next((line for line in lines if "季度" in line and "报" in line),
                next((line for line in lines if "报送" in line), ""))


def _federation(lines: list[str], unread: list[Unread]) -> str:
    line = _rule_line(lines)
    match = SEND_TO.search(line.split("季度", 1)[-1]) if line else None
    if match is None:
        unread.append(Unread("未能读出报送对象（如“报淄川区妇联”）", line))
        return ""
    return match.group(1)


def _contact(lines: list[str], unread: list[Unread]) -> str:
    names = _search(CONTACT, lines, "联系人", unread)
    return "、".join(SEPARATORS.split(names.strip())) if names else ""


def _search(pattern: re.Pattern, lines: list[str], label: str, unread: list[Unread]) -> str:
    for line in lines:
        if match := pattern.search(line):
            return match.group(1).strip()
    unread.append(Unread(f"未找到{label}", ""))
    return ""


def _form_title(lines: list[str], unread: list[Unread]) -> str:
    for line in lines:
        if match := ATTACHMENT.match(line):
            return tidy(match.group(1))
    unread.append(Unread("未找到附件报表的名称（如“附件：……报表”）", ""))
    return ""
