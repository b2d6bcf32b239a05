// The participant page (/e/CODE): stream, live session, chat, questions, votes, results, agenda.
// Mobile first; all user text through textContent.

import "./reducers.js";
import "./attendance.js";
import { $, h, fill, setText, syncList } from "./dom.js";
import { t, time, agendaTime, onLangChange, apply } from "./i18n.js";
import { startPage, toast, errorText } from "./page.js";
import { mountTabs } from "./tabs.js";
import { bindDraft } from "./drafts.js";
import { liveSession, questions as questionList, polls, pollModel, verificationText, renderDecision } from "./state.js";
import { startCountdowns, setStreamDelay } from "./countdown.js";
import { renderBallots, renderDelegate, ballotBoxUrl, storedTracker } from "./ballot.js";
import { renderResults } from "./results.js";
import { showStream, onProgramTime } from "./stream.js";
import { renderFloor } from "./floor.js";
import { renderMyCertificate } from "./mycertificate.js";
import { originBadge, originText } from "./platforms.js";
import { renderContribute } from "./contribute.js";

const hub = await startPage({ shortLangs: true });
const code = hub.event;
startCountdowns(hub);
followStreamDelay();

// -- stream ------------------------------------------------------------------------

let streamKey = "";
function renderStream(event) {
  const stream = event.stream || { kind: "none" };
  const key = `${stream.kind}|${stream.src}`;
  if (key === streamKey) return;
  streamKey = key;
  showStream($("#stream"), stream);
}

// -- now / agenda -----------------------------------------------------------------

function renderNow(state) {
  const session = liveSession(state);
  const box = $("#now");
  const key = session ? `${session.id}|${session.title}|${session.speakers}` : "none";
  if (box.dataset.key === key && box.dataset.lang === document.documentElement.lang) return;
  box.dataset.key = key;
  box.dataset.lang = document.documentElement.lang;
  if (!session) {
    const next = (state.agenda || []).find((s) => s.status === "planned");
    fill(box, h("p", { class: "now-label muted" }, t("session.none_live")),
      next ? h("p", { class: "now-next" }, t("session.next"), " ", h("strong", {}, next.title),
        next.starts_at ? ` · ${agendaTime(next.starts_at)}` : "") : null);
    return;
  }
  fill(box,
    h("p", { class: "now-label" }, h("span", { class: "badge badge-live" }, t("session.live")),
      session.started_at ? h("span", { class: "muted" }, ` ${t("session.since", { time: time(session.started_at) })}`) : null),
    h("h2", { class: "now-title" }, session.title),
    session.speakers ? h("p", { class: "now-speakers muted" }, session.speakers) : null);
}

function renderAgenda(state) {
  syncList($("#agenda"), state.agenda || [], (s) => s.id, (s, node) => {
    node = node || h("li", {}, h("span", { class: "when" }), h("span", { class: "what" }), h("span", { class: "who" }));
    node.dataset.status = s.status;
    setText(node.querySelector(".when"), agendaTime(s.starts_at));
    const what = node.querySelector(".what");
    fill(what, s.title, s.status === "live" ? [" ", h("span", { class: "badge badge-live" }, t("session.live"))] : null,
      s.status === "ended" ? [" ", h("span", { class: "badge" }, t("session.ended"))] : null);
    setText(node.querySelector(".who"), s.speakers || "");
    return node;
  });
}

// -- chat ---------------------------------------------------------------------------

const chatText = $("#chat-text");
const chatDraft = bindDraft(chatText, `plenaria.draft.chat.${code}`);
const chatList = $("#chat-list");
let stickToBottom = true;
chatList.addEventListener("scroll", () => {
  stickToBottom = chatList.scrollTop + chatList.clientHeight >= chatList.scrollHeight - 40;
});

function authorName(author) {
  return author && !author.anonymous && author.name ? author.name : t("qa.anonymous");
}

