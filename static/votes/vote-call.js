// The call to vote, wherever a member is reading: when the chair opens a live vote, a banner over the reader
// says so and takes the member to the vote sheet (on the meeting page) with one tap. It goes away once the
// member has voted or the vote is closed.

import { go } from "/static/app.js";
import { h } from "/static/dom.js";
import { t } from "/static/i18n.js";

export function voteCall(meetingId, me) {
  const question = h("span", { class: "vote-call-question" });
  const banner = h("div", { class: "vote-call", role: "alert", "data-testid": "vote-call", hidden: true },
    h("strong", { text: t("vote.callTitle") }), question,
    h("button", { type: "button", class: "primary", "data-testid": "vote-call-go", text: t("vote.callGo"),
      onclick: () => go(`#/meetings/${meetingId}`) }));
  let waiting = null; // the id of the open live poll this member has yet to vote in

  const heard = (event) => {
    if (event.type === "poll.updated") {
      const poll = event.data.poll;
      const mine = (poll.voters || []).find((v) => v.user_id === me);
      if (poll.mode === "live" && poll.status === "open" && mine && !mine.voted) {
        waiting = poll.id;
        question.textContent = poll.question;
      } else if (poll.id === waiting) {
        waiting = null;
      }
    } else if (event.type === "poll.cast" && event.data.poll_id === waiting && event.data.user_id === me) {
      waiting = null;
    }
    banner.hidden = waiting === null;
  };
  return { element: banner, heard };
}
