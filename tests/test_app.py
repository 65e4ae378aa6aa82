"""The app as a whole: the one error shape, body limits, security headers, Origin, OpenAPI, health."""

from __future__ import annotations

import socket
from typing import Any
from urllib.parse import urlsplit

from ecabinet.api import health, imports, items, meetings, participants, people, session
from tests.api.test_meetings import sample_id
from tests.conftest import LiveServer, error_of, snapshot

API_MODULES = (session, people, meetings, items, participants, imports)


def test_malformed_json_is_400_and_changes_nothing(server: LiveServer, client: Any) -> None:
    """A body that is not JSON answers 400 in the one error shape."""
    c = client("thuky")
    before = snapshot(server.db)
    response = c.post(
        "/api/meetings", content=b'{"kind": "thematic", "title": ', headers={"content-type": "application/json"}
    )
    assert error_of(response) == {
        "ok": False,
        "error": "bad_request",
        "message": "The request body is not valid JSON.",
        "status": 400,
    }
    assert snapshot(server.db) == before


def test_unknown_and_mistyped_fields_are_422_naming_the_field(server: LiveServer, client: Any) -> None:
    """An unknown field, a wrong type and a missing field each answer 422 with the field's name."""
    c = client("thuky")
    before = snapshot(server.db)
    unknown = error_of(c.post("/api/meetings", json={"kind": "thematic", "title": "x", "colour": "red"}))
    assert unknown["status"] == 422 and unknown["message"] == "colour: is not a known field"
    wrong = error_of(c.post("/api/meetings", json={"kind": "thematic", "title": ["x"]}))
    assert wrong["status"] == 422 and wrong["message"].startswith("title:")
    missing = error_of(c.post("/api/meetings", json={"kind": "thematic"}))
    assert missing["message"] == "title: is required" and missing["fields"][0]["field"] == "title"
    naive = error_of(c.post("/api/meetings", json={"kind": "thematic", "title": "x", "starts_at": "2026-12-01T08:00"}))
    assert naive["message"].startswith("starts_at:")
    assert error_of(c.get("/api/meetings/abc"))["status"] == 422
    assert snapshot(server.db) == before


def test_an_oversized_body_is_413_by_its_declared_length(server: LiveServer, client: Any) -> None:
    """A JSON body over the limit is refused before it is read."""
    c = client("thuky")
    big = b'{"kind": "thematic", "title": "' + b"x" * (server.settings.json_body_max_bytes + 10) + b'"}'
    response = c.post("/api/meetings", content=big, headers={"content-type": "application/json"})
    assert error_of(response)["error"] == "payload_too_large"