function renderChat(state) {
  const settings = state.qa || {};
  $("#chat-closed").hidden = settings.chat_enabled !== false;
  $("#chat-form").hidden = settings.chat_enabled === false;
  chatText.maxLength = settings.chat_max_length || 500;
  const me = hub.participant ? hub.participant.id : null;
  const published = (state.chat || []).map((m) => ({ ...m, key: `m${m.id}` }));
  const ids = new Set(published.map((m) => m.id));
  // My own messages that others cannot see (yet): held for review, refused; and those in flight.
  const mine = (state.mine || []).filter((m) => m.kind === "chat" && !ids.has(m.id) && m.status !== "published" && m.status !== "deleted")
    .map((m) => ({ id: m.id, text: m.text, at: m.at, own: m.status, why: m.why, key: `o${m.id}`, author: { name: hub.participant && hub.participant.name } }));
  const sending = hub.pending("chat.send").map((f) => ({ text: f.text, own: "sending", key: `s${f.id}`, at: Infinity, author: { name: hub.participant && hub.participant.name } }));
  const items = [...published, ...mine].sort((a, b) => a.at - b.at).concat(sending);
  syncList(chatList, items, (m) => m.key, (m, node) => {
    node = node || h("li", { class: "chat-msg" }, h("span", { class: "chat-author" }), h("span", { class: "chat-text" }), h("span", { class: "chat-meta" }));
    setText(node.querySelector(".chat-author"), authorName(m.author));
    setText(node.querySelector(".chat-text"), m.text);
    const meta = m.own === "sending" ? t("chat.sending") : m.own === "held" ? t("chat.held")
      : m.own === "rejected" ? [t("chat.rejected"), whyText(m.why)].filter(Boolean).join(": ")
        : m.at && m.at !== Infinity ? time(m.at) : "";
    setText(node.querySelector(".chat-meta"), [meta, originText(m)].filter(Boolean).join(" · "));
    node.dataset.own = m.own || "";
    return node;
  });
  if (!items.length) chatList.replaceChildren(h("li", { class: "empty" }, t("chat.empty")));
  const hint = $("#chat-hint");
  if (hint.dataset.held && !mine.some((m) => m.own === "held")) {
    delete hint.dataset.held;
    setText(hint, "");
  }
  if (stickToBottom) chatList.scrollTop = chatList.scrollHeight;
  void me;
}

$("#chat-form").addEventListener("submit", (e) => {
  e.preventDefault();
  const text = chatText.value.trim();
  if (!text) return;
  chatDraft.clear();
  stickToBottom = true;
  submit("chat.send", { text }, $("#chat-hint"), chatDraft);
  render();
});
chatText.addEventListener("keydown", (e) => {
  if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
    e.preventDefault();
    $("#chat-form").requestSubmit();
  }
});

/** A moderator's reason for refusing one's own message: the preset in this page's language, then their words. */
function whyText(why) {
  if (!why) return "";
  return [why.preset ? t(`reject.${why.preset}`) : "", why.note ? `“${why.note}”` : ""].filter(Boolean).join(" — ");
}

function submit(type, fields, hint, draft) {
  setText(hint, "");
  hub.send(type, fields, { persist: true }).then((result) => {
    const item = result.item;
    if (item && (hub.state.public.mine || (hub.state.public.mine = []))) {
      const mine = hub.state.public.mine;
      if (!mine.some((m) => m.id === item.id && m.kind === item.kind)) mine.unshift(item);
      if (item.status === "held") {
        setText(hint, t(type === "chat.send" ? "chat.held_hint" : "qa.held_hint"));
        hint.dataset.held = "1";
      }
      else if (item.status === "rejected") setText(hint, t("chat.rejected_hint"));
    }
    render();
  }, (error) => {
    draft.restore(fields.text);
    setText(hint, errorText(error));
    toast(errorText(error), "error");
    render();
  });
}

hub.on("outbox", ({ frame, error }) => {
  if (error && frame.text) {
    const draft = frame.type === "chat.send" ? chatDraft : askDraft;
    draft.restore(frame.text);
    toast(errorText(error), "error");
  }
  render();
});

// -- questions ------------------------------------------------------------------------

