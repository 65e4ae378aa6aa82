"""Votes in Chromium: pre-positions before the meeting, a live vote from the chair's console to every tablet and
back, and a ballot whose answer is lost on the way still counted once."""

from __future__ import annotations

import datetime as dt
import re
from contextlib import ExitStack
from typing import Any

from playwright.sync_api import Page, Route, expect

from tests.api.test_meetings import sample_id
from tests.conftest import LiveServer
from tests.ui.test_browser import DESKTOP, EN, SAMPLE_ITEM, VI, browser_page, open_sample_meeting, secretary, sign_in

MEMBERS = {"thanhvien1": "Lê Văn Thành", "thanhvien2": "Phạm Thị Thu Hà", "thanhvien3": "Đỗ Mạnh Cường"}
QUESTION = "Thông qua Kế hoạch chuyển đổi số của Thành phố năm 2027"
RECEIPT = re.compile(r"^[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{2,}$")
RULE = "majority_of_votes_cast"
WRITTEN = "Xin ý kiến về dự thảo Quy chế quản lý dữ liệu dùng chung của Thành phố"
COMMENT = "Đề nghị bổ sung quy định về bảo vệ dữ liệu cá nhân"


def check_everyone_in(server: LiveServer) -> None:
    """The secretary checks in every participant with a vote, so that the meeting has its quorum."""
    with secretary(server) as c:
        mid = sample_id(c)
        for p in c.get(f"/api/meetings/{mid}/participants").json():
            if p["can_vote"] and p["attendance"] != "present":
                answer = c.post(f"/api/participants/{p['id']}/checkin", json={})
                assert answer.status_code == 200, answer.text


def go_live(server: LiveServer) -> None:
    with secretary(server) as c:
        answer = c.post(f"/api/meetings/{sample_id(c)}/transition", json={"to": "live"})
        assert answer.status_code == 200, answer.text


def rule_basis(server: LiveServer, key: str) -> dict[str, str]:
    with secretary(server) as c:
        return next(r for r in c.get("/api/vote-rules").json() if r["key"] == key)


def item_row(page: Page) -> Any:
    return page.get_by_test_id("agenda-item").filter(has_text=SAMPLE_ITEM).first


def vote_on_sheet(page: Page, choice: str) -> str:
    """The member answers the open poll on the vote sheet and gets a receipt."""
    sheet = page.get_by_test_id("vote-sheet")
    expect(sheet.get_by_test_id("vote-question")).to_have_text(QUESTION)
    sheet.locator(f"[data-testid=vote-option][data-choice={choice}]").click()
    sheet.get_by_test_id("vote-confirm").click()
    expect(sheet.get_by_test_id("vote-done")).to_have_text(VI["vote.done"])
    receipt = sheet.get_by_test_id("vote-receipt")
    expect(receipt).to_have_text(RECEIPT)
    return receipt.inner_text()


def create_and_open(chair: Page, ballot: str = "named") -> Any:
    """From the item's button, the chair drafts a poll under RULE and opens it; returns its card."""
    item_row(chair).get_by_test_id("poll-on-item").click()
    chair.get_by_test_id("poll-question-input").fill(QUESTION)
    chair.get_by_test_id("poll-ballot").select_option(ballot)
    chair.get_by_test_id("poll-rule-select").select_option(RULE)
    chair.get_by_test_id("poll-create").click()
    poll = chair.get_by_test_id("poll").filter(has_text=QUESTION)
    expect(poll.get_by_test_id("poll-status")).to_have_text(VI["pollStatus.draft"])
    poll.get_by_test_id("poll-open").click()
    expect(poll.get_by_test_id("poll-status")).to_have_text(VI["pollStatus.open"])
    return poll