def test_an_oversized_streamed_body_is_413_while_streaming(server: LiveServer, client: Any) -> None:
    """A chunked body without Content-Length is counted as it arrives and cut off at the limit."""
    c = client("thuky")
    before = snapshot(server.db)

    def chunks() -> Any:
        yield b'{"kind": "thematic", "title": "'
        for _ in range(server.settings.json_body_max_bytes // 65536 + 2):
            yield b"x" * 65536
        yield b'"}'

    response = c.post("/api/meetings", content=chunks(), headers={"content-type": "application/json"})
    assert error_of(response)["status"] == 413
    assert snapshot(server.db) == before


def test_unknown_addresses_and_ids_answer_404_in_the_one_shape(client: Any) -> None:
    """Unknown routes and unknown objects both answer the one error shape."""
    c = client("thuky")
    assert error_of(c.get("/api/nothing-here"))["error"] == "not_found"
    assert error_of(c.get("/api/meetings/424242"))["error"] == "not_found"
    assert error_of(c.put("/api/meetings"))["error"] == "method_not_allowed"


def test_security_headers_are_on_every_answer(server: LiveServer, client: Any) -> None:
    """CSP without inline script, nosniff, frame-ancestors 'none' and a Referrer-Policy, on pages and errors."""
    c = client()
    for path in ("/", "/api/me", "/static/app.js", "/healthz"):
        headers = c.get(path).headers
        csp = headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
        assert headers["x-content-type-options"] == "nosniff" and headers["referrer-policy"]


def test_a_foreign_origin_is_refused_and_no_origin_is_allowed(server: LiveServer, client: Any) -> None:
    """Browsers from another site get 403; scripts (no Origin) and the app's own origin pass."""
    c = client("thuky")
    body = {"kind": "thematic", "title": "Từ trình duyệt"}
    assert error_of(c.post("/api/meetings", json=body, headers={"origin": "https://evil.example"}))["status"] == 403
    assert c.post("/api/meetings", json=body, headers={"origin": server.url}).status_code == 201
    assert c.post("/api/meetings", json=body).status_code == 201
    sign_in = client().post(
        "/api/session", json={"login": "thuky", "password": "demo"}, headers={"origin": "https://evil.example"}
    )
    assert error_of(sign_in)["status"] == 403


def test_openapi_describes_every_route(server: LiveServer, client: Any) -> None:
    """/api/openapi.json lists every API route the app serves, with the error shape."""
    spec = client().get("/api/openapi.json").json()
    documented = {(path, method.upper()) for path, ops in spec["paths"].items() for method in ops}
    served = {
        (path, method)
        for prefix, module in [("/api", m) for m in API_MODULES] + [("", health)]
        for route in module.router.routes
        for method in getattr(route, "methods", set()) - {"HEAD", "OPTIONS"}
        for path in [prefix + getattr(route, "path", "")]
    }
    assert served and served <= documented
    assert {
        "/api/session",
        "/api/meetings/{meeting_id}/transition",
        "/api/meetings/{meeting_id}/items/order",
        "/healthz",
    } <= set(spec["paths"])
    assert "ErrorOut" in spec["components"]["schemas"]


def test_healthz_reports_the_database(client: Any) -> None:
    """GET /healthz answers 200 while the database answers."""
    assert client().get("/healthz").json() == {"ok": True, "database": "up"}


def test_a_half_sent_request_does_not_disturb_others(server: LiveServer, client: Any) -> None:
    """A client that declares a body and stalls does not block other users' requests."""
    parts = urlsplit(server.url)
    with socket.create_connection((parts.hostname, parts.port)) as stalled:
        stalled.sendall(
            b"POST /api/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"
        )
        c = client("thuky")
        assert c.get(f"/api/meetings/{sample_id(c)}/state").status_code == 200


def test_null_in_any_patch_field_is_a_clear_answer(server: LiveServer, client: Any) -> None:
    """Setting any field to null answers 200 (an optional field cleared) or 422, never a server error."""
    from ecabinet.schemas import ItemUpdate, MeetingUpdate, ParticipantUpdate, UserUpdate

    c = client("admin")
    mid = sample_id(c)
    state = c.get(f"/api/meetings/{mid}/state").json()
    user_id = c.get("/api/users", params={"q": "thanhvien9"}).json()[0]["id"]
    targets = [
        (f"/api/meetings/{mid}", MeetingUpdate),
        (f"/api/items/{state['items'][-1]['id']}", ItemUpdate),
        (f"/api/participants/{state['participants'][-1]['id']}", ParticipantUpdate),
        (f"/api/users/{user_id}", UserUpdate),
    ]
    for path, schema in targets:
        for field in schema.model_fields:
            response = c.patch(path, json={field: None})
            assert response.status_code in (200, 422), (path, field, response.text)


def test_errors_speak_the_language_asked_for(server: LiveServer, client: Any) -> None:
    """With Accept-Language: vi the message is Vietnamese, the code and shape unchanged."""
    c = client("thuky")
    mid = c.post("/api/meetings", json={"kind": "thematic", "title": "Họp"}).json()["id"]
    refused = error_of(
        c.post(f"/api/meetings/{mid}/transition", json={"to": "live"}, headers={"accept-language": "vi"})
    )
    assert refused["error"] == "conflict"
    assert (
        refused["message"]
        == "Cuộc họp dự thảo không thể chuyển sang đang họp; chỉ cuộc họp đã lên lịch mới chuyển được."
    )
    missing = error_of(c.post("/api/meetings", json={"kind": "thematic"}, headers={"accept-language": "vi"}))
    assert missing["message"] == "title: bắt buộc phải có"
    anonymous = error_of(client().get("/api/me", headers={"accept-language": "vi-VN,vi"}))
    assert anonymous["message"] == "Vui lòng đăng nhập."


def test_the_service_worker_may_serve_the_whole_app(client: Any) -> None:
    """/static/sw.js is JavaScript allowed the scope "/", so the offline reader can answer for /api/… pages."""
    answer = client("thanhvien1").get("/static/sw.js")
    assert answer.status_code == 200 and "javascript" in answer.headers["content-type"]
    assert answer.headers["service-worker-allowed"] == "/"
    assert answer.headers["cache-control"] == "no-cache"
