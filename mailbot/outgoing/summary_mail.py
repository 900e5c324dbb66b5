"""Summary -> the mail to the federation: plain text, HTML with the chart inline, the report attached."""

from __future__ import annotations

from pathlib import Path

import jinja2

from mailbot.core.models import Attachment, Campaign, OutgoingMail
from mailbot.chase.summary import COLOURS, Summary
from mailbot.report.chart import FILENAME, status_chart

CONTENT_TYPES = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".pdf": "application/pdf",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def render_summary(campaign: Campaign, summary: Summary, env: jinja2.Environment,
                   report_files: list[Path], dedup_key: str | None = None) -> OutgoingMail:
    """The summary mail to the federation's addresses; the chart only where it could be drawn."""
    attachments = tuple(Attachment(filename=path.name,
                                   content_type=CONTENT_TYPES.get(path.suffix.lower(),
                                                                  "application/octet-stream"),
                                   data=path.read_bytes())
                        for path in report_files)
    chart = status_chart(summary)
    images = (Attachment(FILENAME, "image/png", chart),) if chart else ()
    names = [a.filename for a in attachments]
    text = env.get_template("summary.txt.j2").render(s=summary, attachments=names)
    html = env.get_template("summary.html.j2").render(
        s=summary, attachments=names, colours=COLOURS, chart=FILENAME if chart else None)
    return OutgoingMail(kind="summary", to=campaign.federation_emails, subject=summary.subject,
                        text=text, html=html, attachments=attachments, inline_images=images,
                        auto_submitted="auto-generated", dedup_key=dedup_key)
