"""Lightspeed X-Series integration: the store's connection, catalog and customer sync, and webhooks.

``init_app`` (called by the app factory) registers the webhook endpoint and the catalog enricher that turns a
sale line's product id into its UPC/SKU on the commit path.
"""
from __future__ import annotations

from . import models  # noqa: F401  (registers the tables)


def init_app(app):
    from ..domain.sales import register_enricher
    from .catalog import enrich_lines
    from .webhooks import bp

    app.register_blueprint(bp)
    register_enricher(enrich_lines)
