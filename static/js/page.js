// What every page shares: the staff secret from the URL fragment, the connection banner,
// the language (the event's default unless the visitor chose one) and the event time zone.

import { Hub, codeFromPath, storage } from "./hub.js";
import { $, h, fill } from "./dom.js";
import { t, setLang, preferred, hasChoice, setTimeZone, languageSwitcher, onLangChange, lang } from "./i18n.js";

/**
 * The staff secret of this page: read from `#k=` (then removed from the visible URL and
 * history), kept in sessionStorage for reloads of this tab, sent only in the hello `token`
 * or an Authorization header.
 */
export function staffSecret(code) {
  const key = `plenaria.secret.${location.pathname.split("/")[1] || ""}.${code}`;
  const match = /(?:^#|&)k=([^&]+)/.exec(location.hash);
  let store = null;
  try { store = window.sessionStorage; } catch { store = null; }
  if (match) {
    const secret = decodeURIComponent(match[1]);
    try { store && store.setItem(key, secret); } catch { /* memory only */ }
    history.replaceState(null, "", location.pathname + location.search);
    return secret;
  }
  try { return (store && store.getItem(key)) || ""; } catch { return ""; }
}

/**
 * Start a page: language, hub, banners. Returns the hub (already connecting).
 * options: {staff: true} reads the secret; {quiet: true} shows no banners (overlay).
 */
export async function startPage({ staff = false, quiet = false, switcher = "#lang", shortLangs = false } = {}) {
  const code = codeFromPath();
  const token = staff ? staffSecret(code) : "";
  await setLang(preferred(storage.get(`plenaria.eventlang.${code}`) || ""));
  const hub = new Hub({ event: code, token, lang: lang() });
  window.plenaria = { hub };
  if (!quiet) mountBanners(hub, { staff });
  let eventLangsApplied = "";
  hub.on("change", () => {
    const event = hub.state.public && hub.state.public.event;
    if (!event) return;
    setTimeZone(event.timezone);
    const key = `${event.default_lang}|${(event.languages || []).join(",")}`;
    if (key !== eventLangsApplied) {
      eventLangsApplied = key;
      storage.set(`plenaria.eventlang.${code}`, event.default_lang);
      if (!hasChoice() && lang() !== event.default_lang) setLang(event.default_lang);
      const select = switcher && $(switcher);
      if (select) languageSwitcher(select, staff ? null : event.languages, { short: shortLangs });
    }
    if (event.title) document.title = `${event.title} · Plenária`;
  });
  if (staff) {
    // A staff link was revoked; the server does not say whose. Reconnect (with resume, so
    // nothing is lost): a revoked link is then refused with 4401 and this page stops.
    hub.on("event", ({ name }) => { if (name === "staff.revoked") setTimeout(() => hub.connect(), 200); });
  }
  const select = switcher && $(switcher);
  if (select) languageSwitcher(select, null, { short: shortLangs });
  if (staff && !token) {
    hub.fail("no_token");
  } else if (!code) {
    hub.fail("event_not_found");
  } else {
    hub.connect();
  }
  return hub;
}

/** The offline / fatal / degraded banners, announced politely by screen readers. */
export function mountBanners(hub, { staff = false } = {}) {
  let region = $("#status");
  if (!region) {
    region = h("div", { id: "status", class: "status-region", role: "status", "aria-live": "polite" });
    document.body.prepend(region);
  }
  const render = () => {
    const parts = [];
    if (hub.status === "fatal") {
      const code = hub.fatal ? hub.fatal.code : "";
      const key = {
        invalid_token: "status.invalid_token",
        event_not_found: "status.event_not_found",
        no_token: "status.no_token",
      }[code] || "status.refused";
      parts.push(h("p", { class: "banner banner-fatal", dataset: { state: "fatal" } }, t(key)));
    } else if (hub.status === "offline") {
      parts.push(h("p", { class: "banner banner-offline", dataset: { state: "offline" } }, t("status.offline")));
    } else if (hub.status === "connecting") {
      parts.push(h("p", { class: "banner banner-connecting", dataset: { state: "connecting" } }, t("status.connecting")));
    }
    if (staff && hub.health === "degraded" && hub.status === "online") {
      parts.push(h("p", { class: "banner banner-degraded", dataset: { state: "degraded" } }, t("status.degraded")));
    }
    fill(region, ...parts);
    document.body.dataset.connection = hub.status;
  };
  hub.on("status", render);
  hub.on("health", render);
  hub.on("fatal", render);
  onLangChange(render);
  render();
}

/** A short-lived message (saved, copied, error) in a polite live region. */
export function toast(message, kind = "info") {
  let region = $("#toasts");
  if (!region) {
    region = h("div", { id: "toasts", class: "toasts", role: "status", "aria-live": "polite" });
    document.body.append(region);
  }
  const node = h("p", { class: `toast toast-${kind}` }, message);
  region.append(node);
  setTimeout(() => node.remove(), kind === "error" ? 8000 : 4000);
}

/**
 * The localized text of a HubError (or an HTTP API error): `error.<code>.<rule>` when the server
 * named the rule it applied, else `error.<code>`, with the details (field, line, limits...)
 * interpolated in the page's language; the server's English message only when no string exists.
 * `context.sections` (a poll's sections) lets "sections[0]" read as the section's own title.
 */
export function errorText(error, context = {}) {
  const code = error && error.code;
  const raw = (error && error.details) || {};
  const details = humanDetails(raw, code, context);
  for (const key of [raw.rule ? `error.${code}.${raw.rule}` : "", `error.${code}`]) {
    if (!key) continue;
    const text = t(key, details);
    // A detail the server did not send leaves no "{placeholder}" behind.
    if (text && text !== key) return text.replace(/\s*\(?\{\w+\}\)?/g, "").replace(/\s+([.,:;])/g, "$1");
  }
  return (error && error.message) || t("error.generic");
}

function humanDetails(details, code, context) {
  const out = { ...details };
  if (typeof details.field === "string") out.field = fieldName(details.field, context);
  if (typeof details.status === "string") {
    const key = code === "invalid_transition" ? `poll.status_${details.status}` : `status.item_${details.status}`;
    const text = t(key);
    if (text !== key) out.status = text.toLowerCase();
  }
  for (const [name, value] of Object.entries(out)) if (Array.isArray(value)) out[name] = value.join(", ");
  return out;
}

/** "sections[0].max_picks" -> "seção 1 (“Municipal”) · máximo de escolhas", in the page's language. */
export function fieldName(path, { sections = [] } = {}) {
  return String(path).split(".").filter(Boolean).map((part) => {
    const indexed = /^(\w+)\[(\d+)\]$/.exec(part);
    if (indexed) {
      const [, list, index] = indexed;
      const singular = { sections: "field.section", options: "field.option" }[list];
      if (!singular) return part;
      const title = list === "sections" && sections[Number(index)] ? ` (“${sections[Number(index)].title}”)` : "";
      return `${t(singular, { n: Number(index) + 1 })}${title}`;
    }
    const key = `field.${part}`;
    const text = t(key);
    return text === key ? part : text;
  }).join(" · ");
}
