// How chat, questions, moderation and poll events change the hub's state (docs/protocol.md).
// Imported for its side effect by every page that shows them.

import { registerReducer, upsert } from "./hub.js";

const CHAT_KEEP = 200;
const AUDIT_KEEP = 300;
// The staff channel's lists of chat and questions (server/service/qa.py snapshot "moderation").
const MOD_LISTS = ["queue", "blocked", "recent", "questions"];

// -- chat and questions (public) -------------------------------------------------

registerReducer("chat.message", (state, data) => {
  const message = data.message;
  state.chat = upsert(state.chat || [], message);
  if (state.chat.length > CHAT_KEEP) state.chat.splice(0, state.chat.length - CHAT_KEEP);
  markMine(state, message.id, "chat", "published");
});
registerReducer("chat.removed", (state, data) => {
  state.chat = (state.chat || []).filter((m) => m.id !== data.id);
  markMine(state, data.id, "chat", data.reason, data.why);
});
registerReducer("question.updated", (state, data) => {
  const question = data.question;
  const list = state.questions || (state.questions = []);
  const old = list.find((q) => q.id === question.id);
  if (old && old.version && question.version && question.version < old.version) return;
  upsert(list, { upvoted: old ? old.upvoted : false, ...question });
  markMine(state, question.id, "question", question.status);
});
registerReducer("question.upvotes", (state, data, hub) => {
  // Counts go out on the public channel only; a staff page holds the same questions in its
  // moderation lists too, and they must not stay at the count of the last snapshot.
  const staff = hub && hub.state.staff && hub.state.staff.moderation;
  const copies = [(state.questions || []).find((x) => x.id === data.id)];
  if (staff) {
    for (const key of MOD_LISTS) copies.push(...(staff[key] || []).filter((i) => i.kind === "question" && i.id === data.id));
  }
  for (const q of copies) {
    if (q && (!q.version || !data.version || data.version >= q.version)) {
      q.upvotes = data.upvotes;
      if (data.version) q.version = data.version;
    }
  }
});
registerReducer("question.removed", (state, data) => {
  state.questions = (state.questions || []).filter((q) => q.id !== data.id);
  markMine(state, data.id, "question", data.reason, data.why);
});
registerReducer("qa.settings.updated", (state, data) => { state.qa = data.settings; });
// A pre-conference meeting's page: the conference changed its eixos (docs/preconferences.md).
registerReducer("preconference.meeting", (state, data) => { state.preconference = data; });

function markMine(state, id, kind, status, why) {
  const mine = (state.mine || []).find((m) => m.id === id && m.kind === kind);
  if (!mine) return;
  mine.status = status;
  // Only the author's own connections get `why` (a moderator's reason for refusing it).
  if (why) mine.why = why;
}

// -- moderation (staff) -----------------------------------------------------------

registerReducer("mod.item", (state, data) => {
  const item = data.item;
  const mod = state.moderation || (state.moderation = {});
  for (const key of MOD_LISTS) mod[key] = (mod[key] || []).filter((i) => !(i.id === item.id && i.kind === item.kind));
  const undecided = !item.decided_by;
  if (item.status === "held") mod.queue.push(item);
  else if (item.status === "rejected" && undecided) mod.blocked.unshift(item);
  if (item.kind === "question" && (item.status === "published" || item.status === "answered")) mod.questions.push(item);
  mod.recent.unshift(item);
  if (mod.recent.length > 200) mod.recent.length = 200;
  mod.queue.sort((a, b) => a.at - b.at);
});
registerReducer("mod.audit", (state, data) => {
  const mod = state.moderation || (state.moderation = {});
  mod.audit = [data.entry, ...(mod.audit || [])].slice(0, AUDIT_KEEP);
});
registerReducer("mod.sanction", (state, data) => {
  const mod = state.moderation || (state.moderation = {});
  const list = (mod.sanctions || []).filter((s) => s.participant.id !== data.participant.id);
  if (data.banned || (data.muted_until && data.muted_until > Date.now() / 1000)) list.push(data);
  mod.sanctions = list;
});
registerReducer("mod.answers", (state, data) => {
  // One open-text poll's answers as moderators see them: replaces what we had for that poll.
  state.answers = { ...(state.answers || {}), [String(data.poll)]: data };
});
registerReducer("mod.policy.updated", (state, data) => {
  const mod = state.moderation || (state.moderation = {});
  mod.policy = data.policy;
  mod.policy_version = data.version;
});

