"""The form's own label: the custom properties `mailbot forms` writes into each unit's form.

A hint, never proof: it fills in the unit of a row whose item several units share
(the unit the form was made for, where the row lists it), and assessment says so
when a form made for another unit or quarter arrives. Who sent the mail still
decides whose report it is.
"""

from __future__ import annotations

import re
from dataclasses import replace

from mailbot.extract.archive import open_zip, read_member
from mailbot.extract.docx import parse_xml
from mailbot.extract.errors import ExtractError
from mailbot.core.models import Campaign, Extraction, FormHint

PART = "docProps/custom.xml"
QUARTER = re.compile(r"^\d{4}Q[1-4]$")
PREFIX = "mailbot."


def read_hint(data: bytes) -> FormHint | None:
    """campaign/unit/quarter from docProps/custom.xml, or None when absent or partial."""
    try:
        archive = open_zip(data, "Word 文件")
        if PART not in archive.namelist():
            return None
        root = parse_xml(read_member(archive, PART, "Word 文件"), PART)
    except ExtractError:
        return None
    values = {}
    for prop in root:
        name = prop.get("name") or ""
        if name.startswith(PREFIX):
            values[name[len(PREFIX):]] = "".join(prop.itertext()).strip()
    if not all(values.get(key) for key in ("campaign", "unit", "quarter")) or \
            not QUARTER.match(values["quarter"]):
        return None
    return FormHint(campaign=values["campaign"], unit=values["unit"], quarter=values["quarter"])


def apply_hint(extraction: Extraction, data: bytes, campaign: Campaign) -> Extraction:
    """The extraction with the hint recorded and, for this campaign's forms, rows' units set."""
    hint = read_hint(data)
    if hint is None:
        return extraction
    rows = extraction.rows
    if hint.campaign == campaign.title:
        rows = tuple(replace(row, unit=hint.unit)
                     if row.unit is None and hint.unit in row.units else row for row in rows)
    return replace(extraction, rows=rows, form_of=hint)
