"""The agenda over HTTP: add, rename, nest, reorder, remove."""

from __future__ import annotations

from typing import Any

from tests.api.test_meetings import sample_id
from tests.conftest import LiveServer, error_of, snapshot


def _order(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"id": i["id"], "parent_id": i["parent_id"]} for i in items]


def test_the_secretary_builds_an_agenda(client: Any) -> None:
    """Items are added at the end, nested under a parent, renamed and given a presenter and time."""
    c = client("thuky")
    mid = c.post("/api/meetings", json={"kind": "thematic", "title": "Chuyên đề"}).json()["id"]
    first = c.post(f"/api/meetings/{mid}/items", json={"title": "Khai mạc", "duration_minutes": 5}).json()
    second = c.post(f"/api/meetings/{mid}/items", json={"title": "Báo cáo"}).json()
    child = c.post(f"/api/meetings/{mid}/items", json={"title": "Thảo luận", "parent_id": second["id"]}).json()
    assert (first["item_number"], second["item_number"], child["item_number"]) == ("1", "2", "2.1")
    presenter = c.get("/api/users", params={"q": "thanhvien1"}).json()[0]
    renamed = c.patch(
        f"/api/items/{second['id']}",
        json={"title": "Báo cáo tổng hợp", "presenter_id": presenter["id"], "duration_minutes": 20},
    ).json()
    assert renamed["title"] == "Báo cáo tổng hợp" and renamed["presenter_name"] == presenter["name"]
    assert renamed["duration_minutes"] == 20


def test_reordering_moves_and_nests_items(client: Any) -> None:
    """POST /items/order sets the whole order and nesting; the numbers follow."""
    c = client("thuky")
    mid = sample_id(c)
    items = c.get(f"/api/meetings/{mid}/items").json()
    tops = [i for i in items if i["parent_id"] is None]
    # Move the last top-level item first, and put the old first one under it.
    last, first = tops[-1], tops[0]
    order = [{"id": last["id"], "parent_id": None}, {"id": first["id"], "parent_id": last["id"]}]
    order += [e for e in _order(items) if e["id"] not in (last["id"], first["id"])]
    # Children of the moved items must follow their parents, so rebuild in reading order.
    response = c.post(f"/api/meetings/{mid}/items/order", json={"items": order})
    assert response.status_code == 200, response.text
    result = response.json()
    assert result[0]["id"] == last["id"] and result[0]["item_number"] == "1"
    assert result[1]["id"] == first["id"] and result[1]["item_number"] == "1.1"
    assert [i["id"] for i in c.get(f"/api/meetings/{mid}/items").json()] == [i["id"] for i in result]


def test_a_bad_order_is_refused_and_changes_nothing(server: LiveServer, client: Any) -> None:
    """An order that leaves out an item or puts a child before its parent answers 422, naming the field."""
    c = client("thuky")
    mid = sample_id(c)
    items = c.get(f"/api/meetings/{mid}/items").json()
    before = snapshot(server.db)
    short = error_of(c.post(f"/api/meetings/{mid}/items/order", json={"items": _order(items)[1:]}))
    assert short["status"] == 422 and short["message"].startswith("items:")
    child = next(i for i in items if i["parent_id"] is not None)
    backwards = [{"id": child["id"], "parent_id": child["parent_id"]}] + [
        e for e in _order(items) if e["id"] != child["id"]
    ]
    assert error_of(c.post(f"/api/meetings/{mid}/items/order", json={"items": backwards}))["status"] == 422
    assert snapshot(server.db) == before


def test_removing_an_item_removes_its_sub_items(client: Any) -> None:
    """DELETE /api/items/{id} takes the item's children with it."""
    c = client("thuky")
    mid = sample_id(c)
    items = c.get(f"/api/meetings/{mid}/items").json()
    parent = next(i for i in items if any(j["parent_id"] == i["id"] for j in items))
    assert c.delete(f"/api/items/{parent['id']}").status_code == 204
    left = c.get(f"/api/meetings/{mid}/items").json()
    assert all(i["id"] != parent["id"] and i["parent_id"] != parent["id"] for i in left)
    assert error_of(c.patch(f"/api/items/{parent['id']}", json={"title": "x"}))["status"] == 404


def test_a_member_cannot_edit_the_agenda(server: LiveServer, client: Any) -> None:
    """Members read the agenda and get 403 for any change to it."""
    c = client("thanhvien1")
    mid = sample_id(c)
    items = c.get(f"/api/meetings/{mid}/items").json()
    before = snapshot(server.db)
    assert error_of(c.post(f"/api/meetings/{mid}/items", json={"title": "x"}))["status"] == 403
    assert error_of(c.patch(f"/api/items/{items[0]['id']}", json={"title": "x"}))["status"] == 403
    assert error_of(c.post(f"/api/meetings/{mid}/items/order", json={"items": _order(items)}))["status"] == 403
    assert error_of(c.delete(f"/api/items/{items[0]['id']}"))["status"] == 403
    assert snapshot(server.db) == before


def test_references_to_unknown_things_are_refused(server: LiveServer, client: Any) -> None:
    """An unknown parent, presenter or meeting answers 4xx and changes nothing."""
    c = client("thuky")
    mid = sample_id(c)
    before = snapshot(server.db)
    assert error_of(c.post(f"/api/meetings/{mid}/items", json={"title": "x", "parent_id": 999999}))["status"] == 422
    assert error_of(c.post(f"/api/meetings/{mid}/items", json={"title": "x", "presenter_id": 999999}))["status"] == 422
    assert error_of(c.post("/api/meetings/999999/items", json={"title": "x"}))["status"] == 404
    assert error_of(c.patch("/api/items/999999", json={"title": "x"}))["status"] == 404
    assert snapshot(server.db) == before
