"""Health, identity and settings the extension reads."""
from flask import current_app, g, jsonify

from ..i18n import reason_labels
from . import auth, bp


@bp.get("/health")
def health():
    """Liveness: no database, no auth. Also the benchmark's baseline for the framework's own cost."""
    return {"ok": True}


@bp.get("/me")
@auth("cashier")
def me():
    """Who this token (or staff session) is: the extension's "test connection"."""
    return {"name": g.token.name if g.token is not None else g.actor.split(":", 1)[1], "role": g.role,
            "reasons": list(current_app.config["REASONS"]),
            "reason_labels": reason_labels(current_app.config["REASONS"]),
            "server": current_app.config.get("STORE_NAME", "Loyalty Bridge")}


@bp.get("/openapi.json")
def openapi():
    from ..openapi import build_spec

    return jsonify(build_spec(current_app))