def test_members_pre_positions_reach_the_chairs_tally(browser: Any, fresh_server: LiveServer) -> None:
    """Members agree, object and ask to speak on an item; the chair's tally follows live, then a consent vote drafts."""
    with ExitStack() as stack:
        chair = stack.enter_context(browser_page(browser, fresh_server, DESKTOP))
        sign_in(chair, "chutich")
        open_sample_meeting(chair)
        tally = item_row(chair).get_by_test_id("preposition-tally")
        expect(tally.get_by_test_id("tally-agree")).to_have_attribute("data-count", "0")
        expect(item_row(chair).get_by_test_id("preposition-agree")).to_have_count(0)  # the chair leads, not positions

        members = {}
        for login, position in (("thanhvien1", "agree"), ("thanhvien2", "agree"), ("thanhvien3", "object")):
            page = stack.enter_context(browser_page(browser, fresh_server))
            sign_in(page, login)
            open_sample_meeting(page)
            expect(item_row(page).get_by_test_id("preposition-tally")).to_have_count(0)  # counts are the chair's
            toggle = item_row(page).get_by_test_id(f"preposition-{position}")
            toggle.click()
            expect(toggle).to_have_attribute("aria-pressed", "true")
            members[login] = page

        expect(tally.get_by_test_id("tally-agree")).to_have_text(VI["preposition.count.agree"].replace("{n}", "2"))
        expect(tally.get_by_test_id("tally-object")).to_have_text(VI["preposition.count.object"].replace("{n}", "1"))
        expect(item_row(chair).get_by_test_id("preposition-names")).to_contain_text(MEMBERS["thanhvien3"])

        # Changing one's mind: the objection becomes a wish to speak.
        row = item_row(members["thanhvien3"])
        row.get_by_test_id("preposition-speak").click()
        expect(row.get_by_test_id("preposition-speak")).to_have_attribute("aria-pressed", "true")
        expect(row.get_by_test_id("preposition-object")).to_have_attribute("aria-pressed", "false")
        expect(tally.get_by_test_id("tally-object")).to_have_attribute("data-count", "0")
        expect(tally.get_by_test_id("tally-speak")).to_have_attribute("data-count", "1")
        # A second tap withdraws it.
        row.get_by_test_id("preposition-speak").click()
        expect(row.get_by_test_id("preposition-speak")).to_have_attribute("aria-pressed", "false")
        expect(tally.get_by_test_id("tally-speak")).to_have_attribute("data-count", "0")

        expect(item_row(chair).get_by_test_id("consent-mark")).to_be_visible()
        chair.get_by_test_id("consent-create").click()
        draft = chair.get_by_test_id("poll").first
        expect(draft.get_by_test_id("poll-status")).to_have_text(VI["pollStatus.draft"])
        expect(draft.get_by_test_id("poll-items")).to_contain_text(SAMPLE_ITEM)


def test_a_live_vote_from_the_chairs_console_to_every_tablet(browser: Any, fresh_server: LiveServer) -> None:
    """The chair opens a named vote, each member votes on the sheet, turnout rises; all four see outcome and basis."""
    check_everyone_in(fresh_server)
    rule = rule_basis(fresh_server, RULE)
    with ExitStack() as stack:
        chair = stack.enter_context(browser_page(browser, fresh_server, DESKTOP))
        sign_in(chair, "chutich")
        open_sample_meeting(chair)
        chair.get_by_test_id("transition-live").click()
        expect(chair.get_by_test_id("meeting-status")).to_have_text(VI["status.live"])

        members = {}
        for login in MEMBERS:
            page = stack.enter_context(browser_page(browser, fresh_server))
            sign_in(page, login)
            open_sample_meeting(page)
            members[login] = page
            expect(page.get_by_test_id("vote-sheet")).to_have_count(0)

        item_row(chair).get_by_test_id("poll-on-item").click()
        chair.get_by_test_id("poll-rule-select").select_option(RULE)
        expect(chair.get_by_test_id("poll-rule-basis")).to_have_text(rule["basis"])
        poll = create_and_open(chair)
        turnout = poll.get_by_test_id("poll-turnout")
        expect(turnout).to_have_text(VI["poll.castOf"].format(cast=0, eligible=10))
        # The chair votes too, but runs the vote: the sheet starts folded into a bar.
        expect(chair.get_by_test_id("vote-bar")).to_contain_text(QUESTION)

        for cast, (login, choice) in enumerate(
            (("thanhvien1", "agree"), ("thanhvien2", "agree"), ("thanhvien3", "disagree")), start=1
        ):
            vote_on_sheet(members[login], choice)
            expect(turnout).to_have_text(VI["poll.castOf"].format(cast=cast, eligible=10))
            voter = poll.get_by_test_id("poll-voter").filter(has_text=MEMBERS[login])
            expect(voter.get_by_test_id("poll-voter-state")).to_have_text(VI["poll.voted"])
            expect(voter.get_by_test_id("poll-voter-choice")).to_have_text(VI[f"voteOption.{choice}"])
        members["thanhvien3"].screenshot(path="/tmp/ui-vote-sheet.png")
        # A member who voted sees the count move with the others' ballots.
        expect(members["thanhvien1"].get_by_test_id("vote-turnout")).to_have_text(
            VI["poll.castOf"].format(cast=3, eligible=10)
        )

        poll.get_by_test_id("poll-close").click()
        expect(poll.get_by_test_id("poll-status")).to_have_text(VI["pollStatus.closed"])
        for where in [poll] + [m.get_by_test_id("vote-sheet") for m in members.values()]:
            expect(where.get_by_test_id("poll-outcome")).to_have_text(VI["poll.adopted"])
            expect(where.get_by_test_id("poll-basis")).to_have_text(rule["basis"])
            counts = where.get_by_test_id("poll-tally-count")
            expect(counts).to_have_text(["2", "1", "0"])
        # The chair's folded sheet opens on the outcome too.
        expect(chair.get_by_test_id("vote-sheet").get_by_test_id("poll-outcome")).to_have_text(VI["poll.adopted"])
        chair.screenshot(path="/tmp/ui-vote-outcome.png")
        chair.get_by_test_id("vote-sheet-close").click()
        poll.evaluate("card => card.scrollIntoView()")
        chair.screenshot(path="/tmp/ui-vote-console.png")
        expect(poll).not_to_contain_text("null")

        # In English, the legal basis reads in English.
        member = members["thanhvien2"]
        member.get_by_test_id("vote-sheet-close").click()
        expect(member.get_by_test_id("vote-sheet")).to_have_count(0)
        member.get_by_test_id("lang-en").click()
        card = member.get_by_test_id("poll").filter(has_text=QUESTION)
        expect(card.get_by_test_id("poll-outcome")).to_have_text(EN["poll.adopted"])
        expect(card.get_by_test_id("poll-basis")).to_have_text(rule["basis_en"])
        expect(card.get_by_test_id("poll-mine")).to_contain_text(EN["vote.done"])


