// The presenter / operator console (/p/CODE#k=TOKEN): start and end sessions, run polls with a
// timer, choose what the projector and the broadcast overlay show, with a live preview.

import "./reducers.js";
import { $, $$, h, fill, setText, syncList } from "./dom.js";
import { t, agendaTime, onLangChange, apply, time } from "./i18n.js";
import { startPage, toast, errorText } from "./page.js";
import { renderStage } from "./panels.js";
import { startCountdowns } from "./countdown.js";
import { polls, questions as questionList } from "./state.js";
import { pollRow } from "./pollcontrols.js";
import { renderPlenaryControls, renderSpeakersControls } from "./chair.js";

const hub = await startPage({ staff: true });
startCountdowns(hub);
const code = hub.event;
$("#open-screen").href = `/screen/${code}`;
$("#open-overlay").href = `/overlay/${code}`;

function run(type, fields, okMessage) {
  return hub.send(type, fields).then((result) => {
    if (okMessage) toast(okMessage);
    return result;
  }, (error) => {
    toast(errorText(error), "error");
    throw error;
  });
}

export function show(kind, extra = {}) {
  return run("screen.show", { kind, ...extra }).catch(() => {});
}

for (const button of $$("[data-show]")) button.addEventListener("click", () => show(button.dataset.show));
$("#timer-form").addEventListener("submit", (e) => {
  e.preventDefault();
  const seconds = Math.round(Number($("#timer-min").value) * 60);
  if (!(seconds >= 1)) return;
  show("timer", { seconds: Math.min(seconds, 21600), text: $("#timer-label").value.trim() });
});
$("#message-form").addEventListener("submit", (e) => {
  e.preventDefault();
  const text = $("#message-text").value.trim();
  if (text) show("message", { text });
});

function renderSessions(state) {
  syncList($("#sessions"), state.agenda || [], (s) => s.id, (s, node) => {
    if (!node) {
      node = h("li", { class: "session-row" },
        h("div", { class: "grow" }, h("p", { class: "session-title" }), h("p", { class: "hint session-when" })),
        h("div", { class: "row" }, h("button", { type: "button", class: "btn btn-small start" }), h("button", { type: "button", class: "btn btn-small btn-danger end" })));
      node.querySelector(".start").addEventListener("click", () => run("session.start", { session: Number(node.dataset.key) }).catch(() => {}));
      node.querySelector(".end").addEventListener("click", () => run("session.end", { session: Number(node.dataset.key) }).catch(() => {}));
    }
    node.dataset.status = s.status;
    fill(node.querySelector(".session-title"), s.title, s.status === "live" ? [" ", h("span", { class: "badge badge-live" }, t("session.live"))] : null,
      s.status === "ended" ? [" ", h("span", { class: "badge" }, t("session.ended"))] : null);
    const when = [agendaTime(s.starts_at), s.speakers].filter(Boolean).join(" · ");
    setText(node.querySelector(".session-when"), s.status === "live" && s.started_at ? `${when} · ${t("session.since", { time: time(s.started_at) })}` : when);
    const start = node.querySelector(".start");
    const end = node.querySelector(".end");
    setText(start, t(s.status === "ended" ? "presenter.restart" : "presenter.start"));
    setText(end, t("presenter.end"));
    start.hidden = s.status === "live";
    end.hidden = s.status !== "live";
    start.setAttribute("aria-label", `${start.textContent}: ${s.title}`);
    end.setAttribute("aria-label", `${end.textContent}: ${s.title}`);
    return node;
  });
  if (!(state.agenda || []).length) $("#sessions").replaceChildren(h("li", { class: "empty" }, t("presenter.no_sessions")));
}

function renderQuestions(state) {
  const screen = state.screen || {};
  const list = questionList(state).filter((q) => q.status === "published" || q.status === "answered")
    .sort((a, b) => (b.pinned - a.pinned) || (b.upvotes - a.upvotes) || (a.at - b.at));
  syncList($("#questions"), list, (q) => q.id, (q, node) => {
    if (!node) {
      node = h("li", { class: "pick-row" },
        h("div", { class: "grow" }, h("p", { class: "q-text" }), h("p", { class: "hint q-meta" })),
        h("button", { type: "button", class: "btn btn-small show-q" }));
      node.querySelector(".show-q").addEventListener("click", () => show("question", { ref: Number(node.dataset.key) }));
    }
    setText(node.querySelector(".q-text"), q.text);
    const author = q.author && !q.author.anonymous && q.author.name ? q.author.name : t("qa.anonymous");
    setText(node.querySelector(".q-meta"), [author, t("qa.upvotes", { n: q.upvotes || 0 }),
      q.pinned ? t("qa.pinned") : "", q.status === "answered" ? t("qa.answered") : ""].filter(Boolean).join(" · "));
    const onScreen = screen.kind === "question" && screen.ref === q.id;
    const button = node.querySelector(".show-q");
    setText(button, t(onScreen ? "presenter.on_screen_now" : "presenter.show_on_screen"));
    button.setAttribute("aria-pressed", String(onScreen));
    button.setAttribute("aria-label", `${button.textContent}: ${q.text.slice(0, 80)}`);
    node.dataset.onscreen = String(onScreen);
    return node;
  });
  if (!list.length) $("#questions").replaceChildren(h("li", { class: "empty" }, t("qa.empty")));
}

function renderPolls(state) {
  const list = polls(hub);
  syncList($("#polls"), list, (p) => p.id, (p, node) => pollRow(hub, p, node, state.screen || {}, { run, show }));
  if (!list.length) $("#polls").replaceChildren(h("li", { class: "empty" }, t("presenter.no_polls")));
}

function render() {
  const state = hub.state.public;
  if (!state) return;
  setText($("#event-title"), (state.event && state.event.title) || "");
  const staff = hub.state.staff || {};
  setText($("#presence"), staff.presence ? t("presence.online", { n: staff.presence.online }) : "");
  renderStage($("#preview"), hub, "preview");
  for (const button of $$("[data-show]")) button.setAttribute("aria-pressed", String((state.screen || {}).kind === button.dataset.show));
  renderSessions(state);
  renderPolls(state);
  renderQuestions(state);
  renderSpeakersControls($("#speakers-controls"), hub, run, show);
  renderPlenaryControls($("#plenary-controls"), hub, run, show);
}

hub.on("change", render);
onLangChange(() => {
  apply(document);
  $("#preview").dataset.key = "";
  for (const id of ["#sessions", "#polls", "#questions"]) $(id).replaceChildren();
  render();
});