const askText = $("#ask-text");
const askDraft = bindDraft(askText, `plenaria.draft.ask.${code}`);
let sortBy = "popular";
for (const [id, value] of [["#sort-popular", "popular"], ["#sort-recent", "recent"]]) {
  $(id).addEventListener("click", () => {
    sortBy = value;
    $("#sort-popular").setAttribute("aria-pressed", String(value === "popular"));
    $("#sort-recent").setAttribute("aria-pressed", String(value === "recent"));
    render();
  });
}

$("#ask-form").addEventListener("submit", (e) => {
  e.preventDefault();
  const text = askText.value.trim();
  if (!text) return;
  askDraft.clear();
  submit("question.ask", { text, anonymous: $("#ask-anon").checked }, $("#ask-hint"), askDraft);
  render();
});

function renderQuestions(state) {
  const settings = state.qa || {};
  $("#questions-closed").hidden = settings.questions_enabled !== false;
  $("#ask-form").hidden = settings.questions_enabled === false;
  $("#ask-anon-wrap").hidden = settings.anonymous_questions === false;
  askText.maxLength = settings.question_max_length || 300;
  const list = questionList(state).filter((q) => q.status === "published" || q.status === "answered");
  const ids = new Set(list.map((q) => q.id));
  list.sort((a, b) => (b.pinned - a.pinned) || (a.status === "answered") - (b.status === "answered")
    || (sortBy === "popular" ? b.upvotes - a.upvotes || b.at - a.at : b.at - a.at));
  syncList($("#question-list"), list, (q) => q.id, (q, node) => questionNode(q, node));
  if (!list.length) $("#question-list").replaceChildren(h("li", { class: "empty" }, t("qa.empty")));
  const waiting = (state.mine || []).filter((m) => m.kind === "question" && !ids.has(m.id) && ["held", "rejected"].includes(m.status));
  const hint = $("#ask-hint");
  if (hint.dataset.held && !waiting.some((m) => m.status === "held")) {
    delete hint.dataset.held;
    setText(hint, "");
  }
  const sending = hub.pending("question.ask").map((f) => ({ id: f.id, text: f.text, status: "sending" }));
  syncList($("#my-questions"), [...sending, ...waiting], (m) => `${m.status}-${m.id}`, (m, node) => {
    node = node || h("li", { class: "question question-own" }, h("p", { class: "q-text" }), h("p", { class: "q-meta" }));
    setText(node.querySelector(".q-text"), m.text);
    const label = m.status === "sending" ? "qa.sending" : m.status === "held" ? "qa.held" : "qa.rejected";
    fill(node.querySelector(".q-meta"), h("span", { class: `badge ${m.status === "rejected" ? "badge-danger" : "badge-warn"}` }, t(label)),
      m.status === "rejected" && m.why ? [" ", h("span", { class: "q-why" }, whyText(m.why))] : null);
    return node;
  });
}

function questionNode(q, node) {
  if (!node) {
    node = h("li", { class: "question" },
      // The name is the visible count plus hidden words ("3 votos · apoiar esta pergunta"): what a
      // speech user sees is what they can say; aria-pressed tells whether it is theirs already.
      h("button", { type: "button", class: "upvote", "aria-pressed": "false" }, h("span", { class: "arrow", "aria-hidden": "true" }, "▲"),
        h("span", { class: "n" }), h("span", { class: "visually-hidden sr-words" })),
      h("div", { class: "q-body" }, h("p", { class: "q-text" }), h("p", { class: "q-reply" }), h("p", { class: "q-meta" })));
    node.querySelector(".upvote").addEventListener("click", () => upvote(Number(node.dataset.key)));
  }
  const mineIds = new Set((hub.state.public.mine || []).filter((m) => m.kind === "question").map((m) => m.id));
  const button = node.querySelector(".upvote");
  setText(button.querySelector(".n"), q.upvotes || 0);
  button.setAttribute("aria-pressed", q.upvoted ? "true" : "false");
  setText(button.querySelector(".sr-words"), ` ${t("qa.upvote_words", { n: q.upvotes || 0 })}`);
  button.disabled = mineIds.has(q.id) || q.status !== "published";
  setText(node.querySelector(".q-text"), q.text);
  const reply = node.querySelector(".q-reply");
  reply.hidden = !(q.reply && q.reply.text);
  fill(reply, q.reply && q.reply.text ? [h("strong", {}, t("qa.reply_label")), " ", q.reply.text] : []);
  fill(node.querySelector(".q-meta"),
    h("span", { class: "q-author" }, authorName(q.author)), " · ", time(q.at),
    q.origin ? [" ", originBadge(q)] : null,
    q.pinned ? [" ", h("span", { class: "badge badge-accent" }, t("qa.pinned"))] : null,
    q.status === "answered" ? [" ", h("span", { class: "badge badge-ok" }, t("qa.answered"))] : null,
    mineIds.has(q.id) ? [" ", h("span", { class: "badge" }, t("qa.yours"))] : null);
  node.dataset.status = q.status;
  return node;
}

