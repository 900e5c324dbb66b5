"""PDF cell text: where a line ends in a wrap and where in a paragraph break (pure, on chars
laid out the way LibreOffice prints the form: 11 pt, CJK 11 pt wide, Latin 6.6 pt)."""

from __future__ import annotations

from mailbot.extract.match import match_units
from mailbot.extract.pdftable import cell_text

SIZE = 11.0
CELL = (0.0, 0.0, 100.0, 200.0)  # text from x=5 to x=95


def chars(*lines: tuple) -> list[dict]:
    """Chars for each (text, gap[, indent]): the line's text starting at x=5 (+ indent),
    `gap` points of extra space between Latin and CJK runs (a word processor's autospace)."""
    out = []
    for number, (text, gap, *indent) in enumerate(lines):
        x, top = 5.0 + sum(indent), 10.0 + 13 * number
        for index, char in enumerate(text):
            if index and gap and char.isascii() != text[index - 1].isascii():
                x += gap
            width = SIZE * 0.6 if char.isascii() else SIZE
            out.append({"text": char, "x0": x, "x1": x + width, "top": top,
                        "bottom": top + SIZE, "size": SIZE})
            x += width
    return out


def test_a_latin_cjk_autospace_that_would_not_fit_makes_a_wrap():
    # "开展筛查48000" ends at 81: 人 (11) fits in the 14 left, but not with the 2.75 autospace
    lines = chars(("开展筛查48000", 0), ("人次。", 0))
    assert cell_text(CELL, lines) == "开展筛查48000人次。"


def test_room_for_the_next_word_means_a_paragraph_break():
    assert cell_text(CELL, chars(("完成。", 0), ("开展活动", 0))) == "完成。\n开展活动"


def test_quote_marks_hold_on_to_their_neighbours():
    # 21 left after 6 CJK chars at 71: 织 alone would fit, 织“护 does not
    assert cell_text(CELL, chars(("配备专职人员", 0), ("织“护苗”", 0))) == "配备专职人员织“护苗”"


def test_no_break_between_cjk_punctuation_and_a_latin_word():
    # 传、 (22) fits in the 24 left after 71, 传、HPV does not
    assert cell_text(CELL, chars(("苗接种宣传疫", 0), ("传、HPV疫苗", 0))) == "苗接种宣传疫传、HPV疫苗"


def test_a_list_marker_after_a_full_sentence_opens_a_paragraph():
    full = ("完成率达百分之九十。", 0)  # 10 chars to x=115: no room left at all
    cell = (0.0, 0.0, 125.0, 200.0)
    assert cell_text(cell, chars(full, ("（二）建成儿童之家", 0))) == "完成率达百分之九十。\n（二）建成儿童之家"
    assert cell_text(cell, chars(full, ("2.建成儿童之家", 0))) == "完成率达百分之九十。\n2.建成儿童之家"
    # "二是" is as often inline as it opens a paragraph: the width rule decides
    assert cell_text(cell, chars(full, ("二是建成", 0))) == "完成率达百分之九十。二是建成"
    # a number that wrapped is no list marker
    assert cell_text(cell, chars(full, ("3.5万元", 0))) == "完成率达百分之九十。3.5万元"


def test_two_character_first_line_indents_mark_the_paragraphs():
    # full lines throughout: by width alone every break would look like a wrap
    paragraphs = [("开展宣传活动", 0, 22), ("参与群众一千余人", 0), ("组织应急演练", 0, 22),
                  ("3次。", 0)]
    assert cell_text(CELL, chars(*paragraphs)) == "开展宣传活动参与群众一千余人\n组织应急演练3次。"
    # the rest of a row that ran over a page break starts mid-paragraph
    assert cell_text(CELL, chars(*paragraphs[1:])) == "参与群众一千余人\n组织应急演练3次。"


def test_space_between_paragraphs_marks_the_break():
    lines = chars(("开展宣传活动八场参", 0), ("与群众一千余人次。", 0), ("组织应急演练", 0))
    for char in lines:
        char["top"] += 6 if char["top"] > 30 else 0  # 6 pt after the first paragraph
    assert cell_text((0.0, 0.0, 100.0, 200.0), lines) == "开展宣传活动八场参与群众一千余人次。\n组织应急演练"


def test_a_centred_cell_is_not_taken_for_indented_paragraphs():
    narrow = (0.0, 0.0, 72.0, 200.0)  # "2026年12月" fills the line
    assert cell_text(narrow, chars(("2026年12月", 0), ("年底前", 0, 15))) == "2026年12月年底前"


def test_gaps_of_justified_chinese_text_are_no_spaces_but_gaps_between_latin_words_are():
    spread = chars(("评选最美家庭", 0))
    for index, char in enumerate(spread):
        char["x0"] += 8 * index
        char["x1"] += 8 * index
    assert cell_text((0.0, 0.0, 200.0, 50.0), spread) == "评选最美家庭"
    words = [c for c in chars(("HPV", 0))] + [dict(c, x0=c["x0"] + 30, x1=c["x1"] + 30)
                                               for c in chars(("APP", 0))]
    assert cell_text((0.0, 0.0, 200.0, 50.0), words) == "HPV APP"


def test_a_unit_name_broken_over_two_lines_is_put_together(campaign):
    assert match_units("区总工会\n区人才发展中\n心\n区融媒体中心", campaign) == (
        "区总工会", "区人才发展中心", "区融媒体中心")
    assert match_units("区文明办\n区妇联", campaign) == ("区文明办", "区妇联")


def test_no_space_where_a_line_wrapped_after_a_hyphen():
    # "依托平台推送信0-" ends at 95.2: the line is full, and the break fell after the hyphen
    assert cell_text(CELL, chars(("依托平台推送信0-", 0), ("3岁平台", 0))) == "依托平台推送信0-3岁平台"
    assert cell_text(CELL, chars(("依托平台推送信0A", 0), ("B岁平台", 0))) == "依托平台推送信0A B岁平台"
