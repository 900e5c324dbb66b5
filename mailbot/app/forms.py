"""`mailbot forms`: each unit's own form for a quarter, written into a folder."""

from __future__ import annotations

from pathlib import Path

from mailbot.core.models import Campaign
from mailbot.report.unit_form import form_filename, unit_form


def write_forms(campaign: Campaign, quarter: str, folder: Path) -> list[Path]:
    """One DOCX per unit that owns an item; an existing file of the same name is replaced."""
    folder.mkdir(parents=True, exist_ok=True)
    due = campaign.quarter(quarter).due
    written = []
    for unit in campaign.units:
        if not campaign.items_of(unit.name):
            continue
        path = folder / form_filename(campaign, unit.name, quarter)
        path.write_bytes(unit_form(campaign, unit.name, quarter, due))
        written.append(path)
    return written
