"""The interface language (English or Russian): choice, memory, and date formatting.

The language comes from, in order: ``?ui=`` on any page, the ``ui_lang``
cookie (set by the switch), then the browser's Accept-Language.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from flask import Flask, Response, g, request
from flask_babel import Babel, format_date, get_locale

UI_LANGUAGES = ("en", "ru")
COOKIE = "ui_lang"
#: A year: the choice is a preference, not a session.
COOKIE_MAX_AGE = 365 * 24 * 3600
TRANSLATIONS = Path(__file__).parent / "translations"


def select_locale() -> str:
    asked = request.args.get("ui", "").lower()
    if asked in UI_LANGUAGES:
        g.ui_lang_asked = asked
        return asked
    remembered = request.cookies.get(COOKIE, "")
    if remembered in UI_LANGUAGES:
        return remembered
    return request.accept_languages.best_match(UI_LANGUAGES) or UI_LANGUAGES[0]


def ui_lang() -> str:
    return str(get_locale() or UI_LANGUAGES[0])


def remember(response: Response, lang: str) -> Response:
    response.set_cookie(COOKIE, lang, max_age=COOKIE_MAX_AGE, samesite="Lax", httponly=True)
    return response


def remember_asked(response: Response) -> Response:
    asked = g.get("ui_lang_asked")
    if asked:
        remember(response, asked)
    return response


def local_target(target: str | None) -> str:
    """``target`` if it is a path on this site, else the home page (no open redirect)."""
    if not target:
        return "/"
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in target):
        # A CR or LF cannot go into a Location header (and would split it if it could).
        return "/"
    parts = urlsplit(target)
    # Browsers read a backslash as a slash: "/\\host" is "//host", another site.
    if (parts.scheme or parts.netloc or not target.startswith("/")
            or target.replace("\\", "/").startswith("//")):
        return "/"
    return target


def switch_url(lang: str) -> str:
    """The language switch: a plain link that sets the cookie and comes back here."""
    here = request.full_path.rstrip("?") if request.query_string else request.path
    return f"/ui-language?{urlencode({'ui': lang, 'next': here})}"


def format_day(value: str | dt.date | None, style: str = "long") -> str:
    """A date in the interface language ("21 November 2017", "21 ноября 2017 г.")."""
    if not value:
        return ""
    day = dt.date.fromisoformat(value[:10]) if isinstance(value, str) else value
    return format_date(day, style)


def compile_catalogs() -> None:
    """Compile .po to .mo when a checkout lacks them or has stale ones."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as src:
            catalog = read_po(src)
        with mo.open("wb") as out:
            write_mo(out, catalog)


def init_app(app: Flask) -> None:
    try:
        compile_catalogs()
    except OSError:
        # A read-only install ships the committed .mo files; use them.
        app.logger.warning("could not compile message catalogs; using the shipped ones")
    app.config.setdefault("BABEL_DEFAULT_LOCALE", "en")
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS))
    Babel(app, locale_selector=select_locale)
    app.after_request(remember_asked)
    app.jinja_env.globals.update(ui_lang=ui_lang, switch_url=switch_url, UI_LANGUAGES=UI_LANGUAGES)
    app.jinja_env.filters["day"] = format_day
