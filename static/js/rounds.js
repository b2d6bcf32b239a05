// The count of a closed ranking poll (`poll.result.ranked`): its method and quota, then each
// round of an instant-runoff or STV count (votes held, what moved since the previous round,
// who was elected or eliminated, a tie left for the plenary), or the final order of a Borda
// or Schulze count. Rebuilt whole on each call: a closed count no longer changes.

import { h } from "./dom.js";
import { t, number } from "./i18n.js";

/** The section showing `ranked` for `poll` (options give the labels), or null without a count. */
export function countPanel(poll, ranked) {
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
  return h("section", { class: "ranked-count", "data-method": ranked.method, "aria-label": t("count.title") },
    h("h3", { class: "count-title" }, t("count.title")), ...parts);
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
