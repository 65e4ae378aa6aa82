// Picking a person from the directory (GET /api/users) by typing part of the name, with or without diacritics.

import { get } from "/static/api.js";
import { clear, h } from "/static/dom.js";
import { t } from "/static/i18n.js";

const SHOWN = 8;
const DEBOUNCE_MS = 250;

// "Nguyễn Đức" → "nguyen duc": people type names on tablets without the accents as often as with them.
export function fold(text) {
  return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/[đĐ]/g, "d").toLowerCase();
}

// `exclude(user)` hides some people; `onPick(user)` is called with the chosen one.
export function userPicker({ exclude = () => false, onPick, report }) {
  const search = h("input", { type: "search", class: "picker-search", placeholder: t("picker.search"),
    "aria-label": t("picker.search"), autocomplete: "off", "data-testid": "user-search" });
  const results = h("ul", { class: "picker-results", "data-testid": "user-results" });
  let directory = null;
  let timer = null;
  let asked = 0;

  const show = (people) => {
    const shown = people.filter((u) => !exclude(u)).slice(0, SHOWN);
    clear(results).append(...shown.map((u) => h("li", {},
      h("button", { type: "button", "data-testid": "user-option", onclick: () => pick(u) },
        h("span", { class: "person-name", text: u.name }),
        u.title ? h("span", { class: "muted small", text: u.title }) : null))));
    if (!shown.length) results.append(h("li", { class: "muted", text: t("picker.none") }));
  };

  const pick = (user) => {
    // A search still waiting or under way must not redraw the list (or outlive the screen) after the choice.
    clearTimeout(timer);
    asked += 1;
    onPick(user);
  };

  const lookup = async () => {
    const mine = ++asked;
    try {
      if (directory === null) directory = await get("/api/users");
      const query = search.value.trim();
      const folded = fold(query);
      // The server matches names as typed; folding here also finds "Bich" for "Bích".
      const found = new Map(directory.filter((u) => fold(`${u.name} ${u.title || ""}`).includes(folded))
        .map((u) => [u.id, u]));
      if (query) for (const u of await get(`/api/users?q=${encodeURIComponent(query)}`)) found.set(u.id, u);
      // A slower answer to an older query must not replace a newer one.
      if (mine === asked) show([...found.values()]);
    } catch (error) {
      if (mine === asked) report(error);
    }
  };

  search.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(lookup, DEBOUNCE_MS);
  });
  return { element: h("div", { class: "picker" }, search, results), load: lookup };
}
