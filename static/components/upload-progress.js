// One upload's progress bar: the transfer of its files (the first half), then their processing page by page
// (the second half), reaching 100 when every file is ready. Processing is followed on the uploader's own
// channel (document.progress, document.updated), and by asking the server when the channel is quiet or down.

import { ApiError, get } from "/static/api.js";
import { rejectionText } from "/static/components/document-list.js";
import { h } from "/static/dom.js";
import { t } from "/static/i18n.js";
import { live } from "/static/live.js";
import { hearUser } from "/static/user-channel.js";

const POLL_MS = 500;
// No news of a document for this long on a live connection: ask the server (a volatile message may be dropped).
const QUIET_MS = 2000;
const TRANSFER_SHARE = 50;

// How far one document's processing is, from 0 to 1 (1 once it is ready or rejected).
function processed(doc) {
  if (doc.state !== "processing") return 1;
  if (!doc.pages) return 0;
  // The last pages are recorded a moment before the document is declared ready.
  return Math.min(doc.pages_done / doc.pages, 0.99);
}

export function failureText(error) {
  return error instanceof ApiError ? error.message : t("error.network");
}

export function uploadProgress(files) {
  const bar = h("progress", { class: "upload-bar", max: 100, value: 0, "data-testid": "upload-progress",
    "aria-valuemin": 0, "aria-valuemax": 100, "aria-valuenow": 0, "aria-label": t("upload.progress") });
  const status = h("span", { class: "upload-status", "data-testid": "upload-status", role: "status" });
  const node = h("div", { class: "upload", "data-testid": "upload" },
    h("div", { class: "upload-head" },
      h("span", { class: "upload-names", text: files.map((f) => f.name).join(", ") }), status),
    bar);
  let stopTracking = () => {};

  const set = (percent, text, kind = "") => {
    const value = Math.max(0, Math.min(100, Math.round(percent)));
    bar.value = value;
    bar.setAttribute("value", value);
    bar.setAttribute("aria-valuenow", value);
    bar.setAttribute("aria-valuetext", text);
    status.textContent = text;
    node.className = kind ? `upload ${kind}` : "upload";
  };
  set(0, t("upload.sending", { percent: 0 }));

  return {
    node,
    // `fraction` of the bytes sent (XMLHttpRequest's upload.onprogress).
    transfer(fraction) {
      set(fraction * TRANSFER_SHARE, t("upload.sending", { percent: Math.round(fraction * 100) }));
    },
    fail(message) {
      stopTracking();
      set(Number(bar.value), message, "failed");
    },
    stop() {
      stopTracking();
    },
    // Follow the documents the server answered with until each is ready or rejected; resolves with them.
    track(docs) {
      const known = new Map(docs.map((doc) => [doc.id, { ...doc }]));
      const heard = new Map();
      const asking = new Set();
      if (!known.size) {
        set(100, t("upload.ready"), "done");
        return Promise.resolve([]);
      }
      return new Promise((resolve) => {
        const show = () => {
          const list = [...known.values()];
          const share = list.reduce((sum, doc) => sum + processed(doc), 0) / list.length;
          const percent = TRANSFER_SHARE + (100 - TRANSFER_SHARE) * share;
          if (list.some((doc) => doc.state === "processing")) {
            const pages = list.reduce((sum, doc) => sum + (doc.pages || 0), 0);
            const done = list.reduce((sum, doc) => sum + (doc.state === "processing" ? doc.pages_done : doc.pages || 0),
              0);
            set(percent, pages ? t("upload.processingPages", { done, pages }) : t("upload.checking"));
            return;
          }
          stopTracking();
          const rejected = list.filter((doc) => doc.state === "rejected");
          if (rejected.length) {
            // The bar stops short of 100 (which means "ready"): only the files that passed count as done.
            const passed = (list.length - rejected.length) / list.length;
            const reasons = rejected.map((doc) => `${doc.filename || doc.title}: ${rejectionText(doc)}`);
            set(TRANSFER_SHARE + (100 - TRANSFER_SHARE) * passed, t("upload.rejected", { reasons: reasons.join("; ") }),
              "failed");
          } else {
            set(100, t("upload.ready"), "done");
          }
          resolve(list);
        };
        const news = (doc, fields) => {
          const entry = known.get(doc.id);
          // A late progress message must not move a finished document back to processing.
          if (!entry || entry.state !== "processing") return;
          Object.assign(entry, fields);
          heard.set(doc.id, Date.now());
          show();
        };
        const unhear = hearUser((message) => {
          const doc = message.data && message.data.document;
          if (!doc) return;
          if (message.type === "document.progress") {
            news(doc, { ...(doc.state ? doc : {}), pages: message.data.pages, pages_done: message.data.done });
          } else if (message.type === "document.updated") {
            news(doc, doc);
          }
        });
        const poll = () => {
          for (const [id, doc] of known) {
            if (doc.state !== "processing" || asking.has(id)) continue;
            if (live.connected && Date.now() - (heard.get(id) || 0) < QUIET_MS) continue;
            asking.add(id);
            get(`/api/documents/${id}`).then((fresh) => news(fresh, fresh)).catch(() => {})
              .finally(() => asking.delete(id));
          }
        };
        const timer = setInterval(poll, POLL_MS);
        stopTracking = () => {
          clearInterval(timer);
          unhear();
        };
        show();
      });
    },
  };
}
