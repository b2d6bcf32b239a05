// The count of a closed ranking poll (`poll.result.ranked`) or of each segment of an STV
// election (`poll.result.election.segments[].counts`): its method and quota, then each round of
// an instant-runoff or STV count (votes held, what moved since the previous round, who was
// elected or eliminated, a tie left for the plenary), or the final order of a Borda or Schulze
// count. Rebuilt whole on each call: a closed count no longer changes. `roundLines` gives the
// same rounds as short lines for the projector's pages.

import { h } from "./dom.js";
import { t, number } from "./i18n.js";

/** What one count of an STV election's segment decides: "Sociedade civil · seats" or "· 1st suplente". */
export function segmentCountTitle(segment, counted) {
  const what = counted.for === "seats" ? t("count.for_seats", { n: segment.seats })
    : t("count.for_alternate", { n: counted.place });
  return `${segment.title} · ${what}`;
}

/** Every count of a closed STV election, one `countPanel` per segment and purpose (none otherwise). */
export function electionPanels(poll, election) {
  if (!election) return [];
  return (election.segments || []).flatMap((segment) => (segment.counts || [])
    .map((counted) => countPanel(poll, counted, segmentCountTitle(segment, counted))));
}

/** The section showing `ranked` for `poll` (options give the labels), or null without a count;
 * `title` names the count when there are several (an election's segments). */
export function countPanel(poll, ranked, title = "") {
  if (!ranked) return null;
  const label = new Map((poll.options || []).map((o) => [o.id, o.label]));
  const names = (ids) => ids.map((id) => label.get(id) || id).join(", ");
  const head = [t(`count.method_${ranked.method}`, { n: ranked.seats })];
  if (ranked.quota != null) head.push(t("count.quota", { n: ranked.quota }));
  const parts = [h("p", { class: "count-method" }, head.join(" · "))];
  if (ranked.rounds.length) {
    let before = null;
    parts.push(h("ol", { class: "count-rounds plain" }, ranked.rounds.map((r) => {
      const item = roundItem(r, before, label, names);
      before = r;
      return item;
    })));
  } else if (ranked.order.length) {
    parts.push(h("ol", { class: "count-order" }, ranked.order.map((group) => h("li", {}, group.map((id) => label.get(id) || id).join(" = ")))));
  }
  if (ranked.tied.length) {
    parts.push(h("p", { class: "tie-note count-tie" }, `⚖ ${t("count.tied", { names: names(ranked.tied), n: ranked.open_places })}`));
  }
  return h("section", { class: "ranked-count", "data-method": ranked.method, "aria-label": title || t("count.title") },
    h("h3", { class: "count-title" }, title || t("count.title")), ...parts);
}

/** The rounds of `ranked` as short lines (an `li` each) for the projector: who holds what, who
 * gained by transfer, who was elected or eliminated; a last line for a tie. */
export function roundLines(poll, ranked) {
  const label = new Map((poll.options || []).map((o) => [o.id, o.label]));
  const name = (id) => label.get(id) || id;
  const names = (ids) => ids.map(name).join(", ");
  const figure = (n) => number(n, { maximumFractionDigits: 2 });
  let before = null;
  const lines = ranked.rounds.map((round) => {
    const held = Object.entries(round.totals).map(([id, votes]) => `${name(id)} ${figure(votes)}`).join(" · ");
    const moved = before ? Object.entries(round.totals)
      .map(([id, votes]) => [id, votes - (before.totals[id] ?? votes)]).filter(([, d]) => d > 0)
      .map(([id, d]) => `${name(id)} +${figure(d)}`).join(", ") : "";
    const said = [];
    if (round.elected.length) said.push(t("count.elected", { names: names(round.elected) }));
    if (round.eliminated.length) said.push(t("count.eliminated", { names: names(round.eliminated) }));
    if (round.tied.length) said.push(t("count.tied", { names: names(round.tied), n: ranked.open_places }));
    before = round;
    const state = round.tied.length ? "tied" : round.elected.length ? "elected" : "eliminated";
    return h("li", { class: "stage-round", dataset: { round: String(round.number), state } },
      h("strong", { class: "stage-round-name" }, t("count.round", { n: round.number })), " ",
      h("span", { class: "stage-round-said" }, said.join(" · ")),
      h("span", { class: "stage-round-held" }, held),
      moved ? h("span", { class: "stage-round-moved" }, `${t("count.moved")}: ${moved}`) : null);
  });
  if (!ranked.rounds.length && ranked.order.length) {
    lines.push(h("li", { class: "stage-round", dataset: { round: "order", state: "elected" } },
      ranked.order.map((group) => group.map(name).join(" = ")).join(" › ")));
  }
  return lines;
}

function roundItem(round, before, label, names) {
  const rows = Object.entries(round.totals).map(([id, votes]) => {
    const moved = before && id in before.totals ? votes - before.totals[id] : 0;
    const state = round.elected.includes(id) ? "elected" : round.eliminated.includes(id) ? "eliminated"
      : round.tied.includes(id) ? "tied" : "";
    return h("tr", { "data-state": state },
      h("th", { scope: "row" }, label.get(id) || id),
      h("td", {}, number(votes, { maximumFractionDigits: 2 })),
      h("td", { class: "count-moved" }, moved ? `${moved > 0 ? "+" : "−"}${number(Math.abs(moved), { maximumFractionDigits: 2 })}` : ""));
  });
  const notes = [];
  if (round.elected.length) notes.push(t("count.elected", { names: names(round.elected) }));
  if (round.eliminated.length) notes.push(t("count.eliminated", { names: names(round.eliminated) }));
  if (round.exhausted) notes.push(t("count.exhausted", { n: number(round.exhausted, { maximumFractionDigits: 2 }) }));
  return h("li", { class: "count-round", "data-round": String(round.number) },
    h("h4", {}, t("count.round", { n: round.number })),
    h("table", { class: "count-table" },
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t("count.candidate")), h("th", { scope: "col" }, t("count.votes")),
        h("th", { scope: "col" }, t("count.moved")))),
      h("tbody", {}, rows)),
    notes.length ? h("p", { class: "count-notes" }, notes.join(" · ")) : null);
}
