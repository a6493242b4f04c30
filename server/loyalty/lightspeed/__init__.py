"""Lightspeed X-Series and R-Series: the store's connection, catalog and customer sync, X-Series webhooks,
R-Series sale polling and its Rewards page (rseries/).

``init_app`` (called by the app factory) registers the webhook endpoint, the catalog enricher that turns a
sale line's product id into its UPC/SKU on the commit path, and the customer enricher that fills a POS
customer's details (the sell screen knows only its id) on the resolve path, and the background work
(background_work.py: the R-Series poll job, POS customers created from the outbox).
"""
from __future__ import annotations

from . import models, rseries  # noqa: F401  (registers the tables)


def init_app(app):
    from ..domain.accounts import register_customer_enricher
    from ..domain.sales import register_enricher
    from . import background_work
    from .catalog import enrich_lines
    from .customers import enrich_customer
    from .rseries.rewards import bp as rseries_bp
    from .webhooks import bp

    app.register_blueprint(bp)
    app.register_blueprint(rseries_bp)
    register_enricher(enrich_lines)
    register_customer_enricher(enrich_customer)
    background_work.init_app(app)  # R-Series polling and POS customers created from the outbox
