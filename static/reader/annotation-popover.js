// The small card over the page that opens on a note or a highlight: its text (a note's body, a highlight's
// quote), whose it is, and for the member's own: editing the note, sharing with the meeting, deleting. The same
// card takes the text of a new note.

import { h } from "/static/dom.js";
import { t } from "/static/i18n.js";

export const NOTE_MAX_CHARS = 10000;

// `place(rect)` → {left, top, right, bottom} in percent of the page.
export function annotationPopover({ place }) {
  const node = h("div", { class: "annotation-popover", "data-testid": "annotation-popover", hidden: true,
    role: "dialog" });
  // Selecting text in the card must not swipe the page under it.
  node.addEventListener("pointerdown", (event) => event.stopPropagation());
  let openFor = null;

  const put = (rect) => {
    const at = place(rect);
    const below = at.bottom < 62;
    Object.assign(node.style, { left: `${Math.min(Math.max(at.left, 0), 62)}%`,
      top: below ? `calc(${at.bottom}% + 8px)` : "", bottom: below ? "" : `calc(${100 - at.top}% + 8px)` });
  };

  const hide = () => {
    openFor = null;
    node.hidden = true;
    node.replaceChildren();
  };

  const noteField = (value) => {
    const field = h("textarea", { class: "note-text", "data-testid": "note-text", maxlength: NOTE_MAX_CHARS,
      rows: 5, placeholder: t("annotate.notePlaceholder"), "aria-label": t("annotate.noteLabel") });
    field.value = value || "";
    return field;
  };

  return {
    node,
    get openFor() {
      return openFor;
    },
    hide,
    // A new note at `rect`: `save(body)` when the member keeps it.
    writeNote(rect, save) {
      openFor = "new";
      const field = noteField("");
      node.replaceChildren(
        h("p", { class: "popover-head", text: t("annotate.newNote") }),
        field,
        h("div", { class: "popover-actions" },
          h("button", { type: "button", class: "primary", "data-testid": "note-save", text: t("annotate.save"),
            onclick: () => {
              const body = field.value.trim();
              hide();
              if (body) save(body);
            } }),
          h("button", { type: "button", "data-testid": "note-cancel", text: t("annotate.cancel"), onclick: hide })));
      put(rect);
      node.hidden = false;
      field.focus();
    },
    // An annotation: `mine`; actions {saveBody(body), toggleShare(), remove()} for the member's own.
    show(annotation, rect, mine, actions) {
      openFor = annotation.uuid;
      const shared = annotation.visibility === "shared";
      const head = h("p", { class: "popover-head" },
        h("strong", { text: t(`annotate.kind.${annotation.kind}`) }),
        mine ? null : h("span", { class: "muted", "data-testid": "annotation-author",
          text: ` · ${t("annotate.by", { name: annotation.author_name || "" })}` }),
        shared ? h("span", { class: "shared-mark", text: t("annotate.shared") }) : null);
      const parts = [head];
      let field = null;
      if (annotation.kind === "note" && mine) {
        field = noteField(annotation.body);
        parts.push(field);
      } else if (annotation.kind === "note") {
        parts.push(h("p", { class: "note-body", "data-testid": "note-body", text: annotation.body || "" }));
      } else if (annotation.anchor && annotation.anchor.quote) {
        parts.push(h("blockquote", { class: "popover-quote", text: annotation.anchor.quote }));
      }
      const buttons = [];
      if (mine && field) {
        buttons.push(h("button", { type: "button", class: "primary", "data-testid": "note-save",
          text: t("annotate.save"), onclick: () => {
            const body = field.value.trim();
            hide();
            if (body && body !== annotation.body) actions.saveBody(body);
          } }));
      }
      if (mine) {
        buttons.push(
          h("button", { type: "button", "data-testid": "annotation-share", "aria-pressed": String(shared),
            text: shared ? t("annotate.unshare") : t("annotate.shareOne"), onclick: () => {
              hide();
              actions.toggleShare();
            } }),
          h("button", { type: "button", class: "danger", "data-testid": "annotation-delete", text: t("annotate.delete"),
            onclick: () => {
              hide();
              actions.remove();
            } }));
      }
      buttons.push(h("button", { type: "button", "data-testid": "popover-close", text: t("annotate.close"),
        onclick: hide }));
      parts.push(h("div", { class: "popover-actions" }, buttons));
      node.replaceChildren(...parts);
      put(rect);
      node.hidden = false;
    },
  };
}
