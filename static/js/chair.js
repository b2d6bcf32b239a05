// The chair's controls on the presenter console (the mesa): the live session's speakers' list
// (give, pause, extend and end the floor; close the list) and each proposal ballot's destaques,
// block vote and moções (open and close the window, defences, amendments, decision votes under
// a rule, the verdict, the next ballot). Every button sends one command; the server decides.

import { h, fill } from "./dom.js";
import { t } from "./i18n.js";
import { toast } from "./page.js";
import { ruleFields } from "./rulefields.js";
import { liveSession, polls } from "./state.js";

// The rule the chair's next vote is called under, as chosen in the console (kept across re-renders).
const DEFAULT_RULE = { majority: "simple", base: "valid", quorum: "1/2" };
const chosenRule = new WeakMap();

function button(label, onclick, extra = {}) {
  return h("button", { type: "button", class: "btn btn-small", onclick, ...extra }, label);
}

/** While the chair types in a field of `root`, a re-render would wipe what was typed. */
function typing(root) {
  const active = document.activeElement;
  return root.contains(active) && active.matches("input, select");
}

export function renderSpeakersControls(root, hub, run, show) {
  if (typing(root)) return;
  const state = hub.state.public || {};
  const session = liveSession(state);
  if (!session) {
    fill(root, h("p", { class: "muted" }, t("session.none_live")));
    return;
  }
  const list = (state.speakers || []).find((l) => l.session === session.id)
    || { session: session.id, queue: [], current: null, closed: false, default_seconds: 180 };
  const s = { session: session.id };
  const current = list.current;
  fill(root,
    h("div", { class: "row" },
      button(t("chair.show_speakers"), () => show("speakers", { ref: session.id })),
      button(list.closed ? t("chair.open_list") : t("chair.close_list"),
        () => run("speakers.open", { ...s, open: list.closed }).catch(() => {}))),
    current
      ? h("div", { class: "chair-current" },
        h("p", {}, h("strong", {}, current.name || t("qa.anonymous")), ` · ${t(`speakers.stance_${current.stance}`)}`),
        h("div", { class: "row" },
          current.running_since == null
            ? button(t("chair.resume"), () => run("speakers.resume", s).catch(() => {}))
            : button(t("chair.pause"), () => run("speakers.pause", s).catch(() => {})),
          button(t("chair.extend"), () => run("speakers.extend", { ...s, seconds: 60 }).catch(() => {})),
          button(t("chair.end"), () => run("speakers.end", s).catch(() => {}))))
      : null,
    h("ol", { class: "plain chair-queue", "aria-label": t("speakers.next") },
      ...list.queue.map((r) => h("li", { class: "row" },
        h("span", { class: "grow" }, `${r.name || t("qa.anonymous")} · ${t(`speakers.stance_${r.stance}`)}`),
        button(t("chair.give_floor"), () => run("speakers.start", { ...s, request: r.id }).catch(() => {}),
          { disabled: Boolean(current) }),
        button(t("chair.remove"), () => run("speakers.remove", { ...s, request: r.id }).catch(() => {})))),
      list.queue.length ? null : h("li", { class: "empty" }, t("chair.nobody_waiting"))));
}

/** A decision vote for `target`: a yes/no/abstain poll of the delegates under the chosen rule, linked and opened. */
async function callVote(run, target, question, ruleOf) {
  let rule;
  try { rule = ruleOf(); } catch (err) { toast(err.message, "error"); return; }
  const spec = { kind: "yes_no_abstain", question: question.slice(0, 500), rule };
  const created = await run("poll.create", { spec, eligibility: "delegates" });
  await run("plenary.vote", { ...target, vote_poll: created.poll.id });
  await run("poll.open", { poll: created.poll.id });
}

function matterControls(run, target, matter, ruleOf) {
  const act = (type, fields = {}) => run(type, { ...target, ...fields }).catch(() => {});
  const amend = h("input", { class: "grow", maxlength: "2000", value: matter.text, "aria-label": t("chair.amend") });
  const controls = [];
  if (matter.stage === "waiting") controls.push(button(t("plenary.stage_for"), () => act("plenary.defend", { stage: "for" })));
  if (matter.stage === "for") controls.push(button(t("plenary.stage_against"), () => act("plenary.defend", { stage: "against" })));
  if (matter.stage !== "vote" && matter.stage !== "decided") {
    controls.push(amend, button(t("chair.amend"), () => act("plenary.amend", { text: amend.value.trim() })));
    controls.push(button(t("chair.call_vote"), () => callVote(run, target, matter.text, ruleOf).catch(() => {})));
  }
  if (matter.stage === "vote") controls.push(button(t("chair.proclaim"), () => act("plenary.decide")));
  return h("li", { class: "chair-matter" },
    h("p", {}, h("strong", {}, matter.ref), ` · ${t(`plenary.stage_${matter.stage}`)} · `, matter.text,
      matter.decision ? ` · ${matter.decision.label}` : ""),
    h("div", { class: "row" }, ...controls));
}

export function renderPlenaryControls(root, hub, run, show) {
  if (typing(root)) return;
  const state = hub.state.public || {};
  const rounds = state.destaques || [];
  // Built anew each time (labels follow the language), with what the chair had chosen.
  const previous = chosenRule.get(root);
  const decision = ruleFields("chair-rule", { values: previous ? previous.values() : DEFAULT_RULE });
  chosenRule.set(root, decision);
  const ruleOf = () => decision.rule();
  const ballots = polls(hub).filter((p) => p.kind === "multiple" && !rounds.some((d) => d.poll === p.id));
  const parts = [h("fieldset", { class: "chair-rule" }, h("legend", {}, t("chair.rule")), decision.element)];
  for (const round of rounds) {
    const poll = { poll: round.poll };
    const head = [button(t("chair.show_destaque"), () => show("destaque", { ref: round.poll }))];
    if (round.phase === "window") head.push(button(t("chair.close_window"), () => run("destaque.window", { ...poll, open: false }).catch(() => {})));
    if (round.phase === "block" && !round.block_call) {
      head.push(button(t("chair.call_block"), () => callVote(run, poll, t("plenary.block_count", { n: round.block.length }), ruleOf).catch(() => {})));
    }
    if (round.phase === "block" && round.block_call) head.push(button(t("chair.proclaim"), () => run("plenary.decide", poll).catch(() => {})));
    if (round.phase === "done") head.push(button(t("chair.next_ballot"), () => run("plenary.ballot", poll).catch(() => {})));
    parts.push(h("section", { class: "chair-round" },
      h("h3", {}, t(`chair.phase_${round.phase}`), ` · #${round.poll}`),
      h("div", { class: "row" }, ...head),
      round.phase === "window" ? null : h("ol", { class: "plain" },
        ...round.destaques.map((m) => matterControls(run, { ...poll, proposal: m.ref }, m, ruleOf)))));
  }
  for (const motion of ((state.mocoes || {}).motions || []).filter((m) => m.matter)) {
    parts.push(h("section", { class: "chair-round" },
      h("h3", {}, t(`mocao.kind_${motion.kind}`), ` · #${motion.id}`),
      h("div", { class: "row" }, button(t("chair.show_mocao"), () => show("mocao", { ref: motion.id }))),
      h("ol", { class: "plain" }, matterControls(run, { motion: motion.id }, motion.matter, ruleOf))));
  }
  if (ballots.length) {
    parts.push(h("div", { class: "row" }, ...ballots.map((p) =>
      button(t("chair.open_window", { question: p.question }), () => run("destaque.window", { poll: p.id, open: true }).catch(() => {})))));
  }
  fill(root, ...parts);
}
