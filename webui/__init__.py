"""The Pressroom web application: HTML pages, their JSON twins, and ingest.

``create_app`` is the application factory (Flask's flaskr pattern): settings
come from ``indexer.settings`` (defaults, then ``PRESSROOM_*`` environment
variables), then from ``test_config``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

from webui.settings import setting

#: Settings of ``indexer.settings`` the web application reads.
APP_SETTINGS = ("INDEX", "ADMIN_TOKEN", "MAX_UPLOAD_BYTES", "PAGE_CACHE_SIZE")


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    app = Flask(__name__)
    for name in APP_SETTINGS:
        app.config[name] = setting(name)
    app.config["JSON_SORT_KEYS"] = False
    app.json.sort_keys = False  # keep the search layer's key order in the API
    app.json.ensure_ascii = False  # Russian text stays readable in the JSON twins
    if test_config:
        app.config.update(test_config)
    # Werkzeug enforces the body limit while reading, before anything is parsed.
    app.config["MAX_CONTENT_LENGTH"] = int(app.config["MAX_UPLOAD_BYTES"])

    from webui import (
        api,
        archive,
        entities,
        errors,
        i18n,
        ingest,
        pagecache,
        pages,
        research,
        security,
    )

    archive.init_app(app)
    pagecache.init_app(app)
    i18n.init_app(app)
    errors.init_app(app)
    security.init_app(app)
    app.register_blueprint(pages.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(ingest.bp)
    app.register_blueprint(entities.bp)
    research.init_app(app)
    return app
