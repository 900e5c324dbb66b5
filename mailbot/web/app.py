"""The Flask application: settings, one store connection per server thread, security.

Flask (with waitress) because the rest of mailbot is synchronous and SQLite
connections belong to one thread: a WSGI server with a small thread pool fits
that without an event loop, and Flask's well-kept extensions cover what an
office page needs (signed cookie sessions, Flask-WTF's CSRF).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from flask import Flask
from flask_wtf.csrf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

from mailbot.config import Config
from mailbot.core.dates import local, stamp
from mailbot.web import actions, auth, pages
from mailbot.web.context import Console, console
from mailbot.web.settings import WebSettings

CONTENT_SECURITY = ("default-src 'self'; img-src 'self' data:; style-src 'self'; "
                    "script-src 'none'; form-action 'self'; frame-ancestors 'none'; "
                    "base-uri 'none'")


def create_app(config: Config, clock: Callable[[], datetime], settings: WebSettings) -> Flask:
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=_secret_key(config.store_path.parent / "web-secret"),
        SESSION_COOKIE_NAME="mailbot_session", SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax", SESSION_COOKIE_SECURE=settings.cookie_secure,
        PERMANENT_SESSION_LIFETIME=timedelta(minutes=settings.idle_minutes),
        WTF_CSRF_TIME_LIMIT=None,  # the session's idle timeout bounds the token's life
        MAX_CONTENT_LENGTH=64 * 1024)
    app.extensions["mailbot"] = Console(config, clock, settings)
    if settings.proxy_hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.proxy_hops,
                                x_proto=settings.proxy_hops, x_host=settings.proxy_hops)
    CSRFProtect(app)
    auth.install(app)
    for blueprint in (auth.blueprint, pages.blueprint, actions.blueprint):
        app.register_blueprint(blueprint)
    app.after_request(_secure_headers)
    app.jinja_env.filters["when"] = _when
    return app


def _when(moment: datetime | str | None) -> str:
    """A stored moment (datetime or ISO text) in the campaign's local time, to the minute."""
    if not moment:
        return "—"
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return stamp(local(moment, console().config.campaign.timezone))


def _secure_headers(response):
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def _secret_key(path: Path) -> str:
    """The key that signs session cookies: made once, kept beside the store (0600).

    Kept on disk so a restart does not log everyone out; deleting the file does.
    """
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first
        return path.read_text(encoding="ascii").strip()
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key + "\n")
    return key
