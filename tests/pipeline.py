"""Helpers for tests that run mail through the whole pipeline: a context on a copy of
config.toml (real SQLite store and archive under a temporary folder), unit mails,
and the mails the folder outbox wrote."""

from __future__ import annotations

import email
import email.policy
from datetime import datetime, timezone
from pathlib import Path

from mailbot.app import pipeline

from mailbot.app import samples
from mailbot.config import load
from mailbot.outgoing.outbox import FolderTransport
from mailbot.config import PACKAGED_CONFIG

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 10, 12, 2, tzinfo=timezone.utc)
SEPT = datetime(2026, 9, 28, 2, tzinfo=timezone.utc)


def write_config(folder: Path, extra: str = "", edit=lambda text: text) -> Path:
    """config.toml copied into `folder`, edited, with `extra` TOML appended."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "config.toml"
    text = edit(PACKAGED_CONFIG.read_text(encoding="utf-8"))
    target.write_text(text + "\n" + extra, encoding="utf-8")
    return target


def open_context(folder: Path, extra: str = "", edit=lambda text: text) -> pipeline.Context:
    return pipeline.Context.open(load(write_config(folder, extra, edit)), lambda: NOW)


def unit_mail(ctx: pipeline.Context, unit: str, when: datetime = SEPT, files=("docx", "pdf"),
              extra_files=(), subject: str | None = None, texts=None, **kw) -> bytes:
    """A unit's report mail for 2026Q3 from its registered address (unless sender=...)."""
    campaign = ctx.config.campaign
    made = {"docx": ("报表.docx", samples.form_docx(campaign, unit, "2026Q3", texts)),
            "pdf": ("盖章.pdf", samples.scanned_pdf())}
    sender = kw.pop("sender", None) or campaign.unit(unit).emails[0]
    return samples.report_mail(sender, campaign.federation_emails[0],
                               subject or f"{unit}三季度进展", when,
                               [made[f] for f in files] + list(extra_files), **kw)


def sent_mails(ctx: pipeline.Context, folder: Path) -> list[email.message.EmailMessage]:
    """Flush the outbox into `folder` and return every mail written there so far."""
    pipeline.flush_outbox(ctx, FolderTransport(folder))
    return [email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
            for p in sorted(folder.glob("*.eml"))]
