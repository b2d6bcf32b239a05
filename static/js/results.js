// Live result bars of a poll (single, multiple, sectioned ballots, yes/no/abstain, ranking,
// rating, word cloud) on the participant page and in the presenter's poll rows; the projector
// builds its pages from the same bars (static/js/stagepoll.js).
// Bars keep their nodes between updates so their width animates (CSS transition).

import { h, setText, syncList } from "./dom.js";
import { t, number, percent } from "./i18n.js";
import { countPanel, electionPanels } from "./rounds.js";

/** The label of an option; yes/no/abstain are localized by id. */
export function optionLabel(poll, option) {
  if (poll.kind === "yes_no_abstain" && ["yes", "no", "abstain"].includes(option.id)) return t(`poll.${option.id}`);
  return option.label;
}

/** What a ranking poll's bars show: Borda points for a Borda count, first preferences for the
 * round-based and Condorcet counts (their decision is in the rounds); picks for other kinds. */
export function barCounts(poll, results) {
  if (poll.kind !== "ranking") return results.counts || {};
  if ((poll.rankMethod || "borda") === "borda") return results.borda || results.counts || {};
  return results.first || results.counts || {};
}

/** A section's bars: picks, or for an STV election first preferences within the segment (every
 * ballot ranks every candidate, so picks would all be equal). */
export function sectionCounts(section) {
  return (section && (section.first || section.counts)) || {};
}

/** The outcome of one section (`""`: an unsectioned poll) of a closed poll, or null. */
export function outcomeOf(poll, sectionId) {
  const list = poll.outcome || [];
  return list.find((o) => (o.section_id || "") === (sectionId || "")) || null;
}

/** One bar (an `li.bar-row`), built or updated in place: label, count, share, outcome mark. */
export function barRow(poll, option, counts, total, outcome, node) {
  // `total`: the ballots (a multiple-choice bar reads "chosen by N% of voters"); ranking: all points.
  const n = counts[option.id] || 0;
  const share = total > 0 ? n / total : 0;
  if (!node) {
    node = h("li", { class: "bar-row" },
      h("span", { class: "bar-label" }, h("span", { class: "bar-text" }), h("span", { class: "bar-tag" }),
        h("span", { class: "bar-origin" })),
      h("span", { class: "bar-track", "aria-hidden": "true" }, h("span", { class: "bar-fill" })),
      h("span", { class: "bar-value" }, h("strong", { class: "bar-count" }), " ", h("span", { class: "bar-pct" })));
  }
  setText(node.querySelector(".bar-text"), optionLabel(poll, option));
  node.querySelector(".bar-fill").style.width = `${(share * 100).toFixed(2)}%`;
  setText(node.querySelector(".bar-count"), number(n));
  setText(node.querySelector(".bar-pct"), percent(share));
  const selected = outcome && (outcome.selected || []).includes(option.id);
  const tied = outcome && (outcome.tied || []).includes(option.id);
  const alternate = outcome && (outcome.alternates || []).includes(option.id);
  node.dataset.outcome = selected ? "selected" : tied ? "tied" : alternate ? "alternate" : "";
  setText(node.querySelector(".bar-tag"), alternate ? ` · ${t("results.alternate")}` : "");
  // A pre-conference proposal's origin line: where it came from, on the projector and phones alike.
  const origin = node.querySelector(".bar-origin");
  if (origin) { setText(origin, option.origin || ""); origin.hidden = !option.origin; }
  node.setAttribute("aria-label", `${optionLabel(poll, option)}: ${t("results.votes", { n })}, ${percent(share)}`
    + (selected ? `, ${t("results.approved")}` : tied ? `, ${t("results.tied")}` : alternate ? `, ${t("results.alternate")}` : ""));
  return node;
}

/**
 * Render (or update in place) `poll`'s results into `root`.
 * poll: {kind, question, options, sections, results: {ballots, counts, sections?, distribution?, mean?,
 * borda?, words?}, outcome?: [{section_id, title, selected, alternates, tied, open_places}], status,
 * rankMethod?, ranked?: the count of a closed ranking poll, election?: a closed election's result, whose
 * STV segments carry their counts (static/js/rounds.js)}
 */
