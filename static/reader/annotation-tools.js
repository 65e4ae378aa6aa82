// The annotation tools of the reader's toolbar: reading (the page swipes and pinches as ever), the pen, the
// highlighter, notes, the eraser and, while presenting, the pointer; the colour; undo and redo; whether new
// annotations are shared with the meeting; and how many edits wait to be sent and how many met another device's.

import { h } from "/static/dom.js";
import { t } from "/static/i18n.js";

// Colours that read well over black print, as highlights (translucent) and as ink.
export const PALETTE = ["#f2c200", "#2e7d32", "#1565c0", "#c62828", "#1f2328"];
const COLOR_NAMES = ["yellow", "green", "blue", "red", "black"];
const TOOLS = [
  { tool: "read", icon: "☰" },
  { tool: "pen", icon: "✎" },
  { tool: "highlight", icon: "▍" },
  { tool: "note", icon: "✉" },
  { tool: "eraser", icon: "⌫" },
  { tool: "pointer", icon: "◉" },
];

// `on`: {tool(name), color(hex), undo(), redo(), share(on), conflicts()}.
export function annotationTools(on) {
  const toolButtons = TOOLS.map(({ tool, icon }) => h("button", { type: "button", class: "annotate-tool",
    "data-testid": `tool-${tool}`, title: t(`annotate.tool.${tool}.help`), onclick: () => on.tool(tool) },
  h("span", { class: "tool-icon", "aria-hidden": "true", text: icon }),
  h("span", { text: t(`annotate.tool.${tool}`) })));
  // The colour: one button showing the colour in hand, which opens the palette (the toolbar stays one line).
  const palette = h("div", { class: "annotate-palette", "data-testid": "annotate-palette", role: "group",
    "aria-label": t("annotate.colorLabel"), hidden: true });
  const swatches = PALETTE.map((color, n) => {
    const name = t(`annotate.color.${COLOR_NAMES[n]}`);
    const swatch = h("button", { type: "button", class: "swatch", "data-testid": "annotate-color",
      "data-color": color, "aria-label": name, title: name, onclick: () => {
        palette.hidden = true;
        on.color(color);
      } });
    swatch.style.setProperty("--swatch", color);
    return swatch;
  });
  palette.append(...swatches);
  const colorButton = h("button", { type: "button", class: "swatch current", "data-testid": "annotate-color-menu",
    "aria-label": t("annotate.colorLabel"), title: t("annotate.colorLabel"), "aria-haspopup": "true",
    onclick: () => {
      palette.hidden = !palette.hidden;
    } });
  const undo = h("button", { type: "button", class: "icon", "data-testid": "annotate-undo",
    "aria-label": t("annotate.undo"), title: t("annotate.undo"), text: "↶", onclick: () => on.undo() });
  const redo = h("button", { type: "button", class: "icon", "data-testid": "annotate-redo",
    "aria-label": t("annotate.redo"), title: t("annotate.redo"), text: "↷", onclick: () => on.redo() });
  const share = h("button", { type: "button", class: "annotate-share", "data-testid": "annotate-share",
    title: t("annotate.shareHelp"), onclick: () => on.share(share.getAttribute("aria-pressed") !== "true") });
  const waiting = h("span", { class: "annotate-waiting", "data-testid": "annotate-waiting", role: "status" });
  const conflicts = h("button", { type: "button", class: "annotate-conflicts", "data-testid": "annotate-conflicts",
    title: t("annotate.conflictsHelp"), onclick: () => on.conflicts() });
  const colors = h("div", { class: "annotate-colors" }, colorButton, palette);
  const node = h("div", { class: "tool-group annotate-tools", "data-testid": "annotate-tools", role: "toolbar",
    "aria-label": t("annotate.tools") }, h("div", { class: "annotate-group" }, toolButtons), colors,
  h("div", { class: "annotate-group" }, undo, redo), share, waiting, conflicts);

  return {
    node,
    // {tool, color (of the tool in hand, or null), share, canUndo, canRedo, waiting (edits not yet sent),
    // conflicts (count), presenting}.
    update(state) {
      toolButtons.forEach((button, n) => {
        button.setAttribute("aria-pressed", String(TOOLS[n].tool === state.tool));
        if (TOOLS[n].tool === "pointer") button.hidden = !state.presenting;
      });
      colorButton.disabled = !state.color;
      colorButton.style.setProperty("--swatch", state.color || "transparent");
      if (!state.color) palette.hidden = true;
      for (const swatch of swatches) swatch.setAttribute("aria-pressed", String(swatch.dataset.color === state.color));
      undo.disabled = !state.canUndo;
      redo.disabled = !state.canRedo;
      share.setAttribute("aria-pressed", String(state.share));
      share.textContent = `${state.share ? "☑" : "☐"} ${t("annotate.share")}`;
      share.hidden = state.presenting;
      waiting.hidden = !state.waiting;
      waiting.textContent = t("annotate.waiting", { n: state.waiting });
      conflicts.hidden = !state.conflicts;
      conflicts.textContent = `⚠ ${t("annotate.conflicts", { n: state.conflicts })}`;
    },
  };
}
