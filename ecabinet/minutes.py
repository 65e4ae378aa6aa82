"""What the minutes (biên bản) and the invitation (giấy mời) say, in Vietnamese, from a meeting's record.

Pure: the records service gathers a `MeetingRecord` from the database; these functions turn it into an
`OfficialDocument` that `official_pdf` lays out per Decree 30/2020.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ecabinet.official_document import Block, OfficialDocument, SignatureBlock
from ecabinet.record_schemas import ConclusionOut
from ecabinet.schemas import ItemOut, ParticipantOut, QuorumOut
from ecabinet.vote_schemas import PollResult

WEEKDAYS = ("thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật")
ROLES = {
    "chair": "Chủ tọa",
    "secretary": "Thư ký",
    "member": "Thành viên",
    "invitee": "Khách mời",
    "site": "Điểm cầu",
    "observer": "Dự thính",
}


@dataclass(frozen=True)
class Vote:
    """A closed poll as the minutes report it: what was asked, on which items, and the result at its close."""

    item_ids: list[int]
    question: str
    options: list[tuple[str, str]]
    secret: bool
    result: PollResult | None


@dataclass(frozen=True)
class MeetingRecord:
    """Everything the minutes or invitation of one meeting draw on, gathered at one moment."""

    issuer: str
    place_name: str
    title: str
    place: str
    starts_at: dt.datetime | None
    ended_at: dt.datetime | None
    status: str
    items: list[ItemOut]
    participants: list[ParticipantOut]
    quorum: QuorumOut
    votes: list[Vote] = field(default_factory=list)
    conclusions: list[ConclusionOut] = field(default_factory=list)


def letterhead(issuer: str) -> tuple[str, str]:
    """("", "ỦY BAN NHÂN DÂN\\nTHÀNH PHỐ HÀ NỘI") for "Ủy ban nhân dân thành phố Hà Nội": the body's name in
    capitals, broken after "Ủy ban nhân dân" as letterheads are."""
    upper = issuer.upper()
    head = "ỦY BAN NHÂN DÂN"
    if upper.startswith(head + " "):
        return "", f"{head}\n{upper[len(head) + 1 :]}"
    return "", upper


def day_month_year(day: dt.date) -> str:
    return f"{day.day:02d}/{day.month:02d}/{day.year}"


def clock(at: dt.datetime) -> str:
    return f"{at.hour:02d} giờ {at.minute:02d}"


def _name(people: list[ParticipantOut], role: str) -> str:
    return next((p.name for p in people if p.role == role), "")


def attendance_text(p: ParticipantOut, final: bool) -> str:
    if p.attendance == "present":
        return f"Dự thay: {p.substitute_name}" if p.by_substitute and p.substitute_name else "Có mặt"
    if p.attendance == "absent" or final:
        # Once the meeting is over, whoever never checked in was absent.
        return f"Vắng ({p.absence_reason})" if p.absence_reason else "Vắng"
    return "Chưa điểm danh"


def office_of(p: ParticipantOut) -> str:
    """ "Giám đốc Sở Tài chính", not "Giám đốc Sở Tài chính, Sở Tài chính": the unit only where the title lacks it."""
    unit = p.unit_name or ""
    if not p.title:
        return unit
    return p.title if not unit or unit.lower() in p.title.lower() else f"{p.title}, {unit}"


def _vote_rows(vote: Vote) -> tuple[tuple[str, ...], ...]:
    tally = vote.result.tally if vote.result else {}
    header = ("Nội dung biểu quyết", *(label for _id, label in vote.options), "Kết quả")
    outcome = "Chưa kết thúc" if vote.result is None else _adopted(vote.result.adopted)
    return header, (vote.question, *(str(tally.get(o, 0)) for o, _label in vote.options), outcome)


def _adopted(adopted: bool) -> str:
    return "Thông qua" if adopted else "Không thông qua"


def _when(at: dt.datetime) -> str:
    """ "08 giờ 00, thứ Năm, ngày 03/12/2026" """
    return f"{clock(at)}, {WEEKDAYS[at.weekday()]}, ngày {day_month_year(at.date())}"


def minutes_document(record: MeetingRecord, number: str, draft: bool, zone: dt.tzinfo) -> OfficialDocument:
    """The minutes: time and place, attendance with substitutes, and per item its votes and conclusions."""
    parent, issuer = letterhead(record.issuer)
    start = record.starts_at.astimezone(zone) if record.starts_at else None
    blocks: list[Block] = [Block("heading", "I. THỜI GIAN, ĐỊA ĐIỂM")]
    if start is not None:
        blocks.append(
            Block(
                "paragraph",
                f"Thời gian: bắt đầu lúc {_when(start)}.",
            )
        )
    blocks.append(Block("paragraph", f"Địa điểm: {record.place or record.place_name}."))
    people = record.participants
    blocks.append(Block("heading", "II. THÀNH PHẦN THAM DỰ"))
    blocks.append(Block("paragraph", f"Chủ tọa: {_name(people, 'chair')}. Thư ký: {_name(people, 'secretary')}."))
    q = record.quorum
    blocks.append(
        Block(
            "paragraph",
            f"Số thành viên có mặt: {q.present}/{q.members} (cần {q.required} để đủ điều kiện tiến hành: "
            f"{'đủ' if q.met else 'không đủ'}).",
        )
    )
    rows: list[tuple[str, ...]] = [("STT", "Họ và tên", "Chức vụ, đơn vị", "Vai trò", "Tham dự")]
    for n, p in enumerate(people, 1):
        rows.append((str(n), p.name, office_of(p), ROLES.get(p.role, p.role), attendance_text(p, not draft)))
    blocks.append(Block("table", rows=tuple(rows), widths=(0.6, 2.4, 3.0, 1.4, 2.0)))
    blocks.append(Block("heading", "III. NỘI DUNG"))
    for item in record.items:
        blocks.append(Block("heading", f"{item.item_number}. {item.title}"))
        if item.presenter_unit_name or item.presenter_name:
            blocks.append(Block("paragraph", f"Trình bày: {item.presenter_name or item.presenter_unit_name}."))
        for vote in (v for v in record.votes if item.id in v.item_ids):
            header, line = _vote_rows(vote)
            blocks.append(Block("paragraph", f"Biểu quyết ({'bỏ phiếu kín' if vote.secret else 'công khai'}):"))
            blocks.append(Block("table", rows=(header, line)))
            if vote.result is not None:
                r = vote.result
                blocks.append(
                    Block(
                        "paragraph",
                        f"Kết quả: {_adopted(r.adopted)}; {r.cast}/{r.eligible} "
                        f"thành viên biểu quyết, cần {r.needed}. Căn cứ: {r.basis}",
                    )
                )
        for conclusion in (c for c in record.conclusions if c.item_id == item.id):
            blocks.append(Block("paragraph", f"Kết luận: {conclusion.text}"))
            if conclusion.tasks:
                blocks.append(
                    Block(
                        "list",
                        items=tuple(
                            f"{t.unit_name}: {t.title} (hạn hoàn thành: {day_month_year(t.due_on)})"
                            for t in conclusion.tasks
                        ),
                    )
                )
    if record.ended_at is not None and record.status in ("closed", "archived"):
        end = record.ended_at.astimezone(zone)
        blocks.append(Block("paragraph", f"Cuộc họp kết thúc lúc {clock(end)} ngày {day_month_year(end.date())}."))
    day = (start or dt.datetime.now(zone)).date()
    return OfficialDocument(
        issuer_parent=parent,
        issuer=issuer,
        number=number or "      /BB-UBND",
        place=record.place_name,
        date=day,
        title="BIÊN BẢN",
        subtitle=record.title,
        blocks=tuple(blocks),
        signatures=(
            SignatureBlock("THƯ KÝ", _name(people, "secretary")),
            SignatureBlock("CHỦ TỌA", _name(people, "chair")),
        ),
        draft=draft,
    )


def invitation_document(record: MeetingRecord, number: str, today: dt.date, zone: dt.tzinfo) -> OfficialDocument:
    """The invitation: who is invited, to what, when and where, and the agenda."""
    parent, issuer = letterhead(record.issuer)
    invited = [p for p in record.participants if p.role not in ("secretary", "observer")]
    blocks: list[Block] = [
        Block("paragraph", f"{record.issuer} trân trọng kính mời:"),
        Block(
            "list",
            items=tuple(
                f"{p.name}{', ' + p.title if p.title else ''}{', ' + p.unit_name if p.unit_name else ''}"
                for p in invited
            ),
        ),
        Block("paragraph", f"Tới dự: {record.title}."),
    ]
    if record.starts_at is not None:
        start = record.starts_at.astimezone(zone)
        blocks.append(
            Block(
                "paragraph",
                f"Thời gian: {_when(start)}.",
            )
        )
    blocks.append(Block("paragraph", f"Địa điểm: {record.place or record.place_name}."))
    blocks.append(Block("paragraph", "Nội dung:"))
    blocks.append(Block("list", items=tuple(i.title for i in record.items if i.depth == 0)))
    blocks.append(
        Block(
            "paragraph",
            "Tài liệu họp được gửi trên hệ thống phòng họp không giấy eCabinet; đề nghị các đồng chí nghiên cứu "
            "trước và cho ý kiến trên hệ thống. Đề nghị các đồng chí tham dự đúng thời gian.",
        )
    )
    return OfficialDocument(
        issuer_parent=parent,
        issuer=issuer,
        number=number or "      /GM-UBND",
        place=record.place_name,
        date=today,
        title="GIẤY MỜI",
        subtitle=record.title,
        blocks=tuple(blocks),
        signatures=(SignatureBlock("TL. CHỦ TỊCH\nCHÁNH VĂN PHÒNG", _name(record.participants, "secretary")),),
        recipients=("Như trên;", "Lưu: VT, VP."),
    )
