// The organizer's pre-conferences card: the conference's eixos, its meetings (each an event
// with its own join code), the contributions they sent per eixo and level, and the
// consolidation into final proposals: select and merge (wording editable, the original kept),
// edit, undo, and the conference's sectioned ballot made from the list.
// HTTP API of server/web/preconference_api.py with the organizer's bearer secret.

import { h, fill, field } from "./dom.js";
import { t } from "./i18n.js";
import { toast, errorText } from "./page.js";

const levelName = (level) => t(`pre.level_${level}`);

/** "CRAS Nações, 13/06 — 2 contributions merged", in the page's language. */
export function originLine(proposal) {
  const places = proposal.origins.map((o) => o.label).join("; ");
  const count = proposal.contributions.length;
  return count > 1 ? `${places} — ${t("pre.merged", { n: count })}` : places;
}

// The meeting added last on this page, with its links: their secrets are shown only now.
let added = null;
// The contributions ticked for the next merge: kept when the card redraws for a new arrival.
const selected = new Set();
const LINKS = [["organizer", "org.link_organizer"], ["moderator", "org.link_moderator"], ["presenter", "org.link_presenter"],
  ["participant", "org.link_participant"], ["screen", "org.link_screen"]];

/**
 * Draw the card into `section`. `call(method, path, body)` is the organizer's API helper;
 * `onBallot(poll)` (optional) runs once the ballot is made; `linkRow(label, url)` draws a link to copy.
 */
