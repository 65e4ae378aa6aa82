"""Error messages in Vietnamese (pure functions)."""

from __future__ import annotations

import re

import pytest

from ecabinet.messages import CATALOG_VI, pick_language, translate


@pytest.mark.parametrize("english", list(CATALOG_VI))
def test_every_template_keeps_its_placeholders(english: str) -> None:
    """The Vietnamese text uses exactly the values its English template names."""
    assert set(re.findall(r"\{(\w+)\}", english)) == set(re.findall(r"\{(\w+)\}", CATALOG_VI[english]))


def test_a_message_with_values_is_translated_with_its_values() -> None:
    """Values inside a message are carried over, and statuses and roles are translated too."""
    assert translate("To become scheduled, the meeting needs a title, a chair.", "vi") == (
        "Để chuyển sang đã lên lịch, cuộc họp cần có: tên cuộc họp, chủ tọa."
    )
    assert translate("Phạm Thị Thu Hà already takes part in this meeting.", "vi") == (
        "Phạm Thị Thu Hà đã có trong thành phần cuộc họp."
    )


def test_english_and_unknown_messages_pass_through() -> None:
    """English is the services' own language; a message without a template stays as it is."""
    assert translate("No such meeting.", "en") == "No such meeting."
    assert translate("Something entirely new happened.", "vi") == "Something entirely new happened."


@pytest.mark.parametrize(
    ("header", "language"),
    [("vi-VN,vi;q=0.9,en;q=0.8", "vi"), ("en-GB", "en"), ("fr-FR, en;q=0.5", "en"), ("", "en"), (None, "en")],
)
def test_the_language_comes_from_accept_language(header: str | None, language: str) -> None:
    """The first of vi or en in Accept-Language wins; otherwise English."""
    assert pick_language(header, "en") == language


def test_a_message_inside_a_message_is_translated_by_its_own_template() -> None:
    """Why a document was rejected is itself a catalog message; a file name is not mangled by the catch-all."""
    assert translate("The document was rejected: The PDF has 50000 pages; at most 2000 are accepted.", "vi") == (
        "Tài liệu bị từ chối: Tệp PDF có 50000 trang; chỉ nhận tối đa 2000 trang."
    )
    assert translate("Not a PDF file: note: draft.docx. Only PDF documents are accepted.", "vi") == (
        "Không phải tệp PDF: note: draft.docx. Chỉ nhận tài liệu PDF."
    )
    assert translate("This paper was already returned.", "vi") == "Hồ sơ này đã được trả lại."


def test_the_catch_all_is_the_last_entry() -> None:
    """Every template is tried before the one that only wraps a validator's own words."""
    assert list(CATALOG_VI)[-1] == "{field}: {detail}"
