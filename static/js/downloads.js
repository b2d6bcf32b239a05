// Files from the HTTP API that need the page's staff secret (exports, the audit log): fetched
// with `Authorization: Bearer`, never a secret in a URL, then saved under the server's name.

import { h } from "./dom.js";
import { HubError } from "./hub.js";

/** Fetch `path` with the bearer `secret` and save it; rejects with a HubError (the API's code). */
export async function download(path, secret, fallbackName) {
  const response = await fetch(path, { headers: { authorization: `Bearer ${secret}` }, cache: "no-store" });
  if (!response.ok) {
    let error = {};
    try { error = (await response.json()).error || {}; } catch { /* not JSON */ }
    throw new HubError(error.code || `http_${response.status}`, error.message || response.statusText, error.details);
  }
  const disposition = /filename="([^"]+)"/.exec(response.headers.get("content-disposition") || "");
  saveBlob(await response.blob(), disposition ? disposition[1] : fallbackName);
}

export function saveBlob(blob, name) {
  const url = URL.createObjectURL(blob);
  const a = h("a", { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
