// Texts of the UI in Vietnamese (default) and English, from static/i18n/{vi,en}.json.

const LANGUAGES = ["vi", "en"];
const STORAGE_KEY = "ecabinet.language";
let language = "vi";
let texts = {};
// Each language's texts, fetched once: switching back and forth keeps working when the network is gone.
const loaded = new Map();

export function currentLanguage() {
  return language;
}

export function storedLanguage() {
  const stored = localStorage.getItem(STORAGE_KEY);
  return LANGUAGES.includes(stored) ? stored : null;
}

async function load(lang) {
  if (!loaded.has(lang)) {
    const response = await fetch(`/static/i18n/${lang}.json`, { credentials: "same-origin" });
    if (!response.ok) throw new Error(`i18n/${lang}.json: HTTP ${response.status}`);
    loaded.set(lang, await response.json());
  }
  return loaded.get(lang);
}

// Fetch the other language too while the network is there, so that the switch works offline.
export function preloadLanguages() {
  return Promise.all(LANGUAGES.map((lang) => load(lang).catch(() => null)));
}

export async function setLanguage(lang, { remember = true } = {}) {
  const chosen = LANGUAGES.includes(lang) ? lang : "vi";
  texts = await load(chosen);
  language = chosen;
  if (remember) localStorage.setItem(STORAGE_KEY, language);
  document.documentElement.lang = language;
  translate(document);
  for (const button of document.querySelectorAll("[data-lang]")) {
    button.setAttribute("aria-pressed", String(button.dataset.lang === language));
  }
}

export function has(key) {
  return key in texts;
}

// t("quorum.count", {present: 3, required: 7}) → the text with {present} and {required} filled in.
export function t(key, params = {}) {
  const text = texts[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (name in params ? String(params[name]) : `{${name}}`));
}

export function translate(root) {
  for (const el of root.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll("[data-i18n-placeholder]")) el.placeholder = t(el.dataset.i18nPlaceholder);
}

const TIME_ZONE = "Asia/Ho_Chi_Minh";

export function formatDateTime(iso) {
  if (!iso) return t("meeting.noDate");
  const locale = language === "vi" ? "vi-VN" : "en-GB";
  return new Intl.DateTimeFormat(locale, {
    weekday: "long", day: "2-digit", month: "2-digit", year: "numeric", hour: "2-digit", minute: "2-digit",
    timeZone: TIME_ZONE,
  }).format(new Date(iso));
}

// A day and time in figures (20/11/2026 17:00), for lists where the weekday would crowd the line.
export function formatShortDateTime(iso) {
  const locale = language === "vi" ? "vi-VN" : "en-GB";
  return new Intl.DateTimeFormat(locale, {
    day: "2-digit", month: "2-digit", year: "numeric", hour: "2-digit", minute: "2-digit", timeZone: TIME_ZONE,
  }).format(new Date(iso));
}

export function formatTime(iso) {
  const locale = language === "vi" ? "vi-VN" : "en-GB";
  return new Intl.DateTimeFormat(locale, { hour: "2-digit", minute: "2-digit", timeZone: TIME_ZONE })
    .format(new Date(iso));
}

// The value of a datetime-local input, in Hanoi time, for an ISO instant (and back).
export function toLocalInput(iso) {
  if (!iso) return "";
  const parts = new Intl.DateTimeFormat("en-CA", {
    year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23",
    timeZone: TIME_ZONE,
  }).formatToParts(new Date(iso));
  const part = (type) => parts.find((p) => p.type === type).value;
  return `${part("year")}-${part("month")}-${part("day")}T${part("hour")}:${part("minute")}`;
}

// Hanoi keeps UTC+7 all year (no daylight saving), so the offset is fixed.
export function fromLocalInput(value) {
  return value ? `${value}:00+07:00` : null;
}

// The calendar day (YYYY-MM-DD) in Hanoi of an ISO instant, or of now.
export function hanoiDate(iso) {
  return toLocalInput(iso || new Date().toISOString()).slice(0, 10);
}
