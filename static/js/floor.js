// The plenária from the phone: ask for the floor on the live session (a favor, contra, or a
// question of order), take the request back; as a delegate, mark proposals for destaque while
// a window is open, submit a moção and sign the others'. Every button sends one command.

import { h, fill } from "./dom.js";
import { t } from "./i18n.js";
import { toast, errorText } from "./page.js";
import { liveSession } from "./state.js";

const KINDS = ["repudio", "apoio", "recomendacao", "congratulacao", "outra"];

function send(hub, type, fields, okKey) {
  return hub.send(type, fields).then(() => { if (okKey) toast(t(okKey)); }, (error) => toast(errorText(error), "error"));
}

function button(label, onclick, extra = {}) {
  return h("button", { type: "button", class: "btn btn-small", onclick, ...extra }, label);
}

export function renderFloor(root, hub) {
  const active = document.activeElement;
  if (root.contains(active) && active.matches("input, textarea, select")) return;  // keep what is typed
  const state = hub.state.public || {};
  const me = (hub.participant || {}).id;
  const parts = [];
  const session = liveSession(state);
  if (session) {
    const list = (state.speakers || []).find((l) => l.session === session.id);
    const place = list ? list.queue.findIndex((r) => r.public_id === me) : -1;
    const s = { session: session.id };
    parts.push(h("section", { class: "card floor-card" },
      h("h3", {}, t("floor.heading")),
      list && list.current ? h("p", { class: "hint" }, t("speakers.heading"), " ", list.current.name) : null,
      place >= 0
        ? h("div", { class: "row" }, h("p", { class: "grow" }, t("floor.place", { n: place + 1 })),
          button(t("floor.withdraw"), () => send(hub, "speakers.withdraw", s)))
        : list && list.closed ? h("p", { class: "muted" }, t("speakers.closed"))
          : h("div", { class: "row", role: "group", "aria-label": t("floor.heading") },
            ...["for", "against", "order"].map((stance) => button(t(`floor.ask_${stance}`),
              () => send(hub, "speakers.request", { ...s, stance }, "floor.asked"))))));
  }
  if (state.delegate) {
    for (const round of (state.destaques || []).filter((d) => d.phase === "window")) {
      parts.push(h("section", { class: "card floor-card" },
        h("h3", {}, t("plenary.window_open")),
        h("ul", { class: "plain" }, ...round.proposals.map((p) => h("li", { class: "row" },
          h("span", { class: "grow" }, p.text),
          button(t("floor.mark"), () => send(hub, "destaque.mark", { poll: round.poll, proposal: p.id }, "floor.marked")),
          button(t("floor.unmark"), () => send(hub, "destaque.mark", { poll: round.poll, proposal: p.id, marked: false })))))));
    }
    const motions = ((state.mocoes || {}).motions || []).filter((m) => !m.matter);
    const kind = h("select", { id: "mocao-kind" }, ...KINDS.map((k) => h("option", { value: k }, t(`mocao.kind_${k}`))));
    const text = h("textarea", { id: "mocao-text", class: "input", rows: "3", maxlength: "2000", required: true });
    const addressee = h("input", { id: "mocao-to", class: "input", maxlength: "200", required: true });
    const form = h("form", { class: "composer", onsubmit: (e) => {
      e.preventDefault();
      send(hub, "mocao.submit", { kind: kind.value, text: text.value.trim(), addressee: addressee.value.trim() },
        "floor.submitted").then(() => { text.value = ""; addressee.value = ""; });
    } },
    h("label", { for: "mocao-kind", class: "label" }, t("floor.mocao_kind")), kind,
    h("label", { for: "mocao-text", class: "label" }, t("floor.mocao_text")), text,
    h("label", { for: "mocao-to", class: "label" }, t("mocao.addressee")), addressee,
    h("button", { type: "submit", class: "btn btn-primary" }, t("floor.mocao_submit")));
    parts.push(h("section", { class: "card floor-card" }, h("h3", {}, t("floor.mocoes")),
      h("ul", { class: "plain" }, ...motions.map((m) => h("li", { class: "row" },
        h("span", { class: "grow" }, `${t(`mocao.kind_${m.kind}`)}: ${m.text} · ${t("mocao.signatures", { n: m.signatures, needed: m.needed })}`),
        button(t("floor.sign"), () => send(hub, "mocao.sign", { motion: m.id }, "floor.signed"))))),
      form));
  }
  fill(root, ...parts);
}
