// Searching the meeting's papers (GET /api/search): the box, and the hits with their snippets, the words found
// marked; a hit opens its page with the words drawn over it. Papers whose text cannot be searched are named, and
// the member's own annotations that match are listed apart.

import { get } from "/static/api.js";
import { h } from "/static/dom.js";
import { t } from "/static/i18n.js";

const MIN_LETTERS = 2;
const LIMIT = 20;

// `found(answer)`: the search's answer; `failed(error)`.
export function searchBox(meetingId, { found, failed }) {
  const input = h("input", { type: "search", class: "reader-search-input", "data-testid": "reader-search",
    "aria-label": t("search.label"), placeholder: t("search.placeholder"), autocomplete: "off",
    enterkeyhint: "search" });
  const form = h("form", { class: "reader-search", role: "search" }, input,
    h("button", { type: "submit", "data-testid": "reader-search-submit", "aria-label": t("search.submit"),
      text: "⌕" }));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const q = input.value.trim();
    if ([...q].filter((c) => /\p{L}|\p{N}/u.test(c)).length < MIN_LETTERS) {
      found({ query: q, results: [], not_searchable: [], tooShort: true });
      return;
    }
    const params = new URLSearchParams({ q, meeting_id: meetingId, limit: LIMIT });
    try {
      found(await get(`/api/search?${params}`));
    } catch (error) {
      failed(error);
    }
  });
  return { node: form, input };
}

// `open(documentId, page, boxes)`.
export function searchResults(answer, open) {
  const parts = [];
  if (answer.tooShort) {
    parts.push(h("p", { class: "muted", "data-testid": "search-too-short", text: t("search.tooShort") }));
  } else {
    parts.push(h("p", { class: "muted small", "data-testid": "search-count",
      text: t("search.count", { n: answer.results.length, query: answer.query }) }));
  }
  if (answer.results.length) {
    parts.push(h("ol", { class: "search-results" }, answer.results.map((hit) => h("li", {},
      h("button", { type: "button", class: "search-result", "data-testid": "search-result",
        onclick: () => open(hit.document_id, hit.page, hit.boxes) },
      h("span", { class: "search-where" },
        hit.item_number ? h("span", { class: "item-number", text: hit.item_number }) : null,
        h("span", { class: "search-title", text: hit.document_title }),
        h("span", { class: "muted small", "data-testid": "search-page", text: t("search.page", { page: hit.page }) })),
      h("span", { class: "search-snippet", "data-testid": "search-snippet" }, marked(hit.snippet, hit.highlights)))))));
  }
  // The member's own notes and highlights whose text matches (the server lists them only to their author).
  if (answer.notes && answer.notes.length) {
    parts.push(h("section", { class: "search-notes", "data-testid": "search-notes" },
      h("h3", { class: "search-notes-title", text: t("search.myNotes") }),
      h("ol", { class: "search-results" }, answer.notes.map((note) => h("li", {},
        h("button", { type: "button", class: "search-result", "data-testid": "search-note",
          onclick: () => open(note.document_id, note.page, null) },
        h("span", { class: "search-where" },
          h("span", { class: `annotation-kind kind-${note.kind}`, "aria-hidden": "true" }),
          h("span", { class: "search-title", text: note.document_title }),
          h("span", { class: "muted small", text: t("search.page", { page: note.page }) })),
        h("span", { class: "search-snippet" }, marked(note.snippet, note.highlights || []))))))));
  }
  if (answer.not_searchable && answer.not_searchable.length) {
    parts.push(h("div", { class: "not-searchable", "data-testid": "not-searchable" },
      h("p", { class: "small", text: t("search.notSearchable") }),
      h("ul", {}, answer.not_searchable.map((doc) => h("li", { "data-testid": "not-searchable-document" },
        h("span", { class: "search-title", text: doc.title }), " — ",
        h("span", { class: "muted small", text: t(`search.reason.${doc.reason}`) }))))));
  }
  return h("div", { class: "search-panel", "data-testid": "search-panel" }, parts);
}

// The snippet as text nodes and <mark>s; `highlights` are [start, end) offsets in characters (code points).
export function marked(snippet, highlights = []) {
  const chars = [...(snippet || "")];
  const nodes = [];
  let at = 0;
  for (const [start, end] of [...highlights].sort((a, b) => a[0] - b[0])) {
    if (start < at || end <= start) continue;
    if (start > at) nodes.push(document.createTextNode(chars.slice(at, start).join("")));
    nodes.push(h("mark", { text: chars.slice(start, end).join("") }));
    at = end;
  }
  if (at < chars.length) nodes.push(document.createTextNode(chars.slice(at).join("")));
  return nodes;
}
