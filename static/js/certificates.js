// The organizer's certificates card: attendance per delegate (minutes checked in at the door and
// connected online while a session was live), the threshold and what counts, issuing in bulk and
// the PDF of every certificate issued.
// HTTP API of server/web/certificates_api.py with the organizer's bearer secret.

import { h, fill } from "./dom.js";
import { t, number } from "./i18n.js";
import { toast, errorText } from "./page.js";
import { download } from "./downloads.js";

/** Draw the card into `section`; `call(method, path, body)` is the organizer's API helper. */
export async function drawCertificates(section, { code, secret, call }) {
  const heading = h("h2", { id: "s-certificates" }, t("cert.title"));
  let view;
  try { view = await call("GET", "/certificates"); } catch (err) { fill(section, heading); toast(errorText(err), "error"); return; }
  const redraw = () => drawCertificates(section, { code, secret, call });
  const minimum = h("input", { id: "cert-min", type: "number", min: "0", max: "43200", value: String(view.min_minutes) });
  const sources = h("select", { id: "cert-sources" },
    ...["both", "door", "online"].map((k) => h("option", { value: k, selected: view.sources === k || null }, t(`cert.sources_${k}`))));
  const save = h("button", {
    type: "button", class: "btn btn-small", id: "cert-save", onclick: async () => {
      try {
        await call("PUT", "/certificates/threshold", { min_minutes: Number(minimum.value), sources: sources.value });
        toast(t("cert.saved")); redraw();
      }
      catch (err) { toast(errorText(err), "error"); }
    },
  }, t("common.save"));
  const issue = h("button", {
    type: "button", class: "btn btn-primary", id: "cert-issue", onclick: async () => {
      try { const done = await call("POST", "/certificates/issue"); toast(t("cert.issued", { n: done.issued })); redraw(); }
      catch (err) { toast(errorText(err), "error"); }
    },
  }, t("cert.issue"));
  const pdf = h("button", {
    type: "button", class: "btn", id: "cert-pdf",
    onclick: () => download(`/api/events/${code}/certificates.pdf`, secret, `certificados-${code}.pdf`)
      .catch((err) => toast(errorText(err), "error")),
  }, t("cert.download"));
  const minutes = (n) => number(n, { maximumFractionDigits: 1 });
  const rows = view.people.map((p) => h("tr", { "data-delegate": String(p.delegate) },
    h("th", { scope: "row" }, p.name), h("td", {}, p.segment),
    h("td", { class: "cert-door" }, minutes(p.door_minutes)), h("td", { class: "cert-online" }, minutes(p.online_minutes)),
    h("td", { class: "cert-minutes" }, minutes(p.minutes)),
    h("td", {}, p.code ? h("a", { href: `/verify/${p.code}`, target: "_blank", rel: "noopener" }, p.code)
      : p.eligible ? t("cert.eligible") : "")));
  fill(section, heading, h("p", { class: "hint" }, t("cert.hint")),
    h("div", { class: "row" }, h("div", { class: "field" }, h("label", { for: "cert-min" }, t("cert.threshold")), minimum),
      h("div", { class: "field" }, h("label", { for: "cert-sources" }, t("cert.sources")), sources), save),
    rows.length
      ? h("table", { class: "cert-table" }, h("thead", {}, h("tr", {},
        ...["cert.name", "cert.segment", "cert.door", "cert.online", "cert.minutes", "cert.code"].map((k) => h("th", { scope: "col" }, t(k))))),
      h("tbody", {}, rows))
      : h("p", { class: "hint" }, t("cert.none")),
    h("div", { class: "row row-end" }, pdf, issue));
}
