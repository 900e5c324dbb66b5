"""The real shapes of a filled progress form, each built with the rows it must yield.

A shape takes (campaign, unit, texts, more) - the unit sending, its progress
text per item it owns, and a source of further texts for the other units of a
shared row - and returns (DOCX bytes, expected rows). Expected rows are
(seq, unit or None, progress) in table order: what extraction must find, no
more (a unit may leave a row of its own blank: texts[seq] == ""). The golden
files (tests/golden/make_golden.py) and the held-out accuracy benchmark
(benchmarks/bench_accuracy.py) both build their inputs here.
"""

from __future__ import annotations

import random
from typing import Callable

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

from mailbot.core.models import Campaign, Item
from tests.forms import (HEADER, add_deleted_text, build_docx, form_rows, sdt_cell, wrap_runs)

Expected = list[tuple[int, "str | None", str]]
Texts = dict[int, str]
More = Callable[[], str]
CN = "一二三四五六七八九十"
LETTERHEAD = [["淄川区妇女联合会", "文件"], ["发文字号", "淄妇字〔2026〕3号"]]
DETAIL = [["活动名称", "时间", "参加人数"], ["专场招聘会", "3月8日", "300"]]


def items_of(campaign: Campaign, unit: str) -> list[Item]:
    return [item for item in campaign.items if unit in item.units]


def _whole_expected(campaign: Campaign, texts: Texts) -> Expected:
    """The whole form's rows: the 责任单位 cell lists every unit, so `unit` is set only
    where the item has one."""
    return [(item.seq, item.units[0] if len(item.units) == 1 else None, texts[item.seq])
            for item in campaign.items if texts.get(item.seq)]


def _own_rows(campaign: Campaign, unit: str, texts: Texts, seq=str, title=None,
              unit_name=None) -> list[list[str]]:
    return [[seq(item.seq), title(item) if title else item.title, unit_name or unit,
             texts[item.seq], item.deadline] for item in items_of(campaign, unit)]


def whole_form(campaign, unit, texts, more):
    """The official form, all ten rows, only the unit's progress filled."""
    return (build_docx([[list(HEADER)] + form_rows(campaign, texts)]),
            _whole_expected(campaign, texts))


def own_rows(campaign, unit, texts, more, variant: int = 0):
    """Only the unit's rows, renumbered from 1, its name written as it likes (妇联, 淄川区妇联)."""
    names = [unit, unit[1:] if unit.startswith("区") else unit,
             "淄川" + unit if unit.startswith("区") else unit]
    numbers = iter(range(1, 20))
    rows = _own_rows(campaign, unit, texts, seq=lambda _: str(next(numbers)),
                     unit_name=names[variant % len(names)])
    return (build_docx([[list(HEADER)] + rows]),
            [(item.seq, unit, texts[item.seq]) for item in items_of(campaign, unit)])


def per_unit_rows(campaign, unit, texts, more):
    """One row per responsible unit, 序号/实事名称/完成时限 merged vertically (vMerge)."""
    table, merges, expected = [list(HEADER)], [], []
    for item in items_of(campaign, unit):
        first = len(table)
        for owner in item.units:
            text = texts[item.seq] if owner == unit else more()
            table.append([str(item.seq), item.title, owner, text, item.deadline])
            expected.append((item.seq, owner, text))
        if len(item.units) > 1:
            merges += [(first, col, len(table) - 1, col) for col in (0, 1, 4)]
    return build_docx([table], merges={0: merges}), expected


def header_lines(campaign, unit, texts, more):
    """Header words broken over lines (paragraphs and spaces inside the cells)."""
    header = ["序\n号", "实事\n名称", "责 任\n单 位", "具体措施及\n任务进度情况", "完成\n时限"]
    rows = _own_rows(campaign, unit, texts)
    return (build_docx([[header] + rows]),
            [(item.seq, unit, texts[item.seq]) for item in items_of(campaign, unit)])


def header_two_rows(campaign, unit, texts, more):
    """具体措施 / 及任务进度情况 over two physical rows, the other header cells merged down."""
    top = ["序号", "实事名称", "责任单位", "具体措施", "完成时限"]
    bottom = ["", "", "", "及任务进度情况", ""]
    merges = [(0, col, 1, col) for col in (0, 1, 2, 4)]
    rows = [top, bottom] + form_rows(campaign, texts)
    return build_docx([rows], merges={0: merges}), _whole_expected(campaign, texts)


def remark_column(campaign, unit, texts, more):
    """An extra 备注 column at the end, filled here and there."""
    rows = [list(HEADER) + ["备注"]]
    for index, row in enumerate(form_rows(campaign, texts)):
        rows.append(row + (["已完成季度目标" if index % 3 == 0 and row[3] else ""]))
    return build_docx([rows]), _whole_expected(campaign, texts)


def swapped_columns(campaign, unit, texts, more, variant: int = 0):
    """The columns in another order (the unit's own template)."""
    orders = [(0, 2, 1, 4, 3), (1, 0, 3, 2, 4), (0, 1, 3, 2, 4)]
    order = orders[variant % len(orders)]
    rows = [list(HEADER)] + _own_rows(campaign, unit, texts, seq=lambda s: str(s))
    return (build_docx([[[row[col] for col in order] for row in rows]]),
            [(item.seq, unit, texts[item.seq]) for item in items_of(campaign, unit)])


SEQ_STYLES = (lambda n: CN[n - 1], lambda n: CN[n - 1] + "、",
              lambda n: chr(0xFF10 + n) if n < 10 else "１０", lambda n: f"（{CN[n - 1]}）",
              lambda n: f"{n}.")