function upvote(id) {
  const q = questionList(hub.state.public).find((x) => x.id === id);
  if (!q) return;
  const up = !q.upvoted;
  q.upvoted = up;
  render();
  hub.send("question.upvote", { question: id, up }).then((result) => {
    q.upvoted = result.upvoted;
    q.upvotes = result.upvotes;
    render();
  }, (error) => {
    q.upvoted = !up;
    toast(errorText(error), "error");
    render();
  });
}

// -- votes and results ------------------------------------------------------------------

function renderVotes() {
  renderDelegate($("#delegate"), hub);
  renderMyCertificate($("#my-certificate"), hub);
  renderFloor($("#floor"), hub);
  renderBallots($("#ballots"), hub);
  const results = $("#results");
  const shown = polls(hub).filter((p) => p.result || p.tally).reverse();
  syncList(results, shown, (p) => p.id, (p, node) => {
    node = node || h("article", { class: "card result-card" }, h("h3", { class: "result-q" }), h("p", { class: "result-meta hint" }),
      h("div", { class: "result-body" }), h("p", { class: "poll-decision", hidden: true }),
      h("p", { class: "result-verify hint" }));
    setText(node.querySelector(".result-q"), p.spec.question);
    const source = p.result || p.tally;
    setText(node.querySelector(".result-meta"), `${p.status === "closed" ? t("poll.final_result") : t("poll.live_results")} · ${t("results.ballots", { n: (source.turnout && source.turnout.voted) || 0 })}`);
    const model = pollModel(p);
    const body = node.querySelector(".result-body");
    if (model.results) {
      if (body.querySelector(".results-hidden")) body.replaceChildren();
      renderResults(body, model);
    } else {  // a secret poll: sealed until its count
      delete body.dataset.signature;
      fill(body, h("p", { class: "muted results-hidden" }, t(model.awaiting ? "results.counting" : "results.sealed")));
    }
    renderDecision(node.querySelector(".poll-decision"), model);
    fill(node.querySelector(".result-verify"), p.secret ? [verificationText(model), " ",
      h("a", { href: ballotBoxUrl(hub.event, p.id, storedTracker(hub, p.id)) },
        t("results.ballot_box"))] : []);
    return node;
  });
  if (!shown.length) results.replaceChildren(h("p", { class: "empty" }, t("results.none")));
}

// -- profile -------------------------------------------------------------------------------

const dialog = $("#profile");
$("#profile-open").addEventListener("click", () => {
  const event = hub.state.public && hub.state.public.event;
  const me = hub.participant || {};
  $("#profile-name").value = me.name || "";
  const select = $("#profile-segment");
  fill(select, h("option", { value: "" }, t("profile.no_segment")),
    ...((event && event.segments) || []).map((s) => h("option", { value: s }, s)));
  select.value = me.segment || "";
  dialog.showModal();
});
$("#profile-cancel").addEventListener("click", () => dialog.close());
$("#profile-form").addEventListener("submit", (e) => {
  e.preventDefault();
  const name = $("#profile-name").value.trim();
  const segment = $("#profile-segment").value;
  hub.send("profile.update", { name, segment }).then((result) => {
    hub.participant = result.participant;
    dialog.close();
    toast(t("profile.saved"));
    render();
  }, (error) => toast(errorText(error), "error"));
});