def test_a_secret_ballot_whose_answer_is_lost_counts_once(browser: Any, fresh_server: LiveServer) -> None:
    """A secret ballot's answer is lost; the tablet resends the same key, it counts once, and its receipt is found."""
    check_everyone_in(fresh_server)
    go_live(fresh_server)
    with browser_page(browser, fresh_server, DESKTOP) as chair, browser_page(browser, fresh_server) as member:
        sign_in(chair, "chutich")
        open_sample_meeting(chair)
        sign_in(member, "thanhvien1")
        open_sample_meeting(member)

        keys: list[str | None] = []

        def lose_first_answer(route: Route) -> None:
            keys.append(route.request.headers.get("idempotency-key"))
            if len(keys) == 1:
                route.fetch()  # the server counts the ballot, and the tablet never hears so
                route.abort("connectionreset")
            else:
                route.continue_()

        member.route("**/api/polls/*/ballots", lose_first_answer)
        poll = create_and_open(chair, "secret")
        receipt = vote_on_sheet(member, "agree")
        assert len(keys) == 2 and keys[0] == keys[1] and keys[0] and 16 <= len(keys[0]) <= 100, keys
        expect(poll.get_by_test_id("poll-turnout")).to_have_text(VI["poll.castOf"].format(cast=1, eligible=10))
        # Settled: the key is gone from the tablet's storage, and the list shows the same receipt.
        pending = member.evaluate("Object.keys(localStorage).filter((k) => k.startsWith('ecabinet.ballot.'))")
        assert pending == [], pending
        card = member.get_by_test_id("poll").filter(has_text=QUESTION)
        expect(card.get_by_test_id("poll-mine-receipt")).to_have_text(receipt)
        expect(member.get_by_test_id("vote-my-choice")).to_have_count(0)  # a secret ballot is not shown back

        poll.get_by_test_id("poll-close").click()
        expect(poll.get_by_test_id("poll-tally-count")).to_have_text(["1", "0", "0"])
        member.get_by_test_id("vote-sheet-close").click()
        expect(card.get_by_test_id("receipt-input")).to_have_value(receipt)
        card.get_by_test_id("check-receipt").click()
        expect(card.get_by_test_id("receipt-result")).to_have_text(VI["receipts.found"].format(code=receipt, n=1))


