"""The language switch in every page's header: a signed-in user's choice is kept on their user row (so it follows
them to any till PC); before sign-in it is kept in the session."""
from __future__ import annotations

from flask import g, redirect, request, session

from ..audit import record
from ..db import write_transaction
from ..i18n import normalize_language
from ..models import User
from . import bp, security


@bp.post("/language")
def set_language():
    language = normalize_language(request.form.get("language"))  # None: back to the store's default
    user = security.current_user()
    if user is None:
        if language:
            session["language"] = language
        else:
            session.pop("language", None)
    else:
        with write_transaction():
            User.update(language=language).where(User.id == user.id).execute()
            record(f"user:{user.username}", "user.language", "user", user.id, language=language)
    return redirect(security.safe_next(request.form.get("next")))
