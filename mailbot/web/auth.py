"""Logging in and out, the session's idle timeout, roles, and the refusals' pages.

A session is a signed, HttpOnly, SameSite cookie holding the user's name and
when it was last used; every page but /login, /healthz and the stylesheet needs
one. Failed logins are counted in the store per address and name (web.throttle):
from the fifth in a row each makes the next attempt wait longer (30 s, doubling up
to an hour), and a restart forgets nothing.
"""

from __future__ import annotations

import functools
import math
import time
from datetime import datetime, timezone

from flask import (Blueprint, abort, flash, g, redirect, render_template, request, session,
                   url_for)
from flask_wtf.csrf import CSRFError

from mailbot.chase.summary import COLOURS
from mailbot.core.dates import local, time_of_day
from mailbot.web import throttle
from mailbot.web.context import console
from mailbot.web.settings import check_password

blueprint = Blueprint("auth", __name__)
OPEN_ENDPOINTS = {"auth.login", "auth.healthz", "auth.state_colours", "static"}
WRONG = "用户名或密码不正确。"


@blueprint.route("/healthz")
def healthz():
    return "ok\n", 200, {"Content-Type": "text/plain; charset=utf-8"}


@blueprint.route("/states.css")
def state_colours():
    """The status colours of the summary mail, as classes (the CSP forbids inline styles)."""
    rules = "".join(f".state-{state} {{ background: {back}; color: {ink}; }}\n"
                    for state, (back, ink) in COLOURS.items())
    return rules, 200, {"Content-Type": "text/css; charset=utf-8"}


@blueprint.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "GET":
        return render_template("login.html")
    name = request.form.get("username", "").strip()
    keys = throttle.keys(request.remote_addr or "", name)
    store, now = console().context().store, datetime.now(timezone.utc)
    if until := throttle.open_at(store.login_failures(keys), keys, now):
        return _slowed(until, now)  # the password is not even checked while the wait runs
    user = check_password(console().settings, name, request.form.get("password", ""))
    if user is None:
        store.note_login_failure(keys, now, now - throttle.FORGET_AFTER)
        until = throttle.open_at(store.login_failures(keys), keys, now)
        return render_template("login.html", error=WRONG + (_wait_words(until, now)
                                                            if until else "")), 401
    store.forget_login_failures(keys)
    session.clear()
    session.permanent = True
    session.update(user=user.name, seen=time.time())
    return redirect(_safe_next(request.args.get("next")))


def _slowed(until: datetime, now: datetime):
    return (render_template("login.html", error=_wait_words(until, now)), 429,
            {"Retry-After": str(math.ceil((until - now).total_seconds()))})


def _wait_words(until: datetime, now: datetime) -> str:
    """When to try again, in the campaign's local time and as a span."""
    seconds = math.ceil((until - now).total_seconds())
    span = f"{seconds}秒" if seconds < 60 else f"{math.ceil(seconds / 60)}分钟"
    at = time_of_day(local(until, console().config.campaign.timezone))
    return (f"登录失败次数过多，为防止他人猜测密码，请在{at}以后（约{span}后）再试；"
            "再次输错，等待时间会加长。忘记密码请联系管理员。")


@blueprint.route("/logout", methods=["POST"])
def logout():
    session.clear()
    flash("您已退出登录。")
    return redirect(url_for("auth.login"))


def _safe_next(target: str | None) -> str:
    """Only a path on this site: never an open redirect to another host."""
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("pages.overview")


def install(app) -> None:
    app.before_request(_require_session)
    app.register_error_handler(CSRFError, _csrf_refused)
    app.register_error_handler(403, _forbidden)
    app.register_error_handler(404, _not_found)


def _require_session():
    if request.endpoint in OPEN_ENDPOINTS:
        return None
    settings = console().settings
    user = settings.user(session.get("user", ""))
    idle = time.time() - session.get("seen", 0) > settings.idle_minutes * 60
    if user is None or idle:
        # only the login is dropped: clearing the whole session here would also drop
        # the login form's CSRF token whenever the browser asks for /favicon.ico
        session.pop("user", None)
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    session["seen"] = time.time()
    g.user = user
    return None


def staff_only(view):
    """Actions: refused (403) for the read-only role."""

    @functools.wraps(view)
    def guarded(*args, **kwargs):
        if not g.user.role.may_act:
            abort(403)
        return view(*args, **kwargs)

    return guarded


def actor() -> str:
    """Who acted, for the audit trail shared with `mailbot review`."""
    return f"{g.user.name}（网页）"


def _csrf_refused(_error):
    return render_template("refused.html", title="请求未被接受",
                           text="页面已过期或缺少安全校验，请返回后刷新页面再试。"), 400


def _forbidden(_error):
    return render_template("refused.html", title="无权操作",
                           text="您的账号为只读账号，只能查看，不能进行操作。"), 403


def _not_found(_error):
    return render_template("refused.html", title="页面不存在",
                           text="没有找到您要的页面，请从总览重新进入。"), 404
