"""Sign-in and sign-out."""
from __future__ import annotations

from flask import redirect, render_template, request, url_for

from . import bp, security


@bp.get("/signin")
def signin():
    return render_template("signin.html", next=request.args.get("next", ""), error=None)


@bp.post("/signin")
def signin_post():
    username = request.form.get("username", "")[:80]
    try:
        user = security.check_password(username, request.form.get("password", "")[:1000])
    except security.SignInRefused as exc:
        return render_template("signin.html", next=request.form.get("next", ""), error=exc.message,
                               username=username), exc.status
    security.sign_in(user)
    return redirect(security.safe_next(request.form.get("next")))


@bp.post("/signout")
def signout():
    security.sign_out()  # ends the session server-side too: a copied cookie stops working
    return redirect(url_for("web.signin"))
