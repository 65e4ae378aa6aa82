"""Document and submission events: a member's state plus the events equals the state fetched afterwards."""

from __future__ import annotations

import copy
from collections.abc import Callable

from ecabinet.database import Database
from tests import pdf_samples
from tests.api.test_documents import finished, upload
from tests.realtime.conftest import Live, apply_event, comparable


def test_document_events_replay_onto_the_meeting_state(db: Database, serve: Callable[..., Live]) -> None:
    """Uploads, a new version, an accepted submission and a deleted item reach the member as events, exactly."""
    live = serve(db)
    member, secretary, finance = live.client("thanhvien1"), live.client("thuky"), live.client("phogiamdoc1")
    mid = int(member.get("/api/meetings").json()[0]["id"])
    state = member.get(f"/api/meetings/{mid}/state").json()
    channel = f"meeting:{mid}"
    socket = live.socket(member)
    socket.subscribe(channel, since=state["seq"], epoch=state["epoch"])

    items = state["items"]
    first, doomed = items[0]["id"], items[-1]["id"]
    original = upload(secretary, first, ("Tờ trình.pdf", pdf_samples.paper(pages=2))).json()[0]
    finished(secretary, original["id"])
    revised = upload(
        secretary, first, ("Tờ trình (sửa).pdf", pdf_samples.paper(pages=3)), replaces=original["id"]
    ).json()[0]
    on_doomed = upload(secretary, doomed, ("Phụ lục.pdf", pdf_samples.paper(pages=1))).json()[0]
    finance_item = finance.get("/api/submissions").json()[0]["item"]["id"]
    paper = finance.post(
        f"/api/items/{finance_item}/submissions",
        files=[("file", ("Báo cáo.pdf", pdf_samples.paper(pages=1), "application/pdf"))],
    ).json()[0]
    finished(secretary, revised["id"], on_doomed["id"], paper["document"]["id"])
    decided = secretary.post(f"/api/submissions/{paper['id']}/decision", json={"status": "accepted"})
    assert decided.status_code == 200, decided.text
    assert secretary.delete(f"/api/items/{doomed}").status_code == 204

    fetched = member.get(f"/api/meetings/{mid}/state").json()
    events = socket.events(channel, fetched["seq"] - state["seq"])
    kinds = {e["type"] for e in events}
    assert {"document.added", "document.updated", "submission.updated", "item.deleted"} <= kinds
    replayed = copy.deepcopy(state)
    for event in events:
        apply_event(replayed, event)
    assert comparable(replayed) == comparable(fetched)
    shown = {d["id"] for d in fetched["documents"]}
    assert revised["id"] in shown and paper["document"]["id"] in shown
    assert original["id"] not in shown and on_doomed["id"] not in shown
