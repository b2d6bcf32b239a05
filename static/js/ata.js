// The organizer's ata card: the secretary's note per session, the ata to print (HTML) or
// download (PDF), and marking it final (its content then frozen, its fingerprint shown).
// HTTP API of server/web/ata_api.py with the organizer's bearer secret.

import { h, fill, setText } from "./dom.js";
import { t } from "./i18n.js";
import { toast, errorText } from "./page.js";
import { download } from "./downloads.js";

/**
 * Draw the ata card into `section`. `call(method, path, body)` is the organizer's API helper,
 * `openPrintable(path)` opens an HTML document in a new tab, `sessions` the agenda items.
 */
export async function drawAta(section, { code, secret, call, openPrintable, sessions }) {
  const heading = h("h2", { id: "s-ata" }, t("ata.title"));
  let view;
  try { view = await call("GET", "/ata"); } catch (err) { fill(section, heading); toast(errorText(err), "error"); return; }
  const base = `/api/events/${code}`;
  const status = h("p", { class: "ata-status", role: "status" },
    view.final ? t("ata.final_at", { fingerprint: view.fingerprint }) : t("ata.draft"));
  const notes = (sessions || []).map((session) => noteField(session, view, call));
  const finalButton = h("button", {
    type: "button", class: "btn btn-danger", id: "ata-finalize", disabled: view.final,
    onclick: async () => {
      if (!window.confirm(t("ata.confirm_final"))) return;
      try {
        const done = await call("POST", "/ata/final");
        toast(t("ata.finalized"));
        setText(status, t("ata.final_at", { fingerprint: done.fingerprint }));
        finalButton.disabled = true;
        for (const area of section.querySelectorAll("textarea, .ata-save")) area.disabled = true;
      } catch (err) { toast(errorText(err), "error"); }
    },
  }, t("ata.mark_final"));
  fill(section, heading, h("p", { class: "hint" }, t("ata.hint")), status,
    h("div", { class: "row" },
      h("button", { type: "button", class: "btn btn-small btn-primary", id: "ata-html", onclick: () => openPrintable(`${base}/ata.html`) },
        t("ata.open_html")),
      h("button", {
        type: "button", class: "btn btn-small", id: "ata-pdf",
        onclick: () => download(`${base}/ata.pdf`, secret, `ata-${code}.pdf`).catch((err) => toast(errorText(err), "error")),
      }, t("ata.download_pdf"))),
    notes.length ? h("div", { class: "ata-notes" }, h("h3", {}, t("ata.notes")), notes) : h("p", { class: "hint" }, t("ata.no_sessions")),
    h("div", { class: "row row-end" }, finalButton));
}

function noteField(session, view, call) {
  const id = `ata-note-${session.id}`;
  const area = h("textarea", { id, rows: "3", maxlength: "8000", disabled: view.final },
    (view.notes || {})[String(session.id)] || "");
  const save = h("button", {
    type: "button", class: "btn btn-small ata-save", disabled: view.final,
    onclick: async () => {
      try {
        await call("PUT", `/ata/notes/${session.id}`, { text: area.value });
        toast(t("ata.note_saved"));
      } catch (err) { toast(errorText(err), "error"); }
    },
  }, t("ata.save_note"));
  return h("div", { class: "field ata-note-field" }, h("label", { for: id }, session.title), area,
    h("div", { class: "row row-end" }, save));
}
