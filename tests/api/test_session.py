"""Sign-in, sessions, CSRF and the sign-in rate limit, over real HTTP."""

from __future__ import annotations

from typing import Any

import httpx
import sqlalchemy as sa

from tests.conftest import Client, LiveServer, error_of


def test_sign_in_sets_an_httponly_cookie_and_returns_the_csrf_token(server: LiveServer, client: Any) -> None:
    """POST /api/session answers the user and a CSRF token and sets a signed HttpOnly SameSite cookie."""
    c: Client = client()
    response = c.post("/api/session", json={"login": "ThuKy", "password": "demo"})
    assert response.status_code == 200
    body = response.json()
    assert body["user"]["login"] == "thuky" and body["csrf_token"] and body["language"] == "vi"
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "secure" not in cookie
    me = c.get("/api/me")
    assert me.status_code == 200 and me.json()["csrf_token"] == body["csrf_token"]


def test_a_wrong_password_is_refused_without_saying_which_part(client: Any) -> None:
    """Wrong password and unknown login answer the same 401."""
    c = client()
    wrong = error_of(c.post("/api/session", json={"login": "thuky", "password": "nope"}))
    unknown = error_of(c.post("/api/session", json={"login": "nobody", "password": "nope"}))
    assert wrong == unknown and wrong["status"] == 401


def test_requests_without_a_session_get_401(client: Any) -> None:
    """The API needs a signed-in user."""
    assert error_of(client().get("/api/meetings"))["error"] == "unauthorized"


def test_sign_out_ends_the_session_on_the_server(server: LiveServer, client: Any) -> None:
    """After DELETE /api/session the old cookie no longer works, even if replayed."""
    c = client("thuky")
    cookie = c.cookies.get("ecabinet_session")
    assert c.delete("/api/session").status_code == 204
    replay = httpx.get(f"{server.url}/api/me", cookies={"ecabinet_session": cookie}, trust_env=False)
    assert replay.status_code == 401


def test_the_session_id_rotates_at_sign_in(server: LiveServer, client: Any) -> None:
    """Signing in again replaces the session; the cookie from before stops working."""
    c = client("thuky")
    old = c.cookies.get("ecabinet_session")
    c.sign_in("thuky")
    assert c.cookies.get("ecabinet_session") != old
    replay = httpx.get(f"{server.url}/api/me", cookies={"ecabinet_session": old}, trust_env=False)
    assert replay.status_code == 401


def test_a_forged_cookie_is_refused(server: LiveServer) -> None:
    """A cookie not signed by the server is no session."""
    response = httpx.get(f"{server.url}/api/me", cookies={"ecabinet_session": "abc.def"}, trust_env=False)
    assert response.status_code == 401


def test_state_changes_need_the_csrf_token(server: LiveServer, client: Any) -> None:
    """A missing or wrong X-CSRF-Token answers 403 and changes nothing."""
    c = client("thuky")
    for token in (None, "wrong"):
        if token is None:
            del c.headers["X-CSRF-Token"]
        else:
            c.headers["X-CSRF-Token"] = token
        response = c.post("/api/meetings", json={"kind": "thematic", "title": "x"})
        assert error_of(response)["status"] == 403 and "X-CSRF-Token" in response.json()["message"]
    with server.db.read() as session:
        assert session.execute(sa.text("SELECT count(*) FROM meeting WHERE title = 'x'")).scalar_one() == 0


def test_sign_in_is_rate_limited_per_account_and_address(server: LiveServer, client: Any) -> None:
    """After too many failures an account is locked for that address; other accounts are not."""
    c = client()
    for _ in range(server.settings.login_max_failures):
        assert c.post("/api/session", json={"login": "thanhvien1", "password": "bad"}).status_code == 401
    locked = c.post("/api/session", json={"login": "thanhvien1", "password": "demo"})
    assert error_of(locked)["error"] == "rate_limited" and locked.headers["retry-after"]
    assert c.post("/api/session", json={"login": "thanhvien2", "password": "demo"}).status_code == 200


def test_a_disabled_account_is_signed_out(server: LiveServer, client: Any) -> None:
    """An administrator disabling an account ends its sessions at once."""
    member = client("thanhvien3")
    admin = client("admin")
    me = member.get("/api/me").json()["user"]
    assert admin.patch(f"/api/users/{me['id']}", json={"active": False}).status_code == 200
    assert member.get("/api/me").status_code == 401
    assert client().post("/api/session", json={"login": "thanhvien3", "password": "demo"}).status_code == 401


def test_the_language_preference_is_kept(client: Any) -> None:
    """PATCH /api/me stores the UI language, and sign-in returns it."""
    c = client("thanhvien4")
    assert c.patch("/api/me", json={"language": "en"}).json()["language"] == "en"
    assert client().post("/api/session", json={"login": "thanhvien4", "password": "demo"}).json()["language"] == "en"
    assert c.patch("/api/me", json={"language": "fr"}).status_code == 422
