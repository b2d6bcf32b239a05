// The delegate's own certificate on the participant page: their attendance so far and, once it
// reaches the organizer's minimum, a button that downloads their certificate (a PDF in the
// event's language). HTTP routes of server/web/certificates_api.py, authenticated by this
// browser's device id in the body (never in a URL), as its websocket hello is.

import { h, fill } from "./dom.js";
import { t, number } from "./i18n.js";
import { errorText } from "./page.js";
import { saveBlob } from "./downloads.js";
import { HubError } from "./hub.js";
import { liveSession } from "./state.js";

async function post(path, device) {
  const response = await fetch(path, {
    method: "POST", cache: "no-store",
    headers: { "content-type": "application/json", accept: "application/json, application/pdf" },
    body: JSON.stringify({ device }),
  });
  if (!response.ok) {
    let error = {};
    try { error = (await response.json()).error || {}; } catch { /* not JSON */ }
    throw new HubError(error.code || `http_${response.status}`, error.message || response.statusText, error.details);
  }
  return response;
}

/** Draw the box into `root` for a delegate (hidden for everyone else); asked again whenever a
 * session starts or ends, since that is when attendance moves on. */
export function renderMyCertificate(root, hub) {
  const state = hub.state.public || {};
  const delegate = state.delegate;
  const live = liveSession(state);
  const key = delegate && delegate.status !== "revoked" ? `d${delegate.id}|${live ? live.id : "-"}` : "none";
  if (root.dataset.key === key && root.dataset.lang === document.documentElement.lang) return;
  root.dataset.key = key;
  root.dataset.lang = document.documentElement.lang;
  if (key === "none") { root.hidden = true; fill(root); return; }
  root.hidden = false;
  show(root, hub);
}

async function show(root, hub) {
  const base = `/api/events/${encodeURIComponent(hub.event)}/my-certificate`;
  const heading = h("h3", { class: "mycert-title" }, t("mycert.title"));
  const status = h("p", { class: "hint mycert-status", role: "status" });
  const refresh = h("button", { type: "button", class: "btn btn-small", id: "mycert-refresh", onclick: () => show(root, hub) },
    t("mycert.refresh"));
  let found;
  try { found = await (await post(base, hub.device)).json(); } catch (err) {
    fill(root, heading, h("p", { class: "hint mycert-status", role: "status" }, errorText(err)), refresh);
    return;
  }
  const minutes = (n) => number(n, { maximumFractionDigits: 1 });
  if (!found.eligible) {
    status.textContent = t("mycert.progress", { minutes: minutes(found.minutes), min_minutes: minutes(found.min_minutes) });
    fill(root, heading, status, refresh);
    return;
  }
  status.textContent = t("mycert.ready", { minutes: minutes(found.minutes) });
  const download = h("button", {
    type: "button", class: "btn btn-primary", id: "mycert-download", onclick: async () => {
      download.disabled = true;
      try {
        const response = await post(`${base}.pdf`, hub.device);
        const named = /filename="([^"]+)"/.exec(response.headers.get("content-disposition") || "");
        saveBlob(await response.blob(), named ? named[1] : "certificate.pdf");
      } catch (err) { status.textContent = errorText(err); }
      download.disabled = false;
    },
  }, t("mycert.download"));
  fill(root, heading, status, h("div", { class: "row" }, download));
}
