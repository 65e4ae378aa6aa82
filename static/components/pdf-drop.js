// Choosing PDFs: a drop zone with a file picker in it (several files at once). Whatever is chosen goes to
// `onFiles(files)`; the server decides what is a PDF, and its refusal (415) names the files it refused.

import { h } from "/static/dom.js";
import { t } from "/static/i18n.js";

const carriesFiles = (event) => Boolean(event.dataTransfer) && [...event.dataTransfer.types].includes("Files");

export function pdfDrop({ onFiles, testid, multiple = true, hint = t("upload.drop") }) {
  // Hidden from sight, not from the keyboard: the label around it is the button that opens the picker.
  const input = h("input", { type: "file", accept: "application/pdf,.pdf", multiple, class: "visually-hidden",
    "data-testid": testid });
  input.addEventListener("change", () => {
    const files = [...input.files];
    // Emptied, so that choosing the same file again (after fixing it) is a change too.
    input.value = "";
    if (files.length) onFiles(files);
  });
  const zone = h("div", { class: "drop-zone", "data-testid": `${testid}-zone` },
    h("span", { class: "drop-icon", "aria-hidden": "true", text: "⇪" }),
    h("span", { class: "drop-hint", text: hint }),
    h("label", { class: "button" }, t("upload.choose"), input));
  zone.addEventListener("dragover", (event) => {
    if (!carriesFiles(event)) return;
    event.preventDefault();
    event.stopPropagation();
    event.dataTransfer.dropEffect = "copy";
    zone.classList.add("over");
  });
  zone.addEventListener("dragleave", (event) => {
    if (!zone.contains(event.relatedTarget)) zone.classList.remove("over");
  });
  zone.addEventListener("drop", (event) => {
    if (!carriesFiles(event)) return;
    event.preventDefault();
    event.stopPropagation();
    zone.classList.remove("over");
    const files = [...event.dataTransfer.files];
    if (files.length) onFiles(multiple ? files : files.slice(0, 1));
  });
  return zone;
}
