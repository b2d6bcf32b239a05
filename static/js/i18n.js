// UI strings in pt-BR, pl, en and es (static/i18n/*.json), and Intl formatting in the event's time zone.
//
// Markup: data-i18n="key" sets textContent; data-i18n-attr="placeholder:key;aria-label:key2" sets
// attributes. Code: t("key", {n: 3, name: "Ana"}); a string may be an object of plural forms
// {"one": "...", "few": "...", "many": "...", "other": "..."} chosen by Intl.PluralRules on `n`.

import { storage } from "./hub.js";

export const LANGUAGES = { "pt-BR": "Português (Brasil)", pl: "Polski", en: "English", es: "Español" };
const PREFERENCE = "plenaria.lang";

let strings = {};
let current = "";
let timeZone = undefined;
const listeners = new Set();
const cache = new Map();

export function lang() {
  return current;
}

export function onLangChange(fn) {
  listeners.add(fn);
}

/** The language to start with: the visitor's own choice, else `fallback` (the event's default). */
export function preferred(fallback = "") {
  const chosen = storage.get(PREFERENCE);
  if (chosen && LANGUAGES[chosen]) return chosen;
  if (fallback && LANGUAGES[fallback]) return fallback;
  for (const wanted of navigator.languages || [navigator.language || ""]) {
    const base = wanted.toLowerCase();
    if (base === "pt-br" || base.startsWith("pt")) return "pt-BR";
    const short = base.slice(0, 2);
    if (LANGUAGES[short]) return short;
  }
  return "pt-BR";
}

export function hasChoice() {
  return Boolean(storage.get(PREFERENCE));
}

async function load(code) {
  if (!cache.has(code)) {
    cache.set(code, fetch(`/static/i18n/${code}.json`).then((r) => {
      if (!r.ok) throw new Error(`i18n ${code}: ${r.status}`);
      return r.json();
    }));
  }
  return cache.get(code);
}

/** Switch the UI language; `remember` stores it as the visitor's choice. */
export async function setLang(code, { remember = false } = {}) {
  if (!LANGUAGES[code]) code = "pt-BR";
  if (remember) storage.set(PREFERENCE, code);
  if (code === current) return;
  try {
    strings = await load(code);
  } catch (err) {
    console.error(err);
    cache.delete(code);
    return;
  }
  current = code;
  document.documentElement.lang = code;
  apply(document);
  for (const fn of listeners) {
    try { fn(code); } catch (err) { console.error(err); }
  }
}

export function setTimeZone(tz) {
  try {
    new Intl.DateTimeFormat("en", { timeZone: tz });
    timeZone = tz || undefined;
  } catch {
    timeZone = undefined;
  }
}

export function t(key, vars = {}) {
  let value = strings[key];
  if (value === undefined) return current ? key : "";
  if (typeof value === "object") {
    const n = Number(vars.n ?? 0);
    const form = n === 0 && value.zero ? "zero" : new Intl.PluralRules(current).select(n);
    value = value[form] ?? value.other ?? "";
  }
  return value.replace(/\{(\w+)\}/g, (m, name) => {
    if (!(name in vars)) return m;
    const v = vars[name];
    return typeof v === "number" ? number(v) : String(v);
  });
}

/** Apply data-i18n and data-i18n-attr under `root`. */
export function apply(root) {
  if (!current) return;
  for (const node of root.querySelectorAll("[data-i18n]")) {
    const text = t(node.dataset.i18n);
    if (node.textContent !== text) node.textContent = text;
  }
  for (const node of root.querySelectorAll("[data-i18n-attr]")) {
    for (const pair of node.dataset.i18nAttr.split(";")) {
      const [attr, key] = pair.split(":").map((s) => s.trim());
      if (attr && key) node.setAttribute(attr, t(key));
    }
  }
}

export function number(n, options = {}) {
  return new Intl.NumberFormat(current || "pt-BR", options).format(n);
}

export function percent(fraction) {
  return new Intl.NumberFormat(current || "pt-BR", { style: "percent", maximumFractionDigits: 0 }).format(fraction);
}

/** A UNIX time (seconds) as a clock time in the event's time zone. */
export function time(seconds, withDate = false) {
  if (seconds == null) return "";
  const options = { hour: "2-digit", minute: "2-digit", timeZone };
  if (withDate) Object.assign(options, { day: "numeric", month: "short" });
  return new Intl.DateTimeFormat(current || "pt-BR", options).format(new Date(seconds * 1000));
}

/** An agenda `starts_at` ("07:00" or "2024-06-13T10:00"): local wall time, shown as written. */
export function agendaTime(value) {
  if (!value) return "";
  const match = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})/.exec(value);
  if (!match) return value;
  const [, y, mo, d, hh, mm] = match.map(Number);
  // Wall time of the event's place: format in UTC to avoid shifting it.
  const date = new Date(Date.UTC(y, mo - 1, d, hh, mm));
  return new Intl.DateTimeFormat(current || "pt-BR", {
    weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", timeZone: "UTC",
  }).format(date);
}

/** mm:ss (or h:mm:ss) of a number of seconds, never negative. */
export function clock(seconds) {
  const s = Math.max(0, Math.ceil(seconds));
  const hh = Math.floor(s / 3600);
  const mm = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, "0");
  return hh ? `${hh}:${String(mm).padStart(2, "0")}:${ss}` : `${mm}:${ss}`;
}

/**
 * Fill a <select> with the languages offered (the event's list, or all four), keep it in sync,
 * and switch the UI (remembered) when the visitor picks one.
 */
export function languageSwitcher(select, offered, { short = false } = {}) {
  const codes = (offered && offered.length ? offered : Object.keys(LANGUAGES)).filter((c) => LANGUAGES[c]);
  if (current && !codes.includes(current)) codes.push(current);
  select.replaceChildren(
    ...codes.map((code) => {
      const option = document.createElement("option");
      option.value = code;
      option.textContent = short ? code.slice(0, 2).toUpperCase() : LANGUAGES[code];
      if (short) option.label = code.slice(0, 2).toUpperCase();
      option.title = LANGUAGES[code];
      option.lang = code;
      return option;
    }),
  );
  select.value = current;
  if (!select.dataset.bound) {
    select.dataset.bound = "1";
    select.addEventListener("change", () => setLang(select.value, { remember: true }));
    onLangChange((code) => { select.value = code; });
  }
}
