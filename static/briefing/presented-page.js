// The page being presented in the room, as a remote site sees it beside city hall's video: the image of the
// presented document's page, turned by the presenter.page events of the meeting's channel (never sent as video, so
// it stays sharp on a ward's link), with the document's title and the page number.

import { h } from "/static/dom.js";
import { t } from "/static/i18n.js";
import { bucket, imageUrl } from "/static/reader/pack.js";

// Returns {node, show(pack, presenter)}.
export function presentedPage() {
  const image = h("img", { class: "presented-image", "data-testid": "briefing-page-image", alt: "" });
  const title = h("p", { class: "presented-title", "data-testid": "briefing-page-title" });
  const note = h("p", { class: "muted presented-note", "data-testid": "briefing-page-note" });
  const frame = h("div", { class: "presented-frame" }, image);
  const node = h("section", { class: "card presented", "data-testid": "briefing-page" },
    h("h2", { text: t("briefing.page.title") }), title, note, frame);
  image.addEventListener("error", () => {
    image.hidden = true;
    note.textContent = t("briefing.page.missing");
    note.hidden = false;
  });
  image.addEventListener("load", () => {
    note.hidden = true;
  });

  return {
    node,
    show(pack, presenter) {
      const doc = pack && presenter && presenter.document_id
        ? pack.documents.find((d) => d.id === presenter.document_id) : null;
      const shown = doc && presenter.page >= 1 && presenter.page <= doc.pages;
      node.dataset.documentId = shown ? String(doc.id) : "";
      node.dataset.page = shown ? String(presenter.page) : "";
      if (!shown) {
        image.hidden = true;
        image.removeAttribute("src");
        title.textContent = "";
        // Presenting a paper this site may not read (its classification): the site sees that a page is shown.
        note.textContent = t(presenter && presenter.document_id ? "briefing.page.notForSite" : "briefing.page.none");
        note.hidden = false;
        return;
      }
      title.textContent = t("briefing.page.which", { title: doc.title, page: presenter.page, pages: doc.pages });
      const width = bucket(pack.widths, (frame.clientWidth || 480) * (window.devicePixelRatio || 1));
      const src = imageUrl(doc, presenter.page, width);
      if (image.getAttribute("src") !== src) image.src = src;
      image.hidden = false;
      image.alt = t("briefing.page.alt", { title: doc.title, page: presenter.page });
    },
  };
}
