"""Sign-in, sign-out, throttling, CSRF, cookie flags and role rules of the staff app."""
import pytest

from loyalty.models import AuditLog, User
from webtools import PASSWORD, Web, new_account, text


def test_pages_need_sign_in(client):
    r = client.get("/accounts/1")
    assert r.status_code == 302 and "/signin" in r.headers["Location"]


def test_sign_in_and_out(app, users):
    web = Web(app.test_client())
    r = web.signin("manager1")
    assert r.status_code == 302 and r.headers["Location"] == "/"
    assert "manager1 (manager)" in text(web.get("/"))
    assert AuditLog.get(AuditLog.action == "auth.signin").actor == "user:manager1"
    web.post("/signout")
    assert web.get("/").status_code == 302


def test_wrong_password_is_refused_and_counted(app, users):
    web = Web(app.test_client())
    r = web.signin("cashier1", "wrong password")
    assert r.status_code == 401
    assert "wrong username or password" in text(r)
    assert User.get(User.username == "cashier1").failed_logins == 1
    assert AuditLog.select().where(AuditLog.action == "auth.signin_failed").count() == 1


def test_unknown_user_gets_the_same_answer(app, users):
    r = Web(app.test_client()).signin("nobody", "whatever")
    assert r.status_code == 401 and "wrong username or password" in text(r)


def test_repeated_failures_lock_the_user_out_even_with_the_right_password(app, users):
    web = Web(app.test_client())
    for _ in range(3):
        assert web.signin("staff1", "nope").status_code == 401
    user = User.get(User.username == "staff1")
    assert user.locked_until is not None
    r = web.signin("staff1", PASSWORD)
    assert r.status_code == 429
    assert "too many failed sign-ins" in text(r)


def test_a_good_sign_in_resets_the_failure_count(app, users):
    web = Web(app.test_client())
    web.signin("staff1", "nope")
    assert web.signin("staff1").status_code == 302
    assert User.get(User.username == "staff1").failed_logins == 0


def test_inactive_user_cannot_sign_in(app, users):
    User.update(active=False).where(User.username == "staff1").execute()
    assert Web(app.test_client()).signin("staff1").status_code == 401


def test_next_only_redirects_within_the_site(app, users):
    web = Web(app.test_client())
    web.client.get("/signin")
    r = web.post("/signin", {"username": "cashier1", "password": PASSWORD, "next": "//evil.example/x"})
    assert r.headers["Location"] == "/"
    web.post("/signout")
    web.client.get("/signin")
    r = web.post("/signin", {"username": "cashier1", "password": PASSWORD, "next": "/?q=dana"})
    assert r.headers["Location"] == "/?q=dana"


def test_post_without_csrf_token_is_refused(manager, api):
    acct = new_account(api)
    r = manager.post(f"/accounts/{acct['id']}/adjust", {"program_id": "1", "quantity": "1", "reason": "x"},
                     csrf=False)
    assert r.status_code == 400
    assert "CSRF" in text(r)
    r = manager.post(f"/accounts/{acct['id']}/adjust", {"csrf_token": "forged", "program_id": "1"}, csrf=False)
    assert r.status_code == 400


def test_sign_in_form_itself_needs_the_token(app, users):
    client = app.test_client()
    r = client.post("/signin", data={"username": "manager1", "password": PASSWORD})
    assert r.status_code == 400


def test_session_cookie_flags(app, users):
    app.config["SESSION_COOKIE_SECURE"] = True
    client = app.test_client()
    cookie = client.get("/signin").headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie


CASHIER_REFUSED = [
    ("post", "/accounts/{a}/unlink"), ("post", "/accounts/{a}/merge"), ("post", "/accounts/{a}/adjust"),
    ("post", "/accounts/{a}/exception"), ("post", "/cards/1/split"), ("get", "/reports/participation"),
    ("get", "/reports/redemptions"), ("post", "/reports/redemptions/credit"), ("get", "/tokens"),
    ("post", "/tokens"), ("get", "/programs/new"), ("post", "/programs/new"), ("get", "/accounts/{a}/edit"),
    ("get", "/programs"),
]


@pytest.mark.parametrize("method,path", CASHIER_REFUSED)
def test_cashier_is_refused(cashier, api, method, path):
    acct = new_account(api)
    path = path.format(a=acct["id"])
    r = cashier.get(path) if method == "get" else cashier.post(path, {"reason": "x", "quantity": "1"})
    assert r.status_code == 403, (path, r.status_code)


@pytest.mark.parametrize("path", ["/reports/participation", "/tokens", "/programs/new"])
def test_staff_is_refused_manager_pages(staff, path):
    assert staff.get(path).status_code == 403


def test_cashier_sees_customers_but_no_manager_forms(cashier, api):
    acct = new_account(api)
    page = text(cashier.get(f"/accounts/{acct['id']}"))
    assert "Sam Rivera" in page
    assert "Merge with another account" not in page and "Adjust punches" not in page
    assert "Participation" not in text(cashier.get("/"))


def test_an_old_session_ends(cashier):
    with cashier.client.session_transaction() as s:
        s["since"] -= 13 * 3600
    r = cashier.get("/")
    assert r.status_code == 302 and "/signin" in r.headers["Location"]


@pytest.mark.parametrize("path", ["/accounts/99999999999999999999", "/accounts/0", "/programs/99999999999999"])
def test_huge_or_zero_ids_are_404_not_500(manager, path):
    assert manager.get(path).status_code == 404


def test_huge_ids_in_forms_are_refused_cleanly(manager, api):
    acct = new_account(api)
    r = manager.post(f"/accounts/{acct['id']}/merge", {"other_account_id": "9" * 30})
    assert r.status_code == 404
    r = manager.get("/reports/participation", query_string={"program": "9" * 30})
    assert r.status_code == 422
    r = manager.post("/reports/redemptions/credit", {"redemption_id": "9" * 30})
    assert r.status_code == 422


def test_pages_forbid_framing_and_scripts(cashier):
    r = cashier.get("/")
    assert r.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in r.headers["Content-Security-Policy"]
    assert "script-src 'none'" in r.headers["Content-Security-Policy"]
    assert r.headers["Cache-Control"] == "no-store"
