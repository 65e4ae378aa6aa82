// The pages of the document being read as small pictures, the one shown marked; a tap opens a page.

import { h } from "/static/dom.js";
import { t } from "/static/i18n.js";
import { thumbnailUrl } from "/static/reader/pack.js";

// `at`: the page shown ({doc, page}); `open(documentId, page)`.
export function thumbnailPanel(at, open) {
  const { doc } = at;
  const pages = Array.from({ length: doc.pages }, (_, i) => i + 1);
  const panel = h("ol", { class: "thumbnails", "data-testid": "reader-thumbnails", "aria-label": doc.title },
    pages.map((page) => h("li", {},
      h("button", { type: "button", class: "thumbnail", "data-testid": "reader-thumbnail",
        "aria-current": page === at.page ? "true" : null, "aria-label": t("reader.gotoPage", { page }),
        onclick: () => open(doc.id, page) },
      h("img", { src: thumbnailUrl(doc, page), alt: "", loading: "lazy", draggable: "false" }),
      h("span", { class: "thumbnail-number", text: page })))));
  // The page shown is in sight when the panel opens.
  requestAnimationFrame(() => panel.querySelector("[aria-current]")?.scrollIntoView({ block: "nearest" }));
  return panel;
}