// -- tab badges: what is new since the tab was last looked at ------------------------------

const lastSeen = { chat: 0, questions: 0 };
function seen() {
  const state = hub.state.public;
  if (!state) return;
  const current = tabs.current();
  if (current === "tab-chat") lastSeen.chat = (state.chat || []).length;
  if (current === "tab-questions") lastSeen.questions = questionList(state).length;
}

function badge(tabId, n) {
  const node = $(`#${tabId} .count`);
  node.hidden = !n;
  setText(node, n > 99 ? "99+" : n || "");
}

const tabs = mountTabs($(".tabs"), { remember: `plenaria.tab.${code}`, onChange: () => { seen(); render(); } });

// Sticky things stack: the tabs right under the top bar (whose title may take two lines), a
// ballot section's head right under the tabs.
function underTabs() {
  const top = $(".topbar");
  const bar = $(".tabs");
  const root = document.documentElement.style;
  root.setProperty("--under-bar", `${top.offsetHeight}px`);
  const stuck = getComputedStyle(bar).position === "sticky";
  root.setProperty("--under-tabs", `${stuck ? top.offsetHeight + bar.offsetHeight : 0}px`);
}
underTabs();
const sticky = new ResizeObserver(underTabs);
sticky.observe($(".topbar"));
sticky.observe($(".tabs"));

// -- render ------------------------------------------------------------------------------------

function render() {
  const state = hub.state.public;
  if (!state) return;
  const event = state.event || {};
  setText($("#event-title"), event.title || "");
  renderStream(event);
  // A pre-conference meeting in a room usually has no broadcast: no empty player on its phones.
  $("#stream").hidden = Boolean(state.preconference) && (event.stream || {}).kind === "none";
  renderNow(state);
  renderContribute(hub, $("#preconference"), state);
  renderAgenda(state);
  renderChat(state);
  renderQuestions(state);
  renderVotes();
  seen();
  badge("tab-chat", Math.max(0, (state.chat || []).length - lastSeen.chat));
  badge("tab-questions", Math.max(0, questionList(state).length - lastSeen.questions));
  const open = polls(hub).filter((p) => p.status === "open" && !p.my_vote).length;
  badge("tab-vote", open);
}

hub.on("change", render);
hub.on("welcome", render);
onLangChange(() => {
  streamKey = "";
  $("#now").dataset.key = "";
  apply(document);
  for (const list of ["#chat-list", "#question-list", "#agenda", "#results", "#ballots"]) $(list).replaceChildren();
  render();
});

// A new open poll calls the participant's attention: switch to the vote tab once per poll.
const announced = new Set();
hub.on("event", ({ name, data }) => {
  if (name === "poll.updated" && data.status === "open" && !announced.has(data.id)) {
    announced.add(data.id);
    if (tabs.current() !== "tab-vote") toast(t("poll.opened_toast", { question: data.spec.question }));
  }
});

// -- stream delay: countdowns in this viewer's stream time, ballots accepted as late ---------

/** The organizer's broadcast delay, or this viewer's own measure (HLS program date-time), which
 * the server bounds and answers with the delay it grants; countdowns follow what it granted. */
function followStreamDelay() {
  let sent = null;
  let measured = false;
  const settings = () => (hub.state.public && hub.state.public.event && hub.state.public.event.plenary) || {};
  hub.on("change", () => { if (!measured) setStreamDelay(settings().stream_delay || 0); });
  hub.on("welcome", () => { sent = null; }); // a new connection (maybe another process) is told again
  onProgramTime((programTime) => {
    if (!settings().max_stream_delay) return;
    const delay = Math.max(0, Math.min(600, hub.now() - programTime));
    if (sent !== null && Math.abs(delay - sent) < 1) return;
    sent = delay;
    hub.send("stream.delay", { seconds: Math.round(delay * 10) / 10 }).then((granted) => {
      measured = true;
      setStreamDelay(granted.delay);
    }, () => {});
  });
}
