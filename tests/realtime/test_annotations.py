"""Annotations over the websocket: a private one reaches its author's devices and no one else's socket."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from ecabinet.database import Database
from tests import pdf_samples
from tests.api.test_documents import uploaded
from tests.realtime.conftest import Live


def test_a_private_annotation_reaches_its_authors_devices_and_no_other_socket(
    db: Database, serve: Callable[..., Live]
) -> None:
    """Another member following the meeting hears the shared annotation and never the private one, and may not
    subscribe to the author's channel (refused as a channel that does not exist); the author's second device
    hears both on the author's own channel, the private one's content included."""
    live = serve(db)
    secretary, author, other = live.client("thuky"), live.client("thanhvien1"), live.client("thanhvien2")
    mid = int(author.get("/api/meetings").json()[0]["id"])
    item = author.get(f"/api/meetings/{mid}/items").json()[0]["id"]
    doc = uploaded(secretary, item, "Tờ trình.pdf", pdf_samples.paper(pages=2))
    me = author.get("/api/me").json()["user"]["id"]
    listener, second_device = live.socket(other), live.socket(live.client("thanhvien1"))
    assert listener.subscribe(f"meeting:{mid}")["op"] == "subscribed"
    refused = listener.subscribe(f"user:{me}")
    assert refused["op"] == "error", refused
    assert second_device.subscribe(f"user:{me}")["op"] == "subscribed"

    body = {"document_id": doc["id"], "page": 1, "kind": "note", "geometry": {"rect": [72, 72, 96, 96]}}
    private, shared = str(uuid.uuid4()), str(uuid.uuid4())
    assert author.put(f"/api/annotations/{private}", json={**body, "body": "Riêng tư tuyệt đối"}).status_code == 201
    made = author.put(f"/api/annotations/{shared}", json={**body, "body": "Ý kiến chung", "visibility": "shared"})
    assert made.status_code == 201

    heard = listener.until(lambda m: m["op"] == "event" and m["type"] == "annotation.updated")
    assert heard["data"]["annotation"]["uuid"] == shared
    own = [second_device.until(lambda m: m["op"] == "event")["data"]["annotation"] for _ in range(2)]
    assert [(a["uuid"], a["body"]) for a in own] == [(private, "Riêng tư tuyệt đối"), (shared, "Ý kiến chung")]
    # Events on a channel arrive in order, so a private one on the meeting would have come first; and nothing
    # follows: a ping sent now is answered before any other event.
    listener.send({"op": "ping"})
    after = listener.until(lambda m: m["op"] in ("pong", "event"))
    assert after["op"] == "pong", after
    assert all("Riêng tư" not in str(m) for m in listener.seen)
