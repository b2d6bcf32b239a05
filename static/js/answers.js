// Open-text answers in the moderator console: the answers of word clouds as queue items (kind
// "answer", never a voter: docs/protocol.md "Open-text answers and moderation"), and a card per
// cloud listing its words, each of which a moderator can hide from every screen.

import { h, fill } from "./dom.js";
import { t } from "./i18n.js";

function allPolls(hub) {
  return (hub.state.staff && hub.state.staff.all_polls) || [];
}

/** Every answer item moderators see, with the question of its poll. */
export function answerItems(hub) {
  const views = (hub.state.staff && hub.state.staff.answers) || {};
  const polls = new Map(allPolls(hub).map((p) => [p.id, p]));
  const list = [];
  for (const view of Object.values(views)) {
    const poll = polls.get(view.poll);
    const question = poll && poll.spec ? poll.spec.question : "";
    for (const item of view.answers || []) list.push({ ...item, question });
  }
  return list;
}

export function answerUndecided(item) {
  return !item.decided_by && (item.status === "held" || item.status === "rejected");
}

/** [action, label key, button class, shortcut] for an answer item. */
export function answerActions(item) {
  if (answerUndecided(item)) return [["approve", "mod.approve", "btn-ok", "a"], ["reject", "mod.reject", "btn-danger", "r"]];
  // "delete" (key d) takes a shown answer off the screens, or shows a hidden one again.
  if (item.status === "hidden") return [["delete", "mod.show_answer", "", "d"]];
  return [["delete", "mod.hide_answer", "btn-danger", "d"]];
}

/** Run a moderator's action on an answer item; resolves like `run`. */
export function actOnAnswer(run, action, item) {
  const decision = action === "delete" ? (item.status === "hidden" ? "show" : "hide") : action;
  const done = { approve: "mod.approved", reject: "mod.rejected", hide: "mod.answer_hidden", show: "mod.answer_shown" }[decision];
  if (!done) return null;
  return run("mod.answer", { poll: item.poll, answer: item.key, decision }, t(done));
}

/** The head of an answer item in the queue: which poll, how many gave it. */
export function answerHead(item) {
  return [
    h("span", { class: "badge" }, t("mod.kind_answer")),
    h("span", { class: "item-author" }, item.question || ""),
    h("span", {}, t("mod.answer_count", { n: item.count || 0 })),
  ];
}

/** One block per word cloud that was opened: its words, each hideable, and the hidden ones. */
export function renderClouds(root, hub, run) {
  const views = (hub.state.staff && hub.state.staff.answers) || {};
  const polls = allPolls(hub).filter((p) => p.spec && p.spec.kind === "open_text" && p.status !== "draft");
  const wordsOf = (poll) => (((poll.result || poll.tally || {}).tally || {}).words || []);
  const hiddenOf = (poll) => (views[String(poll.id)] || {}).hidden_words || [];
  const signature = JSON.stringify(polls.map((p) => [p.id, p.spec.question, wordsOf(p), hiddenOf(p)]))
    + document.documentElement.lang;
  if (root.dataset.signature === signature) return;
  root.dataset.signature = signature;
  if (!polls.length) {
    fill(root, h("p", { class: "empty" }, t("mod.clouds_none")));
    return;
  }
  fill(root, polls.map((poll) => {
    const words = wordsOf(poll).map(([word, n]) => h("li", {},
      h("span", { class: "cloud-word" }, word), " ", h("span", { class: "hint" }, String(n)), " ",
      h("button", {
        type: "button", class: "btn btn-small btn-danger", "aria-label": t("mod.hide_word_named", { word }),
        onclick: () => run("mod.word", { poll: poll.id, word, hidden: true }, t("mod.word_hidden", { word })),
      }, t("mod.hide_word"))));
    const hidden = hiddenOf(poll).map((word) => h("li", {},
      h("s", { class: "cloud-word" }, word), " ",
      h("button", {
        type: "button", class: "btn btn-small", "aria-label": t("mod.show_word_named", { word }),
        onclick: () => run("mod.word", { poll: poll.id, word, hidden: false }, t("mod.word_shown", { word })),
      }, t("mod.show_word"))));
    return h("div", { class: "cloud-moderation", dataset: { poll: String(poll.id) } },
      h("h3", {}, poll.spec.question),
      words.length ? h("ul", { class: "plain cloud-words" }, words) : h("p", { class: "hint" }, t("results.no_words")),
      hidden.length ? [h("p", { class: "hint" }, t("mod.hidden_words")), h("ul", { class: "plain cloud-hidden" }, hidden)] : null);
  }));
}
