// Reading the hub's state: the live session, a poll, a question. Features' shapes are read here
// only, so a page never digs into the snapshot layout itself.

import { t, number } from "./i18n.js";

export function liveSession(state) {
  if (!state || !state.agenda) return null;
  return state.agenda.find((s) => s.id === state.live_session) || state.agenda.find((s) => s.status === "live") || null;
}

function asList(value) {
  if (!value) return [];
  return Array.isArray(value) ? value : Object.values(value);
}

/** All polls visible on the public channel, merged with the staff channel's richer view. */
export function polls(hub) {
  const byId = new Map();
  for (const p of asList(hub.state.public && hub.state.public.polls)) byId.set(p.id, { ...p });
  for (const p of asList(hub.state.staff && hub.state.staff.all_polls)) byId.set(p.id, { ...(byId.get(p.id) || {}), ...p });
  return [...byId.values()].sort((a, b) => (a.position ?? a.id) - (b.position ?? b.id));
}

export function questions(state) {
  return asList(state && state.questions);
}

export function findQuestion(state, id) {
  if (id == null) return null;
  return questions(state).find((q) => q.id === id) || null;
}

/** "123 votes · 45 online" for a poll (ballots against eligible voters online and in total). */
export function pollTurnout(hub, poll) {
  const results = poll.results || {};
  const ballots = poll.ballots ?? results.ballots ?? 0;
  const parts = [t("results.ballots", { n: ballots })];
  const turnout = poll.turnout || {};
  if (turnout.online != null) parts.push(t("results.online", { n: turnout.online }));
  if (turnout.eligible != null) parts.push(t("results.eligible", { n: turnout.eligible }));
  if (turnout.eligible) parts.push(`${number(Math.round((ballots / turnout.eligible) * 100))}%`);
  return parts.join(" · ");
}

/** A poll entity (poll.updated) with its latest tally or result, in the shape result panels draw.
 * Without them (results hidden from participants) the turnout alone (poll.turnout) still counts
 * the ballots: `results` is then null and `ballots` right. */
export function pollModel(p) {
  const source = p.result || p.tally || null;
  const spec = p.spec || {};
  const turnout = source ? source.turnout : p.turnout ? p.turnout.turnout : null;
  return {
    id: p.id, kind: spec.kind, question: spec.question, options: spec.options || [], sections: spec.sections || [],
    status: p.status, ends_at: p.deadline, remaining: p.remaining, visibility: p.visibility,
    results: source ? source.tally : null, outcome: p.result ? p.result.outcome : null,
    rankMethod: spec.kind === "ranking" ? spec.method || "borda" : null, ranked: p.result ? p.result.ranked || null : null,
    method: spec.method || null, election: p.result ? p.result.election || null : null,
    turnout, ballots: turnout ? turnout.voted : undefined,
    secret: !!p.secret, awaiting: !!p.awaiting_count, verification: p.result ? p.result.verification || null : null,
    decision: p.result ? p.result.decision || null : null,
  };
}

/**
 * A decision vote's outcome as the server words it in the event's language (aprovada, rejeitada,
 * sem quórum, empate: the same on every screen, the overlay and the exports) with its arithmetic.
 * Fills `node` (hidden when the poll decides nothing).
 */
export function renderDecision(node, model) {
  if (!node) return;
  const d = model.decision;
  node.hidden = !d;
  if (!d) { node.replaceChildren(); return; }
  node.dataset.verdict = d.verdict;
  const label = node.querySelector(".decision-label") || node.appendChild(document.createElement("strong"));
  label.className = "decision-label";
  label.lang = d.lang;
  if (label.textContent !== d.label) label.textContent = d.label;
  const math = node.querySelector(".decision-math") || node.appendChild(document.createElement("span"));
  math.className = "decision-math";
  math.lang = d.lang;
  const text = d.explanation.slice(d.label.length + 2);
  if (math.textContent !== text) math.textContent = text;
}

/** A poll as participants (and so the projector) see it: the public channel's view only. */
export function publicPoll(state, id) {
  if (id == null || !state) return null;
  return asList(state.polls).find((p) => p.id === id) || null;
}

/** The line a counted secret poll shows under its result: trackers published, recount checked. */
export function verificationText(model) {
  const v = model.verification;
  if (!v) return "";
  return t(v.recount_matches ? "results.recount_matches" : "results.recount_failed", { n: v.trackers });
}
