"""Forms with the WordprocessingML that Word writes and python-docx never does.

Each shape is (campaign, unit, texts, more) -> (DOCX bytes, expected rows), like
tests/shapes.py: content controls left unfilled (Word's placeholder showing),
a table nested in a progress cell, tracked changes (deletions, moves) with
comments, text in a text box (with its VML fallback copy), fields, smart tags
and bookmarks, and a grid shifted against its header as PDF-to-Word converters
leave it. The XML is written here as Word writes it.
"""

from __future__ import annotations

from lxml import etree

from tests.forms import HEADER, W, build_docx, form_rows
from tests.shapes import _whole_expected

PLACEHOLDER = "单击或点击此处输入文字。"
NS = (f'xmlns:w="{W}" '
      'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
      'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
      'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
      'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
      'xmlns:v="urn:schemas-microsoft-com:vml"')


def fragment(xml: str):
    """One element from WordML text (the namespaces Word declares on the root)."""
    return etree.fromstring(f'<root {NS}>{xml}</root>')[0]


def run(text: str) -> str:
    return f"<w:r><w:t xml:space=\"preserve\">{text}</w:t></w:r>"


def paragraphs(text: str, inner=run) -> str:
    return "".join(f"<w:p>{inner(line)}</w:p>" for line in text.split("\n"))


def fill(cell, xml: str) -> None:
    """Replace the cell's paragraphs with this WordML (the cell properties stay)."""
    for paragraph in cell._tc.findall(f"{{{W}}}p"):
        cell._tc.remove(paragraph)
    for element in etree.fromstring(f"<root {NS}>{xml}</root>"):
        cell._tc.append(element)


def control(text: str) -> str:
    """A plain-text content control holding the unit's text."""
    return ("<w:sdt><w:sdtPr><w:alias w:val=\"进展情况\"/><w:id w:val=\"7\"/><w:text/></w:sdtPr>"
            f"<w:sdtContent>{paragraphs(text)}</w:sdtContent></w:sdt>")


def unfilled_control() -> str:
    """A content control nobody filled: Word shows its placeholder in grey."""
    return ("<w:sdt><w:sdtPr><w:id w:val=\"8\"/><w:placeholder><w:docPart w:val=\"DefaultPlace"
            "holder\"/></w:placeholder><w:showingPlcHdr/><w:text/></w:sdtPr><w:sdtContent><w:p>"
            "<w:r><w:rPr><w:rStyle w:val=\"PlaceholderText\"/></w:rPr>"
            f"<w:t>{PLACEHOLDER}</w:t></w:r></w:p></w:sdtContent></w:sdt>")


def _form(campaign, unit, texts, change, others=None):
    """The whole form; change(cell, text) on the unit's progress cells, others(cell) on
    every other progress cell."""
    def edit(document):
        table = document.tables[0]
        for item in campaign.items:
            cell = table.cell(item.seq, 3)
            if unit in item.units and texts.get(item.seq):
                change(cell, texts[item.seq])
            elif others:
                others(cell)

    rows = [list(HEADER)] + form_rows(campaign, {})
    return build_docx([rows], edit=edit), _whole_expected(campaign, texts)


def placeholders(campaign, unit, texts, more):
    """Every progress cell a content control; the unit filled its own, the rest show
    Word's placeholder."""
    return _form(campaign, unit, texts, lambda cell, text: fill(cell, control(text)),
                 lambda cell: fill(cell, unfilled_control()))


NESTED = [("活动", "场次", "人数"), ("专题讲座", "6", "420"), ("入户走访", "12", "96")]


def nested(campaign, unit, texts, more):
    """The progress cell holds the unit's text and, under it, a small table of figures:
    the table is part of the cell, one line a row."""
    rows = "".join("<w:tr>" + "".join(f"<w:tc>{paragraphs(v)}</w:tc>" for v in row) + "</w:tr>"
                   for row in NESTED)
    table = f"<w:tbl><w:tblPr/><w:tblGrid/>{rows}</w:tbl><w:p/>"
    lines = "\n".join(" ".join(row) for row in NESTED)
    form, expected = _form(campaign, unit, texts,
                           lambda cell, text: fill(cell, paragraphs(text) + table))
    return form, [(seq, owner, f"{text}\n{lines}") for seq, owner, text in expected]


