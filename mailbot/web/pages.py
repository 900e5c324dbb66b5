"""The pages that only show: 总览, a unit, 待处理, 催报, 汇总表, 运行状态, and downloads."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from flask import (Blueprint, Response, abort, after_this_request, g, render_template, request,
                   send_file)

from mailbot.app import notices
from mailbot.app import review as review_actions
from mailbot.intake.rules import files_of
from mailbot.app.freshness import health
from mailbot.app.machine import survey
from mailbot.app.pipeline import read_attachments, run_checks
from mailbot.core.models import HeldReason, quarter_label
from mailbot.intake.message import parse
from mailbot.outgoing.render import describe_document
from mailbot.outgoing.summary_mail import render_summary
from mailbot.report.content import ReportError
from mailbot.chase.status import current_quarter
from mailbot.report.chart import status_chart
from mailbot.web import labels
from mailbot.web.context import console
from mailbot.web.views import pending, summary_now, unit_view

blueprint = Blueprint("pages", __name__)
FORMATS = {"docx": "DOCX（Word）", "pdf": "PDF", "xlsx": "XLSX（Excel）"}
UNANSWERED_SHOWN = 20  # newest first; `mailbot review` lists them all


@blueprint.app_context_processor
def _common() -> dict:
    """What the layout needs on every page: the quarter list, the waiting count, the words."""
    if not hasattr(g, "user"):
        return {}
    ctx = console().context()
    held, failed = pending(ctx)
    return {"campaign": ctx.config.campaign, "quarter_label": quarter_label,
            "waiting": len(held) + len(failed), "labels": labels,
            "reason_zh": HeldReason.zh_of, "describe_document": describe_document,
            "formats": FORMATS}


def _quarter() -> str:
    """?quarter=, checked against config; else the quarter being collected now."""
    ctx = console().context()
    wanted = request.args.get("quarter")
    names = [q.name for q in ctx.config.campaign.quarters]
    if wanted in names:
        return wanted
    return current_quarter(ctx.config.campaign, ctx.clock())


@blueprint.route("/")
def overview():
    quarter = _quarter()
    return render_template("overview.html", quarter=quarter,
                           summary=summary_now(console().context(), quarter))


@blueprint.route("/chart/<quarter>.png")
def chart(quarter: str):
    if quarter not in {q.name for q in console().config.campaign.quarters}:
        abort(404)
    picture = status_chart(summary_now(console().context(), quarter))
    if picture is None:  # no CJK font: no picture rather than boxes
        abort(404)
    return Response(picture, mimetype="image/png", headers={"Cache-Control": "no-store"})


@blueprint.route("/unit/<name>")
def unit(name: str):
    ctx = console().context()
    if name not in {u.name for u in ctx.config.campaign.units}:
        abort(404)
    quarter = _quarter()
    return render_template("unit.html", quarter=quarter, view=unit_view(ctx, name, quarter))


@blueprint.route("/mail/<int:message>/files")
def mail_files(message: int):
    """The files of one mail read again from the archived copy: the rows each one gives,
    and the files it sent only as links (shown as text, for staff to copy: never fetched)."""
    ctx = console().context()
    record = ctx.store.message(message)
    if record is None:
        abort(404)
    parsed = parse(ctx.store.raw(record.sha256))
    extractions = read_attachments(ctx.config.campaign, files_of(parsed), ctx.config.limits)
    return render_template("files.html", record=record, extractions=extractions,
                           linked=parsed.linked)


@blueprint.route("/review")
def review():
    ctx = console().context()
    held, failed = pending(ctx)
    unanswered = review_actions.unanswered(ctx)
    return render_template("review.html", held=held, failed=failed,
                           unanswered=unanswered[::-1][:UNANSWERED_SHOWN],
                           unanswered_total=len(unanswered),
                           actions=ctx.store.audit_trail()[-20:][::-1])


@blueprint.route("/remind")
def remind():
    ctx = console().context()
    return render_template("remind.html", reminders=notices.reminders_due(ctx),
                           sent=ctx.store.outgoing("reminder")[-50:][::-1])


@blueprint.route("/reports")
def reports():
    ctx = console().context()
    quarter = _quarter()
    mail = render_summary(ctx.config.campaign, summary_now(ctx, quarter), ctx.env, [])
    years = sorted({q.start.year for q in ctx.config.campaign.quarters})
    return render_template("reports.html", quarter=quarter, mail=mail, years=years,
                           now=ctx.clock())


@blueprint.route("/reports/<name>.<fmt>")
def download(name: str, fmt: str):
    """A report made on request from what the store holds now: a quarter, or 2026年度."""
    ctx = console().context()
    quarters = {q.name for q in ctx.config.campaign.quarters}
    year = int(name[:4]) if name.endswith("年度") and name[:4].isdigit() else None
    if fmt not in FORMATS or (name not in quarters and year is None):
        abort(404)
    # the annual view takes every quarter of the year; the quarter argument is then unused
    quarter = name if year is None else ctx.config.campaign.quarters[0].name
    scratch = tempfile.mkdtemp(prefix="mailbot-web-")
    target = Path(scratch) / f"{name}-汇总表.{fmt}"

    @after_this_request
    def _clean(response):
        target.unlink(missing_ok=True)
        os.rmdir(scratch)
        return response

    try:
        made = notices.compile_report(ctx, quarter, target, fmt, year)
    except ReportError as error:
        return render_template("refused.html", title="汇总表未能生成",
                               text=f"汇总表未能生成，请联系管理员。（{error}）"), 500
    return send_file(made, as_attachment=True, download_name=made.name, max_age=0)


@blueprint.route("/system")
def system():
    """运行状态: the last mail read, the worker, the outbox; `check` (logins, parts) on request."""
    ctx = console().context()
    asked = bool(request.args.get("check"))
    return render_template("system.html", last=ctx.store.last_recorded_at(), mailbox=health(ctx),
                           worker=worker_pid(ctx.config.store_path.parent / "mailbot.lock"),
                           counts=ctx.store.outbox_counts(),
                           checks=run_checks(ctx.config) if asked else None,
                           parts=survey() if asked else None,
                           actions=ctx.store.audit_trail()[-20:][::-1])


def worker_pid(lock: Path) -> int | None:
    """The pid the worker's lock file names, if that process is alive."""
    try:
        pid = int(lock.read_text(encoding="ascii").strip() or 0)
    except (OSError, ValueError):
        return None
    if pid <= 0:
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        return pid
    return pid