// -- polls (public and staff) -------------------------------------------------------

function pollLists(state, hub) {
  // Participants' channel holds `polls`, the staff channel `all_polls` (drafts included). A staff
  // page holds both, and a poll event on either channel updates both views of that poll.
  const lists = [];
  for (const s of [state, hub && hub.state.public, hub && hub.state.staff]) {
    if (!s) continue;
    const list = s === state && !s.all_polls ? (s.polls || (s.polls = [])) : s.all_polls || s.polls;
    if (list && !lists.includes(list)) lists.push(list);
  }
  return lists;
}

function eachPoll(state, hub, id, fn) {
  // What the staff channel says (every recount, hidden results) stays in the staff view: the
  // public view is what the projector shows, and the presenter's preview draws from it.
  const lists = hub && state === hub.state.staff ? [state.all_polls || []] : pollLists(state, hub);
  for (const list of lists) {
    const poll = list.find((p) => p.id === id);
    if (poll) fn(poll);
  }
}

/** Whether participants see this poll's numbers (server/domain/poll_lifecycle.public_sees_tally). */
function publicSeesNumbers(poll) {
  if (poll.visibility === "live") return poll.status !== "draft";
  return poll.visibility === "after_close" && poll.status === "closed";
}

registerReducer("poll.updated", (state, data, hub) => {
  for (const list of pollLists(state, hub)) {
    const old = list.find((p) => p.id === data.id);
    if (old) {
      Object.assign(old, data);
      if (data.status !== "closed") delete old.result;
      if (hub && list === (hub.state.public || {}).polls && !publicSeesNumbers(old)) {
        delete old.tally;
        delete old.result;
      }
    } else if (list === (state.all_polls || state.polls)) {
      list.push({ ...data });
    }
    list.sort((a, b) => (a.position ?? 0) - (b.position ?? 0) || a.id - b.id);
  }
});
registerReducer("poll.removed", (state, data, hub) => {
  for (const s of [state, hub && hub.state.public, hub && hub.state.staff]) {
    if (!s) continue;
    if (s.all_polls) s.all_polls = s.all_polls.filter((p) => p.id !== data.id);
    if (s.polls) s.polls = s.polls.filter((p) => p.id !== data.id);
  }
});
registerReducer("poll.tally", (state, data, hub) => {
  eachPoll(state, hub, data.poll, (poll) => {
    if (poll.status === "closed") return;
    if (poll.tally && poll.tally.computed_at > data.computed_at) return;
    poll.tally = data;
  });
});
registerReducer("poll.turnout", (state, data, hub) => {
  eachPoll(state, hub, data.poll, (poll) => {
    if (poll.turnout && poll.turnout.computed_at > data.computed_at) return;
    poll.turnout = data;
  });
});
registerReducer("poll.result", (state, data, hub) => {
  eachPoll(state, hub, data.poll, (poll) => { poll.result = data; });
});
registerReducer("delegate.updated", (state, data) => {
  state.delegates = upsert(state.delegates || [], data);
});

// -- the plenária's procedure (public): speakers' lists, destaques, moções ------------------

registerReducer("speakers.updated", (state, data) => {
  const lists = state.speakers || (state.speakers = []);
  const at = lists.findIndex((l) => l.session === data.session);
  if (at >= 0) lists[at] = data; else lists.push(data);
});
registerReducer("destaque.updated", (state, data) => {
  const rounds = state.destaques || (state.destaques = []);
  const at = rounds.findIndex((d) => d.poll === data.poll);
  if (at >= 0) rounds[at] = data; else rounds.push(data);
});
registerReducer("mocao.updated", (state, data) => { state.mocoes = data; });