def numerals(campaign, unit, texts, more, variant: int = 0):
    """序号 as 一, 一、, １, （一）, 1. in the whole form."""
    style = SEQ_STYLES[variant % len(SEQ_STYLES)]
    rows = [list(HEADER)] + form_rows(campaign, texts, seq=style)
    return build_docx([rows]), _whole_expected(campaign, texts)


def reword(title: str, variant: int) -> str:
    """A small rewording people make when they retype a title."""
    plain = title.replace("“", "").replace("”", "")
    choices = ["进一步" + plain, plain + "工作", plain.replace("妇女儿童", "妇儿"),
               title.replace("“", "\"").replace("”", "\""), plain[:-2] + "的" + plain[-2:],
               "持续" + plain]
    return choices[variant % len(choices)]


def reworded_titles(campaign, unit, texts, more, variant: int = 0):
    """Only the unit's rows, their real 序号 kept, the titles slightly reworded."""
    rows = _own_rows(campaign, unit, texts, title=lambda item: reword(item.title,
                                                                      variant + item.seq))
    return (build_docx([[list(HEADER)] + rows]),
            [(item.seq, unit, texts[item.seq]) for item in items_of(campaign, unit)])


def letterhead(campaign, unit, texts, more):
    """A letterhead table before the form and a detail table after it."""
    form = [list(HEADER)] + form_rows(campaign, texts)
    return build_docx([LETTERHEAD, form, DETAIL]), _whole_expected(campaign, texts)


def set_breaks(cell, text: str) -> None:
    """The lines of `text` as one paragraph with soft line breaks (Shift+Enter)."""
    paragraph = cell.paragraphs[0]
    paragraph.text = ""
    for number, line in enumerate(text.split("\n")):
        run = paragraph.add_run(line)
        if number < text.count("\n"):
            run.add_break()


def _edited_form(campaign, unit, texts, change):
    """The whole form, then change(cell, item, number) on each of the unit's progress cells."""
    def edit(document):
        table = document.tables[0]
        for number, item in enumerate(items_of(campaign, unit)):
            change(table.cell(item.seq, 3), item, number)

    rows = [list(HEADER)] + form_rows(campaign, texts)
    return build_docx([rows], edit=edit), _whole_expected(campaign, texts)


def line_breaks(campaign, unit, texts, more):
    """Multi-line progress typed with Shift+Enter (w:br) instead of paragraphs."""
    def change(cell, item, number):
        for paragraph in cell.paragraphs[1:]:
            paragraph._p.getparent().remove(paragraph._p)
        set_breaks(cell, texts[item.seq])

    return _edited_form(campaign, unit, texts, change)


def first_line_indent(campaign, unit, texts, more):
    """Progress paragraphs justified and indented two characters (首行缩进2字符), the
    house style of Chinese official writing."""
    def change(cell, item, number):
        for paragraph in cell.paragraphs:
            paragraph.paragraph_format.first_line_indent = Pt(22)
            paragraph.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY

    return _edited_form(campaign, unit, texts, change)


def paragraph_spacing(campaign, unit, texts, more):
    """Progress paragraphs with 6 pt of space after each (段后0.5行)."""
    def change(cell, item, number):
        for paragraph in cell.paragraphs:
            paragraph.paragraph_format.space_after = Pt(6)

    return _edited_form(campaign, unit, texts, change)


def controls(campaign, unit, texts, more):
    """Progress inside content controls, tracked insertions and hyperlinks, with a tracked
    deletion that must not be read."""
    def change(cell, item, number):
        kind = ("sdt", "ins", "hyperlink", "cell")[number % 4]
        if kind == "cell":
            sdt_cell(cell)
        else:
            wrap_runs(cell, kind)
            add_deleted_text(cell, "（已删除的旧表述）")

    return _edited_form(campaign, unit, texts, change)


def no_form(campaign, unit, texts, more):
    """A covering letter with a contact table and no progress form: no rows."""
    contact = [["联系人", "联系电话"], ["王晓红", "0533-5181763"]]
    return build_docx([contact], before=f"{unit}关于2026年一季度实事进展的说明"), []


def vmerge_first_row(campaign, unit, texts, more):
    """The table's first cell marked as a vMerge continuation (nothing above it)."""
    def edit(document):
        pr = document.tables[0].rows[0].cells[0]._tc.get_or_add_tcPr()
        pr.append(pr.makeelement(qn("w:vMerge"), {}))

    rows = [list(HEADER)] + form_rows(campaign, texts)
    return build_docx([rows], edit=edit), _whole_expected(campaign, texts)


SHAPES: dict[str, Callable] = {
    "whole-form": whole_form, "own-rows": own_rows, "per-unit-vmerge": per_unit_rows,
    "header-lines": header_lines, "header-two-rows": header_two_rows,
    "remark-column": remark_column, "swapped-columns": swapped_columns, "numerals": numerals,
    "reworded-titles": reworded_titles, "letterhead": letterhead, "line-breaks": line_breaks,
    "first-line-indent": first_line_indent, "paragraph-spacing": paragraph_spacing,
    "controls": controls, "no-form": no_form, "vmerge-first-row": vmerge_first_row,
}
VARIANTS = {"own-rows": 3, "swapped-columns": 3, "numerals": len(SEQ_STYLES),
            "reworded-titles": 6}


def build(shape: str, campaign: Campaign, unit: str, texts: Texts, more: More,
          variant: int = 0):
    """(DOCX bytes, expected rows) of one shape; `variant` picks among a shape's forms."""
    function = SHAPES[shape]
    options = {"variant": variant} if shape in VARIANTS else {}
    data, expected = function(campaign, unit, texts, more, **options)
    return data, [row for row in expected if row[2].strip()]  # blank rows are not rows


def random_variant(shape: str, rng: random.Random) -> int:
    return rng.randrange(VARIANTS.get(shape, 1))
