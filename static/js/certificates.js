// The organizer's certificates card: attendance per delegate (minutes checked in while a session
// was live), the threshold, issuing in bulk and the PDF of every certificate issued.
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
  const save = h("button", {
    type: "button", class: "btn btn-small", onclick: async () => {
      try { await call("PUT", "/certificates/threshold", { min_minutes: Number(minimum.value) }); toast(t("cert.saved")); redraw(); }
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
  const rows = view.people.map((p) => h("tr", {},
    h("th", { scope: "row" }, p.name), h("td", {}, p.segment),
    h("td", {}, number(p.minutes, { maximumFractionDigits: 1 })),
    h("td", {}, p.code ? h("a", { href: `/verify/${p.code}`, target: "_blank", rel: "noopener" }, p.code)
      : p.eligible ? t("cert.eligible") : "")));
  fill(section, heading, h("p", { class: "hint" }, t("cert.hint")),
    h("div", { class: "row" }, h("div", { class: "field" }, h("label", { for: "cert-min" }, t("cert.threshold")), minimum), save),
    rows.length
      ? h("table", { class: "cert-table" }, h("thead", {}, h("tr", {},
        ...["cert.name", "cert.segment", "cert.minutes", "cert.code"].map((k) => h("th", { scope: "col" }, t(k))))),
      h("tbody", {}, rows))
      : h("p", { class: "hint" }, t("cert.none")),
    h("div", { class: "row row-end" }, pdf, issue));
}
