// Presenting and following in the reader. The chair (or the designated presenter, or the secretariat) presents:
// each page they turn goes to the room as a presenter.page action, and every tablet that follows turns with them.
// A member may browse away (turning a page themselves stops following); a badge then shows the presenter's page,
// and one tap brings them back to it. Every tablet tells the chair where it is (reader.position, about once a
// second at most).

import { h } from "/static/dom.js";
import { t } from "/static/i18n.js";
import { ActionRefused, live } from "/static/live.js";

const POSITION_EVERY_MS = 1000;

// `ctx`: {meeting, me (user id), presenter (state.presenter or null), jump(documentId, page, zoom),
// titleOf(documentId), refused(message), changed() (the controls were redrawn: presenting may have started or
// stopped)}. Returns the controls' node and what the reader tells it.
export function presenting(ctx) {
  const { meeting, me, jump, titleOf, refused } = ctx;
  let presenter = ctx.presenter || null;
  let on = false; // this tablet presents
  let following = true;
  let at = null; // {documentId, page, zoom}
  const node = h("div", { class: "presenting", "data-testid": "presenting" });

  const active = () => Boolean(presenter && presenter.document_id);
  const mayPresent = () => meeting.can_chair || meeting.can_manage
    || Boolean(presenter && presenter.presenter_id === me);
  const onPresenterPage = () => active() && at && at.documentId === presenter.document_id
    && at.page === presenter.page;

  const send = (type, data) => live.action(type, data).catch((error) => {
    if (type === "presenter.page" || type === "presenter.clear") {
      on = false;
      draw();
      refused(error instanceof ActionRefused ? error.message : t("reader.presentFailed"));
    }
  });

  // Where this tablet is, for the chair's strip: the last position, sent at most once a second.
  let sentAt = 0;
  let timer = null;
  const sendPosition = () => {
    clearTimeout(timer);
    if (!at) return;
    const wait = POSITION_EVERY_MS - (Date.now() - sentAt);
    if (wait > 0) {
      timer = setTimeout(sendPosition, wait);
      return;
    }
    sentAt = Date.now();
    live.action("reader.position", { document_id: at.documentId, page: at.page, following: following && !on })
      .catch(() => {});
  };

  const snapBack = () => {
    following = true;
    draw();
    jump(presenter.document_id, presenter.page, presenter.zoom || 1);
  };

  const draw = () => {
    const parts = [];
    if (mayPresent()) {
      parts.push(h("button", { type: "button", class: on ? "primary" : "", "data-testid": "present-toggle",
        "aria-pressed": String(on), text: on ? `■ ${t("reader.presenting")}` : `▶ ${t("reader.present")}`,
        onclick: () => {
          on = !on;
          draw();
          if (on && at) send("presenter.page", { document_id: at.documentId, page: at.page, zoom: at.zoom });
          // The server needs the meeting with the actions that name no document.
          else if (!on) send("presenter.clear", { meeting_id: meeting.id });
        } }));
    }
    if (!on) {
      parts.push(h("button", { type: "button", "data-testid": "follow-toggle", "aria-pressed": String(following),
        title: t("reader.followHelp"), text: following ? `✓ ${t("reader.following")}` : t("reader.follow"),
        onclick: () => {
          if (following) {
            following = false;
            draw();
          } else if (active()) snapBack();
          else {
            following = true;
            draw();
          }
          sendPosition();
        } }));
      const where = active() ? t("reader.presenterAt", { name: presenter.presenter_name || t("reader.chair"),
        title: titleOf(presenter.document_id) || "", page: presenter.page }) : "";
      if (active() && (!following || !onPresenterPage())) {
        parts.push(h("button", { type: "button", class: "presenter-badge", "data-testid": "presenter-badge",
          title: t("reader.snapBack"), onclick: snapBack },
        h("span", { class: "presenter-dot", "aria-hidden": "true" }), h("span", { text: where }),
        h("strong", { text: `↩ ${t("reader.snapBackShort")}` })));
      } else if (active()) {
        parts.push(h("span", { class: "presenter-live", "data-testid": "presenter-live" },
          h("span", { class: "presenter-dot", "aria-hidden": "true" }), where));
      }
    }
    node.replaceChildren(...parts);
    ctx.changed?.();
  };

  draw();
  return {
    node,
    // The reader shows a page (whoever turned it).
    shown(documentId, page, zoom) {
      const moved = !at || at.documentId !== documentId || at.page !== page || at.zoom !== zoom;
      at = { documentId, page, zoom };
      if (!moved) return;
      if (on) send("presenter.page", { document_id: documentId, page, zoom });
      sendPosition();
      draw();
    },
    // The user turned or jumped to a page themselves: while someone presents, they now browse on their own.
    browsed() {
      if (on || !following || !active()) return;
      following = false;
      draw();
    },
    // The presenter's state from the meeting (loaded, or a presenter.page / presenter.updated event).
    heard(next) {
      const handedOver = presenter && next && next.presenter_id !== presenter.presenter_id && next.presenter_id !== me;
      presenter = next || null;
      // The presentation went to someone else: this tablet follows them now, rather than turning pages over them.
      if (on && (handedOver || !mayPresent())) on = false;
      draw();
      if (on || !following || !active()) return;
      if (presenter.by === me && onPresenterPage()) return;
      jump(presenter.document_id, presenter.page, presenter.zoom || 1);
    },
    // Someone came online (the chair opening the strip): tell them where this tablet is.
    announce() {
      sentAt = 0;
      sendPosition();
    },
    get presenter() {
      return presenter;
    },
    // This tablet presents: the pen's strokes and the pointer travel to the room.
    get presenting() {
      return on;
    },
    stop() {
      clearTimeout(timer);
    },
  };
}