export async function drawPreconference(section, options) {
  const { call, onBallot, linkRow } = options;
  const heading = h("h2", { id: "s-pre" }, t("pre.title"));
  let view;
  try { view = await call("GET", "/preconference"); } catch (err) { fill(section, heading); toast(errorText(err), "error"); return; }
  if (view.meeting_of) {
    // A meeting's own organizer page: its contributions are consolidated at the conference.
    fill(section, heading, h("p", { class: "hint" }, t("pre.is_meeting", view.meeting_of)));
    return;
  }
  const redraw = () => drawPreconference(section, options);
  const act = async (work, message) => {
    // Redrawn after a refusal too: another tab or team member may have changed the list.
    try { const result = await work(); if (message) toast(message); await redraw(); return result; } catch (err) { toast(errorText(err), "error"); await redraw(); return null; }
  };
  const meetings = new Map(view.meetings.map((m) => [m.id, m]));

  // -- eixos and meetings --
  const eixos = h("textarea", { id: "pre-eixos", rows: "4" }, view.eixos.join("\n"));
  const eixoForm = h("form", {}, field(t("pre.eixos"), eixos, t("pre.eixos_hint")),
    h("div", { class: "row row-end" }, h("button", { type: "submit", class: "btn" }, t("common.save"))));
  eixoForm.addEventListener("submit", (e) => {
    e.preventDefault();
    act(() => call("PUT", "/preconference/eixos", { eixos: eixos.value.split("\n") }), t("org.saved"));
  });
  const place = h("input", { id: "pre-place", maxlength: "120", required: true, placeholder: "CRAS Nações" });
  const date = h("input", { id: "pre-date", type: "date", required: true });
  const area = h("input", { id: "pre-area", maxlength: "80", placeholder: t("pre.area_placeholder") });
  const meetingForm = h("form", { id: "pre-meeting" },
    h("div", { class: "two-col" }, field(t("pre.place"), place), field(t("pre.date"), date)),
    field(t("pre.area"), area),
    h("div", { class: "row row-end" }, h("button", { type: "submit", class: "btn btn-primary" }, t("pre.add_meeting"))));
  meetingForm.addEventListener("submit", (e) => {
    e.preventDefault();
    act(async () => {
      added = await call("POST", "/preconference/meetings", { place: place.value, date: date.value, area: area.value });
      return added;
    }, t("pre.meeting_added"));
  });
  const meetingList = h("ul", { class: "pre-meetings" }, view.meetings.map((m) => h("li", { dataset: { meeting: String(m.id) } },
    h("strong", {}, m.label), m.area ? ` · ${m.area}` : "", " · ",
    h("a", { href: `/e/${m.code}`, target: "_blank", rel: "noopener" }, m.code), " · ",
    t("pre.contributions_n", { n: m.contributions }))));
  const addedLinks = added && linkRow ? h("div", { class: "secret-once", id: "pre-added" },
    h("p", {}, t("pre.links_once", { code: added.event.code })),
    LINKS.filter(([key]) => added.links[key]).map(([key, label]) => linkRow(t(label), added.links[key]))) : null;
  const loose = view.contributions.filter((c) => !c.proposal).length;

  // -- contributions, per level and eixo, with a checkbox each --
  const proposalOf = new Map(view.proposals.map((p) => [p.id, p]));
  const boxes = [];
  const groups = [];
  for (const level of view.levels) {
    for (const eixo of [...new Set(view.contributions.filter((c) => c.level === level).map((c) => c.eixo))]) {
      const items = view.contributions.filter((c) => c.level === level && c.eixo === eixo);
      groups.push(h("div", { class: "pre-group" }, h("h4", {}, `${levelName(level)} · ${eixo}`),
        h("ul", { class: "pre-contributions" }, items.map((c) => {
          const box = h("input", { type: "checkbox", value: String(c.id), checked: selected.has(c.id), dataset: { contribution: String(c.id) },
            onchange: (e) => { if (e.target.checked) selected.add(c.id); else selected.delete(c.id); } });
          boxes.push(box);
          const m = meetings.get(c.meeting);
          const merged = c.proposal ? proposalOf.get(c.proposal) : null;
          return h("li", { dataset: { contribution: String(c.id) } },
            h("label", { class: "check" }, box, h("span", {}, c.text)),
            h("span", { class: "hint" }, m ? m.label : "", merged ? ` · ${t("pre.in_proposal", { n: merged.position })}` : ""));
        }))));
    }
  }
  const text = h("textarea", { id: "pre-text", rows: "2", maxlength: "300", placeholder: t("pre.text_placeholder") });
  const eixoSelect = (id, value) => h("select", { id }, h("option", { value: "" }, t("pre.keep")),
    view.eixos.map((e) => h("option", { value: e, selected: e === value }, e)));
  const levelSelect = (id, value) => h("select", { id }, h("option", { value: "" }, t("pre.keep")),
    view.levels.map((l) => h("option", { value: l, selected: l === value }, levelName(l))));
  const mergeEixo = eixoSelect("pre-merge-eixo");
  const mergeLevel = levelSelect("pre-merge-level");
  const mergeForm = h("form", { id: "pre-merge" }, field(t("pre.wording"), text, t("pre.wording_hint")),
    h("div", { class: "two-col" }, field(t("pre.eixo"), mergeEixo), field(t("pre.level"), mergeLevel)),
    h("div", { class: "row row-end" }, h("button", { type: "submit", class: "btn btn-primary", id: "pre-merge-button" }, t("pre.merge"))));
  mergeForm.addEventListener("submit", (e) => {
    e.preventDefault();
    const ids = boxes.filter((b) => b.checked).map((b) => Number(b.value));
    if (!ids.length) { toast(t("pre.select_first"), "error"); return; }
    const body = { contributions: ids };
    if (text.value.trim()) body.text = text.value;
    if (mergeEixo.value) body.eixo = mergeEixo.value;
    if (mergeLevel.value) body.level = mergeLevel.value;
    act(async () => { const made = await call("POST", "/preconference/proposals", body); selected.clear(); return made; },
      t("pre.merged_done"));
  });

  // -- the consolidated list --
  const proposals = h("ol", { class: "pre-proposals", id: "pre-proposals" }, view.proposals.map((p) => proposalRow(p)));
  function proposalRow(p) {
    const wording = h("textarea", { rows: "2", maxlength: "300", "aria-label": t("pre.wording") }, p.text);
    const eixo = eixoSelect(`pre-eixo-${p.id}`, p.eixo);
    const level = levelSelect(`pre-level-${p.id}`, p.level);
    const save = h("button", { type: "button", class: "btn btn-small", onclick: () => {
      const body = { text: wording.value };
      if (eixo.value) body.eixo = eixo.value;
      if (level.value) body.level = level.value;
      act(() => call("PATCH", `/preconference/proposals/${p.id}`, body), t("org.saved"));
    } }, t("common.save"));
    const undo = h("button", { type: "button", class: "btn btn-small", onclick: () =>
      act(() => call("DELETE", `/preconference/proposals/${p.id}`), t("pre.undone")) }, t("pre.undo"));
    return h("li", { dataset: { proposal: String(p.id) } },
      h("p", { class: "pre-text" }, h("strong", {}, `${levelName(p.level)} · ${p.eixo}: `), p.text),
      h("p", { class: "pre-origin hint" }, `${t("pre.origin")}: ${originLine(p)} · ${t("pre.supporters", { n: p.supporters })}`),
      p.original !== p.text ? h("details", {}, h("summary", {}, t("pre.original")), h("p", { class: "pre-original" }, p.original)) : null,
      h("details", {}, h("summary", {}, t("pre.edit")), field(t("pre.wording"), wording),
        h("div", { class: "two-col" }, field(t("pre.eixo"), eixo), field(t("pre.level"), level)),
        h("div", { class: "row" }, save, undo)));
  }

  // -- the ballot --
  const limits = Object.fromEntries(view.levels.map((l) => [l, h("input", { id: `pre-limit-${l}`, type: "number", min: "1",
    value: String(Math.max(1, view.proposals.filter((p) => p.level === l).length)) })]));
  const ballotButton = h("button", { type: "button", class: "btn btn-primary", id: "pre-ballot", disabled: !view.proposals.length, onclick: async () => {
    const chosen = {};
    for (const [level, input] of Object.entries(limits)) {
      if (view.proposals.some((p) => p.level === level)) chosen[level] = Number(input.value);
    }
    const poll = await act(() => call("POST", "/preconference/ballot", { limits: chosen }), t("pre.ballot_made"));
    if (poll && onBallot) onBallot(poll);
  } }, t("pre.make_ballot"));

  fill(section, heading, h("p", { class: "hint" }, t("pre.hint")), eixoForm,
    h("h3", {}, t("pre.meetings")), meetingList, addedLinks, meetingForm,
    h("h3", {}, t("pre.contributions")), groups.length ? groups : h("p", { class: "hint" }, t("pre.no_contributions")), mergeForm,
    h("h3", {}, t("pre.proposals")), view.proposals.length ? proposals : h("p", { class: "hint" }, t("pre.no_proposals")),
    h("h3", {}, t("pre.ballot")), h("p", { class: "hint" }, t("pre.ballot_hint")),
    loose ? h("p", { class: "secret-once", id: "pre-loose" }, t("pre.unconsolidated", { n: loose })) : null,
    h("div", { class: "two-col" }, view.levels.map((l) => field(t("pre.limit", { level: levelName(l) }), limits[l]))),
    h("div", { class: "row row-end" }, ballotButton));
}
