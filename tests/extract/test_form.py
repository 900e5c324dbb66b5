"""The form logic on the one cell model every reader fills (pure: grids of Cells in,
rows out): columns by their headers, rows by title and number, misaligned grids repaired
or refused, and no invented rows."""

from __future__ import annotations

from itertools import count

from mailbot.extract.form import EMPTY, Cell, Document, read_form

HEADER = ["序号", "实事名称", "责任单位", "具体措施及任务进度情况", "完成时限"]
REFS = count()


def grid(*rows):
    """Rows of texts; None is an empty slot (no cell), "<" repeats the cell to the left."""
    out = []
    for row in rows:
        cells = []
        for text in row:
            if text is None:
                cells.append(EMPTY)
            elif text == "<":
                cells.append(cells[-1])
            else:
                cells.append(Cell(text, next(REFS)))
        out.append(cells)
    return out


def read(campaign, *grids, lines=()):
    result = read_form(Document(list(grids), tuple(lines)), campaign)
    return result, [(row.seq, row.unit, row.progress) for row in result.rows]


def test_progress_that_is_the_forms_own_text_is_no_row(campaign):
    form = grid(HEADER,
                ["1", "拓宽妇女就业创业渠道", "区人社局\n区妇联", "单击或点击此处输入文字。", "2026年12月底"],
                ["2", "保护和增进妇女儿童健康", "区卫健局", "区卫健局、区妇联", ""],
                ["3", "强化妇女儿童权益保障", "区法院", "强化妇女儿童权益保障", ""],
                ["4", "深化家庭家教家风建设", "区文明办", "2026年12月底前", ""],
                ["5", "深化困难儿童关爱帮扶", "区民政局", "——", ""],
                ["6", "优化儿童成长发展环境", "区教体局", "新购置校车40台。", ""])
    result, rows = read(campaign, form)
    assert rows == [(6, "区教体局", "新购置校车40台。")]
    assert sum("进展栏只有报表自带的文字" in warning for warning in result.warnings) == 3


def test_a_table_without_the_form_header_gives_no_rows(campaign):
    other = grid(["序号", "活动名称", "参加人数"], ["1", "专场招聘会", "300"])
    result, rows = read(campaign, other)
    assert not result.has_form and rows == []


def test_a_table_after_the_form_with_other_columns_is_not_read(campaign):
    form = grid(HEADER, ["7", "提升妇女儿童安全意识和应急能力", "区应急管理局", "开展演练8次。", ""])
    after = grid(["序号", "工作进展", "备注"], ["1", "另附活动照片12张", ""], ["2", "附台账", ""])
    result, rows = read(campaign, form, after)
    assert rows == [(7, "区应急管理局", "开展演练8次。")]
    assert "报表之后的第 2 个表格栏目不同，未读取" in result.warnings


def test_two_progress_columns_are_one_progress_and_the_deadline_may_be_missing(campaign):
    form = grid(["序号", "实事名称", "责任单位", "具体措施", "任务进度情况"],
                ["8", "赋能妇女儿童宣传矩阵", "区融媒体中心", "开设专栏。", "推出报道12期。"])
    _, rows = read(campaign, form)
    assert rows == [(8, "区融媒体中心", "开设专栏。\n推出报道12期。")]
    assert read_form(Document([form]), campaign).rows[0].deadline == ""


def test_lead_and_cooperating_unit_columns_are_read_together(campaign):
    form = grid(["序号", "实事名称", "牵头单位", "配合单位", "进展情况"],
                ["1", "拓宽妇女就业创业渠道", "区人社局", "区妇联", "举办招聘会3场。"],
                ["7", "提升妇女儿童安全意识和应急能力", "区应急管理局", "", "开展演练8次。"])
    _, rows = read(campaign, form)
    assert rows == [(1, None, "举办招聘会3场。"), (7, "区应急管理局", "开展演练8次。")]


def test_renumbered_rows_with_shortened_titles_go_by_title(campaign):
    form = grid(HEADER, ["1", "儿童成长环境", "区教体局", "新购置校车40台。", ""],
                ["2", "心理健康护航工程", "区教体局", "开展心理讲座20场。", ""])
    result, rows = read(campaign, form)
    assert rows == [(6, "区教体局", "新购置校车40台。"), (10, "区教体局", "开展心理讲座20场。")]
    assert all("读作第" in warning or "按第" in warning for warning in result.warnings)


def test_a_shifted_row_is_read_by_its_own_cells(campaign):
    form = grid(HEADER, [None, "9", "厚植婚恋文明新风尚", "区总工会", "举办联谊会1场。", "2026年12月底"])
    _, rows = read(campaign, form)
    assert rows == [(9, "区总工会", "举办联谊会1场。")]


def test_a_row_that_cannot_be_lined_up_is_refused_not_read_shifted(campaign):
    form = grid(HEADER, [None, "9", "厚植婚恋文明新风尚", "区总工会", "举办联谊会1场。", "<"],
                ["8", "赋能妇女儿童宣传矩阵", "区融媒体中心", "推出报道12期。", ""])
    result, rows = read(campaign, form)
    assert rows == [(8, "区融媒体中心", "推出报道12期。")]
    assert "表格第 2 行：单元格与表头对不齐，未读取" in result.warnings


def test_units_written_in_full_are_recognised(campaign):
    form = grid(HEADER, ["2", "保护和增进妇女儿童健康", "淄川区卫生健康局", "筛查4800人次。", ""],
                ["3", "强化妇女儿童权益保障", "淄博市公安局淄川分局", "发出告诫书6份。", ""],
                ["9", "厚植婚恋文明新风尚", "共青团淄川区委员会", "举办联谊会2场。", ""])
    _, rows = read(campaign, form)
    assert [unit for _, unit, _ in rows] == ["区卫健局", "区公安分局", "团区委"]


def test_a_row_under_several_units_in_full_is_the_reporting_units(campaign):
    form = grid(HEADER, ["2", "保护和增进妇女儿童健康", "淄川区卫生健康局淄川区妇女联合会\n淄川区残疾人联合会",
                         "开展“两癌”筛查4800人次。", ""])
    _, rows = read(campaign, form)
    assert rows == [(2, None, "开展“两癌”筛查4800人次。")]
    _, rows = read(campaign, form, lines=("填报单位：淄川区妇女联合会（盖章）   填报日期：2026年3月31日",))
    assert rows == [(2, "区妇联", "开展“两癌”筛查4800人次。")]


def test_lead_and_cooperating_columns_give_the_row_to_the_reporting_unit(campaign):
    form = grid(["填报单位：区妇联", "<", "<", "<", "<"],
                ["序号", "实事名称", "牵头单位", "配合单位", "进展情况"],
                ["1", "拓宽妇女就业创业渠道", "区人社局", "", "举办巾帼创业培训2期。"],
                ["4", "深化家庭家教家风建设", "区文明办", "区妇联", "评选最美家庭20户。"])
    _, rows = read(campaign, form)
    assert rows == [(1, "区妇联", "举办巾帼创业培训2期。"), (4, "区妇联", "评选最美家庭20户。")]
