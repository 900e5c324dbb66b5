"""The console's actions: the same functions as `mailbot review`, `remind` and `compile --send`.

Every action is a POST with the CSRF token, refused for the read-only role, asks
for a confirmation first (a page saying what will happen, no JavaScript), then
shows its result on the page it came from. Each is recorded in the audit trail.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from mailbot.app import notices, pipeline, review
from mailbot.app.freshness import read_mailbox
from mailbot.core.models import quarter_label
from mailbot.web.context import console
from mailbot.web.auth import actor, staff_only
from mailbot.core.models import MailState

blueprint = Blueprint("actions", __name__)


def _confirmed(title: str, text: str, button: str):
    """None once the user confirmed; else the confirmation page to show."""
    if request.form.get("confirm") == "1":
        return None
    return render_template("confirm.html", title=title, text=text, button=button,
                           fields={k: v for k, v in request.form.items()
                                   if k not in ("confirm", "csrf_token")})


def _back(default: str):
    target = request.form.get("back", "")
    if target.startswith("/") and not target.startswith("//"):
        return redirect(target)
    return redirect(default)


def _mail(message: int):
    record = console().context().store.message(message)
    return f"《{record.subject or '（无主题）'}》（{record.sender}）" if record else f"第{message}号邮件"


@blueprint.route("/review/<int:message>/accept", methods=["POST"])
@staff_only
def accept(message: int):
    unit, quarter = request.form.get("unit") or None, request.form.get("quarter") or None
    where = f"{unit or '邮件所署单位'}{quarter_label(quarter) if quarter else ''}"
    if page := _confirmed("确认登记", f"将邮件{_mail(message)}登记为{where}的报送。", "确认登记"):
        return page
    return _review(lambda ctx: review.accept(ctx, message, unit, quarter, actor()))


@blueprint.route("/review/<int:message>/reassign", methods=["POST"])
@staff_only
def reassign(message: int):
    unit, quarter = request.form.get("unit") or None, request.form.get("quarter") or None
    where = f"{unit or ''}{quarter_label(quarter) if quarter else ''}"
    if page := _confirmed("确认改为其他单位或季度", f"将邮件{_mail(message)}改为登记为{where}的报送；"
                          "它原来计入的单位和季度不再计入这封邮件。", "确认改登记"):
        return page
    return _review(lambda ctx: review.reassign(ctx, message, unit, quarter, actor()))


@blueprint.route("/review/<int:message>/reject", methods=["POST"])
@staff_only
def reject(message: int):
    reason = request.form.get("reason", "").strip()
    if page := _confirmed("确认退回", f"退回邮件{_mail(message)}，它将不再计入任何单位。"
                          f"理由：{reason or '（未填写）'}", "确认退回"):
        return page
    return _review(lambda ctx: review.reject(ctx, message, reason, actor()))


@blueprint.route("/review/<int:message>/confirm-seal", methods=["POST"])
@staff_only
def confirm_seal(message: int):
    if page := _confirmed("确认已盖章", f"确认邮件{_mail(message)}所附PDF已加盖公章（人工确认已盖章，"
                          "记录操作人和时间）。", "确认已盖章"):
        return page
    return _review(lambda ctx: review.confirm_seal(ctx, message, actor()))


@blueprint.route("/review/<int:message>/confirm-copy", methods=["POST"])
@staff_only
def confirm_copy(message: int):
    reason = request.form.get("reason", "").strip()
    if page := _confirmed("确认盖章版即本报表", f"确认邮件{_mail(message)}所附盖章版虽经核对与电子版"
                          "不符，但经人工核实确为本单位本季度的报表，按已收到盖章版计"
                          f"（记录操作人和时间）。说明：{reason or '（未填写）'}", "确认盖章版"):
        return page
    return _review(lambda ctx: review.confirm_copy(ctx, message, actor(), reason))


@blueprint.route("/review/<int:message>/requeue", methods=["POST"])
@staff_only
def requeue(message: int):
    if page := _confirmed("确认重新处理", f"按存档原件重新处理邮件{_mail(message)}。", "确认重新处理"):
        return page
    return _review(lambda ctx: review.requeue(ctx, message, actor()))


@blueprint.route("/outgoing/<int:outgoing>/resend", methods=["POST"])
@staff_only
def resend(outgoing: int):
    if page := _confirmed("确认重新发送", f"重新发送第{outgoing}号发出邮件。", "确认重新发送"):
        return page
    return _review(lambda ctx: review.resend(ctx, outgoing, actor()))


def _review(action):
    try:
        outcome = action(console().context())
    except review.ReviewError as error:  # the refusal's own words, as the command line says them
        flash(f"未能执行：{error}", "error")
    else:
        flash(_outcome_words(outcome), "ok")
    return _back(url_for("pages.review"))


def _outcome_words(outcome: pipeline.Outcome | None) -> str:
    if outcome is None:
        return "已完成。"
    if outcome.state == MailState.REJECTED:
        return "已退回，这封邮件不再计入任何单位。"
    if outcome.state == MailState.DONE:
        return f"已登记为{outcome.unit}{quarter_label(outcome.quarter)}的报送（{outcome.why.zh}）。"
    return f"已处理，结果：{MailState(outcome.state).zh}。"


@blueprint.route("/remind", methods=["POST"])
@staff_only
def remind():
    unit = request.form.get("unit") or None
    if page := _confirmed("确认立即提醒", f"立即向{unit or '所有应提醒的单位'}发送今天应发的提醒。"
                          "同一阶段的提醒不会重复发送。", "确认发送"):
        return page
    ctx = console().context()
    if not _read_first(ctx):
        return _back(url_for("pages.remind"))
    result = notices.remind_now(ctx, ctx.transport, unit=unit, actor=actor())
    if not result.queued:
        flash("没有需要发送的提醒：今天这一阶段的提醒已经发过，或该单位已报送。", "ok")
    else:
        flash(f"已发出提醒{result.queued}封（{'、'.join(r.unit for r in result.reminders)}）"
              + (f"；{result.failed}封暂未发出，稍后自动重试。" if result.failed else "。"),
              "error" if result.failed else "ok")
    return _back(url_for("pages.remind"))


def _read_first(ctx) -> bool:
    """As `remind` and `compile --send` do: decide only from a mailbox read up to now."""
    try:
        if read_mailbox(ctx, ctx.source) is not None:
            return True
    finally:
        ctx.source.close()  # the console's context lives on: no idle connection kept
    flash("邮箱暂时无法读取，为免按过时的情况发信，本次没有发送。请到“运行状态”查看原因。", "error")
    return False


@blueprint.route("/reports/<quarter>/send", methods=["POST"])
@staff_only
def send_summary(quarter: str):
    ctx = console().context()
    if quarter not in {q.name for q in ctx.config.campaign.quarters}:
        flash("没有这个季度。", "error")
        return redirect(url_for("pages.reports"))
    if page := _confirmed("确认发送汇总", f"立即把{quarter_label(quarter)}的汇总邮件（附汇总表）"
                          "发送给妇联的邮箱。", "确认发送"):
        return page
    if not _read_first(ctx):
        return redirect(url_for("pages.reports", quarter=quarter))
    result = notices.send_summary(ctx, ctx.transport, quarter, actor())
    flash("汇总邮件已发出。" if not result.failed else "汇总邮件暂未发出，稍后自动重试。",
          "error" if result.failed else "ok")
    return redirect(url_for("pages.reports", quarter=quarter))
