// The reader's "ready offline" mark: the button that downloads the pack to the tablet, the progress while it
// downloads, and then the mark that says it can be read without a network.

import { h } from "/static/dom.js";
import { t } from "/static/i18n.js";

// `copy`: the meeting's OfflineCopy; `start()` downloads it; `onlineOnly`: how many papers may not be kept
// (restricted, secret). Returns {node, stop} — stop() when the reader closes.
export function offlineMark(copy, { start, onlineOnly = 0 }) {
  const node = h("div", { class: "offline-mark", "data-testid": "offline-mark", role: "status" });
  const draw = () => {
    const parts = [];
    if (copy.phase === "downloading") {
      parts.push(h("span", { "data-testid": "offline-downloading",
        text: t("offline.downloading", { done: copy.done, total: copy.total }) }),
      h("progress", { class: "offline-progress", "data-testid": "offline-progress", max: copy.total || 1,
        value: copy.done, "aria-label": t("offline.download") }));
    } else if (copy.phase === "ready") {
      parts.push(h("span", { class: "offline-ready", "data-testid": "offline-ready", text: t("offline.ready") }));
    } else if (copy.phase === "none") {
      parts.push(h("button", { type: "button", "data-testid": "offline-download", text: `⤓ ${t("offline.download")}`,
        onclick: start }));
    } else {
      // Stopped part way (the network went, storage ran out): the rest is one tap away.
      parts.push(h("span", { class: "offline-partial", text: t("offline.partial", { done: copy.done,
        total: copy.total }) }),
      h("button", { type: "button", "data-testid": "offline-resume", text: t("offline.resume"), onclick: start }));
    }
    if (onlineOnly && copy.phase !== "none") {
      parts.push(h("span", { class: "muted small", "data-testid": "offline-excluded",
        text: t("offline.excluded", { n: onlineOnly }) }));
    }
    node.replaceChildren(...parts);
  };
  copy.addEventListener("change", draw);
  draw();
  return { node, stop: () => copy.removeEventListener("change", draw) };
}
