"""DOCX shapes of the progress form, generated with python-docx, read by extract_attachment."""

from __future__ import annotations

from docx import Document

from mailbot.extract import extract_attachment
from tests.forms import (HEADER, add_break, add_deleted_text, build_docx, form_rows,
                         make_form_docx, sdt_cell, wrap_runs)

CN = "一二三四五六七八九十"


def rows_of(data, campaign, name="form.docx"):
    [extraction] = extract_attachment(name, data, campaign)
    assert extraction.error is None, extraction.error
    return extraction, [(row.seq, row.unit, row.progress) for row in extraction.rows]


def test_whole_form_with_only_the_units_rows_filled(campaign):
    data = make_form_docx(campaign, {1: "举办招聘会12场。\n开展职业指导300人次。", 9: "联谊活动2场"})
    extraction, rows = rows_of(data, campaign)
    assert extraction.has_form and extraction.format == "docx"
    assert rows == [(1, None, "举办招聘会12场。\n开展职业指导300人次。"), (9, None, "联谊活动2场")]
    first = extraction.rows[0]
    assert first.title == "拓宽妇女就业创业渠道" and first.units == ("区人社局", "区妇联")
    assert first.deadline == "2026年12月底"


def test_only_own_rows_renumbered_and_reworded_title_wins_over_seq(campaign):
    table = [list(HEADER),
             ["1", "优化儿童成长 发展环境", "区教体局", "新购校车40台", "12月底"],
             ["2", "深入开展青少年心理成长护航工程", "区教体局", "讲座20场", "12月底"]]
    extraction, rows = rows_of(build_docx([table]), campaign)
    assert rows == [(6, "区教体局", "新购校车40台"), (10, "区教体局", "讲座20场")]
    assert any("序号 1" in w and "按第 6 项读取" in w for w in extraction.warnings)


def test_one_row_per_unit_with_vertically_merged_seq_and_title(campaign):
    units = ["区总工会", "团区委", "区妇联", "区人才发展中心", "区融媒体中心"]
    table = [list(HEADER)] + [["9", "厚植婚恋文明新风尚", unit, f"{unit}开展活动", "2026年12月底"]
                              for unit in units]
    data = build_docx([table], merges={0: [(1, 0, 5, 0), (1, 1, 5, 1), (1, 4, 5, 4)]})
    _, rows = rows_of(data, campaign)
    assert rows == [(9, unit, f"{unit}开展活动") for unit in units]


def test_header_broken_over_lines_split_over_two_rows_with_remark_and_swapped_columns(campaign):
    top = ["序 号", "实事\n名称", "完成\n时限", "具体措施", "责任单位", "备注"]
    bottom = ["", "", "", "及任务进度情况", "", ""]
    body = ["四、", "深化家庭家教家风建设", "2026年12月底", "开展家教活动30场", "淄川区妇联", "无"]
    data = build_docx([[top, bottom, body]],
                      merges={0: [(0, 0, 1, 0), (0, 1, 1, 1), (0, 2, 1, 2), (0, 4, 1, 4),
                                  (0, 5, 1, 5)]})
    extraction, rows = rows_of(data, campaign)
    assert rows == [(4, "区妇联", "开展家教活动30场")]
    assert extraction.rows[0].deadline == "2026年12月底"


def test_chinese_and_fullwidth_numerals_without_titles(campaign):
    table = [list(HEADER)] + [[seq, "", "", f"进度{n}", ""] for n, seq in
                              ((2, "二"), (3, "３"), (10, "十、"))]
    _, rows = rows_of(build_docx([table]), campaign)
    assert [row[0] for row in rows] == [2, 3, 10]


def test_letterhead_and_detail_tables_are_ignored(campaign):
    letterhead = [["淄川区妇女联合会", "文件"], ["发文字号", "淄妇字〔2026〕3号"]]
    detail = [["活动名称", "参加人数"], ["招聘会", "300"]]
    form = [list(HEADER)] + form_rows(campaign, {2: "筛查1000人次"})
    _, rows = rows_of(build_docx([letterhead, form, detail]), campaign)
    assert rows == [(2, None, "筛查1000人次")]


def test_no_form_is_said_not_an_error(campaign):
    extraction, rows = rows_of(build_docx([[["姓名", "电话"], ["张三", "5181763"]]]), campaign)
    assert not extraction.has_form and rows == []
    assert "未找到进展情况报表" in extraction.warnings


def test_content_controls_insertions_hyperlinks_breaks_and_deletions(campaign):
    def edit(document):
        table = document.tables[0]
        wrap_runs(table.cell(1, 3), "sdt")
        wrap_runs(table.cell(2, 3), "ins")
        wrap_runs(table.cell(3, 3), "hyperlink")
        add_deleted_text(table.cell(3, 3), "删除的旧文字")
        add_break(table.cell(4, 3), "第一行", "第二行")
        sdt_cell(table.cell(5, 3))

    filled = {1: "控件内文字", 2: "修订插入文字", 3: "超链接文字", 4: "x", 5: "整格控件文字"}
    data = build_docx([[list(HEADER)] + form_rows(campaign, filled)], edit=edit)
    _, rows = rows_of(data, campaign)
    assert rows == [(1, None, "控件内文字"), (2, None, "修订插入文字"), (3, None, "超链接文字"),
                    (4, None, "第一行\n第二行"), (5, None, "整格控件文字")]


def test_whitespace_is_normalised_and_paragraphs_kept(campaign):
    data = make_form_docx(campaign, {7: "  开展宣传\u3000活动8场 \n\n 普及知识\t2次  "})
    _, rows = rows_of(data, campaign)
    assert rows == [(7, "区应急管理局", "开展宣传 活动8场\n普及知识 2次")]


def test_vmerge_continuation_in_the_first_row_does_not_crash(campaign):
    def edit(document):
        first_tc = document.tables[0].rows[0].cells[0]._tc
        pr = first_tc.get_or_add_tcPr()
        merge = pr.makeelement("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
                               "vMerge", {})
        pr.append(merge)

    data = build_docx([[list(HEADER)] + form_rows(campaign, {8: "推出融媒产品3个"})], edit=edit)
    _, rows = rows_of(data, campaign)
    assert rows == [(8, "区融媒体中心", "推出融媒产品3个")]


def test_unmatched_rows_are_not_invented(campaign):
    table = [list(HEADER), ["11", "其他工作", "区妇联", "做了别的事", ""],
             ["", "", "", "合计：无", ""]]
    extraction, rows = rows_of(build_docx([table]), campaign)
    assert rows == []
    assert sum("未能对应到任何一项实事" in w for w in extraction.warnings) == 2


def test_a_python_docx_document_without_tables(campaign):
    import io
    document = Document()
    document.add_paragraph("情况说明：本季度无进展。")
    out = io.BytesIO()
    document.save(out)
    extraction, rows = rows_of(out.getvalue(), campaign)
    assert not extraction.has_form and rows == []
