"""What the minutes and invitation say: the letterhead, offices, attendance and dates, in Vietnamese."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ecabinet.minutes import attendance_text, day_month_year, letterhead, office_of
from ecabinet.schemas import ParticipantOut


def person(**fields: Any) -> ParticipantOut:
    base: dict[str, Any] = {
        "id": 1,
        "meeting_id": 1,
        "user_id": 1,
        "name": "Hoàng Thị Lan Anh",
        "title": "Giám đốc Sở Tài chính",
        "unit_id": 1,
        "unit_name": "Sở Tài chính",
        "role": "member",
        "can_vote": True,
        "substitute_id": None,
        "substitute_name": None,
        "attendance": "expected",
        "absence_reason": "",
        "checked_in_at": None,
        "by_substitute": False,
    }
    return ParticipantOut(**{**base, **fields})


def test_the_letterhead_breaks_after_the_kind_of_body_in_capitals() -> None:
    """ "Ủy ban nhân dân thành phố Hà Nội" heads the page as two lines of capitals, with full diacritics."""
    assert letterhead("Ủy ban nhân dân thành phố Hà Nội") == ("", "ỦY BAN NHÂN DÂN\nTHÀNH PHỐ HÀ NỘI")
    assert letterhead("Văn phòng UBND Thành phố") == ("", "VĂN PHÒNG UBND THÀNH PHỐ")


def test_an_office_names_the_unit_only_where_the_title_lacks_it() -> None:
    """A director's title already names the department; a specialist's does not."""
    assert office_of(person()) == "Giám đốc Sở Tài chính"
    assert office_of(person(title="Chuyên viên")) == "Chuyên viên, Sở Tài chính"
    assert office_of(person(title="", unit_name=None)) == ""


def test_attendance_reads_as_the_minutes_need_it() -> None:
    """Present, present through a substitute, absent with a reason; not checked in is absent once it is over."""
    assert attendance_text(person(attendance="present"), final=True) == "Có mặt"
    substitute = person(attendance="present", by_substitute=True, substitute_name="Trần Văn Bình")
    assert attendance_text(substitute, final=True) == "Dự thay: Trần Văn Bình"
    away = person(attendance="absent", absence_reason="đi công tác")
    assert attendance_text(away, final=False) == "Vắng (đi công tác)"
    assert attendance_text(person(), final=False) == "Chưa điểm danh"
    assert attendance_text(person(), final=True) == "Vắng"


def test_dates_have_two_digit_days_and_months() -> None:
    """Decree 30 writes 05/01/2027."""
    assert day_month_year(dt.date(2027, 1, 5)) == "05/01/2027"
