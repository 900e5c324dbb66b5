"""Logging in and out, the session's idle timeout, roles, and the refusals' pages.

A session is a signed, HttpOnly, SameSite cookie holding the user's name and
when it was last used; every page but /login, /healthz and the stylesheet needs
one. Failed logins are counted per address and name (Flask-Limiter): after five
in fifteen minutes the form refuses for the rest of the window.
"""

from __future__ import annotations

import functools
import time

from flask import (Blueprint, abort, flash, g, redirect, render_template, request, session,
                   url_for)
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFError

from mailbot.chase.summary import COLOURS
from mailbot.web.context import console, limiter
from mailbot.web.settings import check_password

blueprint = Blueprint("auth", __name__)
OPEN_ENDPOINTS = {"auth.login", "auth.healthz", "auth.state_colours", "static"}
LOGIN_LIMIT = "5 per 15 minutes"


def _login_key() -> str:
    return f"{get_remote_address()}|{request.form.get('username', '')}"


def _failed(response) -> bool:
    return response.status_code == 401


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
@limiter.limit(LOGIN_LIMIT, key_func=_login_key, methods=["POST"], deduct_when=_failed)
@limiter.limit("20 per 15 minutes", key_func=get_remote_address, methods=["POST"],
               deduct_when=_failed)
def login():
    if request.method == "GET":
        return render_template("login.html")
    user = check_password(console().settings, request.form.get("username", "").strip(),
                          request.form.get("password", ""))
    if user is None:
        return render_template("login.html", error="用户名或密码不正确。"), 401
    session.clear()
    session.permanent = True
    session.update(user=user.name, seen=time.time())
    return redirect(_safe_next(request.args.get("next")))


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
    app.register_error_handler(429, _too_many)
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


def _too_many(_error):
    return render_template("login.html",
                           error="登录失败次数过多，请15分钟后再试，或联系管理员。"), 429


def _forbidden(_error):
    return render_template("refused.html", title="无权操作",
                           text="您的账号为只读账号，只能查看，不能进行操作。"), 403


def _not_found(_error):
    return render_template("refused.html", title="页面不存在",
                           text="没有找到您要的页面，请从总览重新进入。"), 404