def _revised(line: str) -> str:
    """The line as accepted, written with a tracked deletion, a move and a comment."""
    return ("<w:commentRangeStart w:id=\"3\"/>" + run(line[:2])
            + "<w:del w:id=\"4\" w:author=\"王\"><w:r><w:delText>原计划</w:delText></w:r></w:del>"
            + "<w:moveFrom w:id=\"5\" w:author=\"王\"><w:r><w:t>（移走）</w:t></w:r></w:moveFrom>"
            + f"<w:ins w:id=\"6\" w:author=\"王\">{run(line[2:])}</w:ins>"
            + "<w:commentRangeEnd w:id=\"3\"/><w:r><w:commentReference w:id=\"3\"/></w:r>")


def revisions(campaign, unit, texts, more):
    """Tracked changes and a comment in every filled cell, and a deleted paragraph."""
    deleted = ("<w:p><w:pPr><w:rPr><w:del w:id=\"9\" w:author=\"王\"/></w:rPr></w:pPr>"
               "<w:del w:id=\"10\" w:author=\"王\"><w:r><w:delText>删去的一段。</w:delText>"
               "</w:r></w:del></w:p>")
    return _form(campaign, unit, texts,
                 lambda cell, text: fill(cell, paragraphs(text, _revised) + deleted))


def _boxed(line: str) -> str:
    """A line in a text box (DrawingML, with Word's VML fallback copy), a field whose
    result is the text, a smart tag and a bookmark around it."""
    inner = (f"<w:txbxContent><w:p><w:bookmarkStart w:id=\"1\" w:name=\"b\"/>"
             f"<w:smartTag w:element=\"place\">{run(line[:1])}</w:smartTag>"
             "<w:r><w:fldChar w:fldCharType=\"begin\"/></w:r>"
             "<w:r><w:instrText> QUOTE \"x\" </w:instrText></w:r>"
             "<w:r><w:fldChar w:fldCharType=\"separate\"/></w:r>"
             f"{run(line[1:])}<w:r><w:fldChar w:fldCharType=\"end\"/></w:r>"
             "<w:bookmarkEnd w:id=\"1\"/></w:p></w:txbxContent>")
    return ("<w:r><mc:AlternateContent><mc:Choice Requires=\"wps\"><w:drawing><wp:inline>"
            "<a:graphic><a:graphicData><wps:wsp><wps:txbx>" + inner
            + "</wps:txbx></wps:wsp></a:graphicData></a:graphic></wp:inline></w:drawing>"
            "</mc:Choice><mc:Fallback><w:pict><v:shape><v:textbox>" + inner
            + "</v:textbox></v:shape></w:pict></mc:Fallback></mc:AlternateContent></w:r>")


def text_boxes(campaign, unit, texts, more):
    """Each line of the unit's text inside a text box in the cell."""
    return _form(campaign, unit, texts, lambda cell, text: fill(cell, paragraphs(text, _boxed)))


def shifted(campaign, unit, texts, more):
    """A PDF-to-Word conversion: the header row has five cells, the data rows an empty
    leading grid column (w:gridBefore) and the 责任单位 and progress spans off by one; the
    row must be read by its own cells, not by the header's positions."""
    def edit(document):
        table = document.tables[0]
        for row in table.rows[1:]:
            pr = row._tr.get_or_add_trPr()
            pr.insert(0, fragment("<w:gridBefore w:val=\"1\"/>"))

    rows = [list(HEADER)] + [[str(item.seq), item.title, "\n".join(item.units),
                              texts.get(item.seq, ""), item.deadline]
                             for item in campaign.items]
    return build_docx([rows], edit=edit), _whole_expected(campaign, texts)


SHAPES = {"wordml-placeholders": placeholders, "wordml-nested": nested,
          "wordml-revisions": revisions, "wordml-text-boxes": text_boxes,
          "wordml-shifted": shifted}


def build(shape: str, campaign, unit: str, texts, more):
    data, expected = SHAPES[shape](campaign, unit, texts, more)
    return data, [row for row in expected if row[2].strip()]