export function renderResults(root, poll) {
  const results = poll.results || { ballots: 0, counts: {} };
  const final = poll.status === "closed";
  const signature = `${poll.id}|${poll.kind}|${(poll.sections || []).length}|${final}`;
  if (root.dataset.signature !== signature) {
    root.replaceChildren();
    root.dataset.signature = signature;
  }
  root.dataset.final = final ? "true" : "false";
  if (poll.kind === "open_text") return renderWords(root, results.words || []);
  if (poll.kind === "rating") return renderRating(root, poll, results);
  const counts = barCounts(poll, results);
  const options = poll.options || [];
  const sections = poll.sections || [];
  if (sections.length) {
    let grid = root.querySelector(".sections");
    if (!grid) {
      grid = h("div", { class: "sections" });
      root.append(grid);
    }
    syncList(grid, sections, (s) => s.id, (section, node) => {
      const inSection = options.filter((o) => section.option_ids.includes(o.id));
      const secResults = (results.sections && results.sections[section.id]) || { ballots: 0, counts: {} };
      const total = secResults.ballots || 0;
      const outcome = final ? outcomeOf(poll, section.id) : null;
      if (!node) {
        node = h("section", { class: "section-result" },
          h("h3", { class: "section-title" }), h("p", { class: "section-meta" }), h("div", { class: "section-bars" }),
          h("p", { class: "tie-note" }));
      }
      tieNote(node.querySelector(".tie-note"), outcome);
      setText(node.querySelector(".section-title"), section.title);
      const limit = section.seats
        ? t("results.seats", { n: section.seats })
        : t("results.choose_up_to", { n: section.max_picks });
      setText(node.querySelector(".section-meta"), `${limit} · ${t("results.ballots", { n: secResults.ballots || 0 })}`);
      updateBars(node.querySelector(".section-bars"), poll, inSection, sectionCounts(secResults), total, outcome, final);
      return node;
    });
    // An STV election's rounds, segment by segment, under the bars once it is counted.
    const panels = final ? electionPanels(poll, poll.election) : [];
    let counts = root.querySelector(":scope > .election-counts");
    if (panels.length) {
      if (!counts) {
        counts = h("div", { class: "election-counts" });
        root.append(counts);
      }
      counts.replaceChildren(...panels);
    } else if (counts) counts.remove();
    return root;
  }
  let holder = root.querySelector(".single-bars");
  if (!holder) {
    holder = h("div", { class: "single-bars" });
    root.append(holder);
  }
  const total = poll.kind === "ranking"
    ? Object.values(counts).reduce((a, b) => a + b, 0)
    : results.ballots || 0;
  const outcome = final ? outcomeOf(poll, "") : null;
  updateBars(holder, poll, options, counts, total, outcome, final);
  let note = root.querySelector(".tie-note");
  if (!note) {
    note = h("p", { class: "tie-note" });
    root.append(note);
  }
  tieNote(note, outcome);
  // A closed count can still change (a recount after moderation): the panel follows the result.
  const shown = root.querySelector(".ranked-count");
  const panel = final && poll.kind === "ranking" ? countPanel(poll, poll.ranked) : null;
  if (shown && panel) shown.replaceWith(panel);
  else if (panel) root.append(panel);
  else if (shown) shown.remove();
  return root;
}

/** A tie at the cut-off is never broken silently: say how many places the plenary decides. */
export function tieNote(node, outcome) {
  const tied = outcome && (outcome.tied || []).length;
  node.hidden = !tied;
  setText(node, tied ? `⚖ ${t("results.tie_note", { n: outcome.open_places || 1 })}` : "");
}

function updateBars(holder, poll, options, counts, total, outcome, final) {
  let list = holder.querySelector(".bars");
  if (!list) {
    list = h("ol", { class: "bars plain" });
    holder.append(list);
  }
  const ordered = final ? [...options].sort((a, b) => (counts[b.id] || 0) - (counts[a.id] || 0)) : options;
  syncList(list, ordered, (o) => o.id, (option, node) => barRow(poll, option, counts, total, outcome, node));
}

function renderRating(root, poll, results) {
  const dist = results.distribution || {};
  const values = Object.keys(dist).map(Number).sort((a, b) => a - b);
  const total = values.reduce((a, v) => a + (dist[String(v)] || 0), 0);
  const options = values.map((v) => ({ id: String(v), label: String(v) }));
  let head = root.querySelector(".rating-mean");
  if (!head) {
    head = h("p", { class: "rating-mean" });
    root.prepend(head);
  }
  setText(head, results.mean == null ? "" : t("results.mean", { mean: number(results.mean, { maximumFractionDigits: 1 }) }));
  let holder = root.querySelector(".single-bars");
  if (!holder) {
    holder = h("div", { class: "single-bars" });
    root.append(holder);
  }
  updateBars(holder, { ...poll, kind: "rating" }, options, dist, total, null, false);
  return root;
}

function renderWords(root, words) {
  let cloud = root.querySelector(".cloud");
  if (!cloud) {
    cloud = h("ul", { class: "cloud plain" });
    root.append(cloud);
  }
  const max = words.reduce((m, [, n]) => Math.max(m, n), 1);
  syncList(cloud, words, ([w]) => w, ([word, n], node) => {
    node = node || h("li");
    setText(node, word);
    node.style.fontSize = `${(0.9 + 1.3 * (n / max)).toFixed(2)}em`;
    node.title = t("results.votes", { n });
    return node;
  });
  if (!words.length) cloud.replaceChildren(h("li", { class: "empty" }, t("results.no_words")));
  return root;
}
