"""The human-readable form of `mailbot extract`: one block per file, one line per row."""

from __future__ import annotations

from mailbot.core.models import Extraction

PREVIEW = 60


def _flag(value: bool | None) -> str:
    return {True: "是", False: "否", None: "无法判断"}[value]


def format_table(extractions: list[Extraction]) -> str:
    """A readable listing: file, format, seal/scan flags, rows (progress abridged), warnings."""
    blocks = []
    for extraction in extractions:
        lines = [f"{extraction.file}  [{extraction.format}]"]
        if extraction.error:
            lines.append(f"  无法读取：{extraction.error}")
        else:
            lines.append(f"  找到报表：{_flag(extraction.has_form)}   扫描件："
                         f"{_flag(extraction.scanned)}   有公章：{_flag(extraction.seal)}   "
                         f"读出 {len(extraction.rows)} 行")
        for row in extraction.rows:
            progress = row.progress.replace("\n", " / ")
            if len(progress) > PREVIEW:
                progress = progress[:PREVIEW] + "…"
            unit = row.unit or "、".join(row.units)
            lines.append(f"  {row.seq:>2}  {row.title}  [{unit}]  {progress}"
                         + (f"  ({row.deadline})" if row.deadline else "")
                         + (f"  [文字识别 {row.confidence:.2f}]" if row.ocr and row.confidence else ""))
        check = extraction.stamped_check
        if check is not None:
            lines.append("  盖章版核对：" + ("与电子版一致" if check.ok else "；".join(check.problems)))
        lines.extend(f"  提示：{warning}" for warning in extraction.warnings)
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + ("\n" if blocks else "")
