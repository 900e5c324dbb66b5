"""The human-readable form of `mailbot extract`: one block per file, one line per row."""

from __future__ import annotations

from mailbot.core.models import Extraction

PREVIEW = 60


def _flag(value: bool | None) -> str:
    return {True: "yes", False: "no", None: "unknown"}[value]


def format_table(extractions: list[Extraction]) -> str:
    """A readable listing: file, format, seal/scan flags, rows (progress abridged), warnings."""
    blocks = []
    for extraction in extractions:
        lines = [f"{extraction.file}  [{extraction.format}]"]
        if extraction.error:
            lines.append(f"  error: {extraction.error}")
        else:
            lines.append(f"  form: {_flag(extraction.has_form)}   scanned: "
                         f"{_flag(extraction.scanned)}   seal: {_flag(extraction.seal)}   "
                         f"rows: {len(extraction.rows)}")
        for row in extraction.rows:
            progress = row.progress.replace("\n", " / ")
            if len(progress) > PREVIEW:
                progress = progress[:PREVIEW] + "…"
            unit = row.unit or "、".join(row.units)
            lines.append(f"  {row.seq:>2}  {row.title}  [{unit}]  {progress}"
                         + (f"  ({row.deadline})" if row.deadline else "")
                         + (f"  [OCR {row.confidence:.2f}]" if row.ocr and row.confidence else ""))
        check = extraction.stamped_check
        if check is not None:
            lines.append("  stamped copy: " + ("matches the electronic version"
                                               if check.ok else "；".join(check.problems)))
        lines.extend(f"  warning: {warning}" for warning in extraction.warnings)
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + ("\n" if blocks else "")