def test_a_written_poll_is_answered_recorded_by_hand_and_compiled(browser: Any, fresh_server: LiveServer) -> None:
    """The secretary opens a written poll; a member answers with a comment, another's answer is recorded by hand."""
    with browser_page(browser, fresh_server, DESKTOP) as clerk, browser_page(browser, fresh_server) as member:
        sign_in(member, "thanhvien1")
        open_sample_meeting(member)
        sign_in(clerk, "thuky")
        open_sample_meeting(clerk)

        item_row(clerk).get_by_test_id("poll-on-item").click()
        clerk.get_by_test_id("poll-question-input").fill(WRITTEN)
        expect(clerk.get_by_test_id("poll-deadline")).to_be_hidden()
        clerk.get_by_test_id("poll-mode").select_option("written")
        clerk.get_by_test_id("poll-deadline").fill("2030-12-31T17:00")
        clerk.get_by_test_id("poll-create").click()
        poll = clerk.get_by_test_id("poll").filter(has_text=WRITTEN)
        poll.get_by_test_id("poll-open").click()
        expect(poll.get_by_test_id("poll-status")).to_have_text(VI["pollStatus.open"])

        # The member's page shows it at once, with a banner, and no vote sheet (there is no vote in the room).
        expect(member.get_by_test_id("written-banner")).to_contain_text(WRITTEN)
        expect(member.get_by_test_id("vote-sheet")).to_have_count(0)
        card = member.get_by_test_id("poll").filter(has_text=WRITTEN)
        expect(card).to_contain_text("31/12/2030")
        card.locator("[data-testid=written-choice][data-choice=agree]").click()
        card.get_by_test_id("written-comment").fill(COMMENT)
        card.get_by_test_id("written-send").click()
        expect(card.get_by_test_id("poll-mine")).to_contain_text(VI["vote.done"])
        expect(member.get_by_test_id("written-banner")).to_have_count(0)
        expect(poll.get_by_test_id("poll-turnout")).to_have_text(VI["poll.castOf"].format(cast=1, eligible=10))

        # Phạm Thị Thu Hà's tablet failed: she answered on paper, and the secretary records it.
        row = poll.get_by_test_id("poll-voter").filter(has_text=MEMBERS["thanhvien2"])
        row.get_by_test_id("manual-choice").select_option("disagree")
        row.get_by_test_id("manual-record").click()
        expect(row.get_by_test_id("by-secretary")).to_have_text(VI["vote.bySecretary"])
        expect(row.get_by_test_id("poll-voter-state")).to_have_text(VI["poll.voted"])
        expect(poll.get_by_test_id("poll-turnout")).to_have_text(VI["poll.castOf"].format(cast=2, eligible=10))

        poll.get_by_test_id("poll-close").click()
        # One agreement of ten members is not the majority of all members (the default rule).
        for where in (poll, card):
            expect(where.get_by_test_id("poll-outcome")).to_have_text(VI["poll.rejected"])
            expect(where.get_by_test_id("poll-tally-count")).to_have_text(["1", "1", "0"])
            expect(where.get_by_test_id("poll-comments")).to_contain_text(COMMENT)
            expect(where.get_by_test_id("poll-basis")).to_contain_text("Luật Tổ chức chính quyền địa phương")


def test_a_written_polls_reminder_reaches_the_member(browser: Any, fresh_server: LiveServer) -> None:
    """A member who has not answered a written poll gets its reminder as a notice, on whatever screen is open."""
    with browser_page(browser, fresh_server) as member:
        sign_in(member, "thanhvien4")
        with secretary(fresh_server) as c:
            item = c.get(f"/api/meetings/{sample_id(c)}/items").json()[0]["id"]
            # The last reminder is due an hour before the deadline: here, in a few seconds.
            deadline = dt.datetime.now(dt.UTC) + dt.timedelta(hours=1, seconds=3)
            body = {"question": WRITTEN, "mode": "written", "deadline": deadline.isoformat()}
            created = c.post(f"/api/items/{item}/polls", json=body)
            assert created.status_code == 201, created.text
            assert c.post(f"/api/polls/{created.json()['id']}/open").status_code == 200
        expect(member.get_by_role("alert")).to_contain_text(WRITTEN, timeout=15_000)


def test_a_member_reading_the_pack_is_called_to_the_vote(browser: Any, fresh_server: LiveServer) -> None:
    """A live vote opened while a member reads: a banner over the reader takes them to the vote sheet."""
    from tests import pdf_samples
    from tests.api.test_documents import uploaded
    from tests.ui.test_reader import open_reader

    go_live(fresh_server)
    with secretary(fresh_server) as c:
        mid = sample_id(c)
        item = c.get(f"/api/meetings/{mid}/items").json()[0]["id"]
        uploaded(c, item, "Tờ trình.pdf", pdf_samples.paper(pages=2))
    with browser_page(browser, fresh_server) as member:
        sign_in(member, "thanhvien1")
        open_reader(member)
        call = member.get_by_test_id("vote-call")
        expect(call).to_be_hidden()
        with secretary(fresh_server) as c:
            poll = c.post(f"/api/items/{item}/polls", json={"question": QUESTION}).json()
            assert c.post(f"/api/polls/{poll['id']}/open").status_code == 200
        expect(call).to_be_visible()
        expect(call).to_contain_text(QUESTION)
        call.get_by_test_id("vote-call-go").click()
        vote_on_sheet(member, "agree")
