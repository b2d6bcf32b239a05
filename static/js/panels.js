// What the projector, the broadcast overlay and the presenter's preview show: the panel the
// presenter chose (screen.updated), drawn from the public state. One renderer for all three.

import { h, fill, setText } from "./dom.js";
import { t, agendaTime } from "./i18n.js";
import { renderStageResults } from "./stagepoll.js";
import { renderDestaque, renderMocao, renderSpeakers } from "./procedure.js";
import { findQuestion, liveSession, pollTurnout, pollModel, publicPoll, verificationText } from "./state.js";

export function joinUrl(code) {
  return `${location.origin}/e/${code}`;
}

export function qrImage(code, className = "qr") {
  return h("img", { class: className, src: `/qr/${encodeURIComponent(code)}.svg`, alt: t("screen.qr_alt", { url: joinUrl(code) }) });
}

function joinBlock(code, big) {
  const display = joinUrl(code).replace(/^https?:\/\//, "");
  return h("div", { class: big ? "join join-big" : "join" },
    qrImage(code),
    h("div", { class: "join-text" },
      h("p", { class: "join-call" }, t("screen.join_call")),
      h("p", { class: "join-url" }, display),
      h("p", { class: "join-code" }, t("screen.code"), " ", h("strong", { class: "code" }, code))));
}

/**
 * Draw the current screen into `root` (an element with class "stage").
 * `mode`: "screen" (projector), "overlay" (lower third), "preview" (presenter).
 */
export function renderStage(root, hub, mode = "screen") {
  const state = hub.state.public;
  if (!state) return;
  const screen = state.screen || { kind: "none" };
  const event = state.event || {};
  const code = event.code || "";
  const session = liveSession(state);
  const key = `${screen.kind}|${screen.ref}|${screen.text}|${screen.ends_at}|${mode}`;
  const fresh = root.dataset.key !== key;
  root.dataset.kind = screen.kind;
  root.dataset.mode = mode;

  let head = root.querySelector(".stage-head");
  let main = root.querySelector(".stage-main");
  let corner = root.querySelector(".stage-corner");
  if (!head) {
    head = h("header", { class: "stage-head" },
      h("p", { class: "stage-event" }), h("p", { class: "stage-session" }));
    main = h("div", { class: "stage-main", "aria-live": "polite" });
    corner = h("aside", { class: "stage-corner" });
    root.replaceChildren(head, main, corner);
  }
  setText(head.querySelector(".stage-event"), screen.kind === "none" ? "" : event.title || "");
  const sessionLine = head.querySelector(".stage-session");
  fill(sessionLine, session && screen.kind !== "session"
    ? [h("span", { class: "badge badge-live" }, t("session.live")), " ", session.title]
    : []);

  // The join corner: everywhere except on the QR panel itself (and not in the overlay, where
  // the broadcast has its own lower third; the overlay shows it only on the QR panel).
  const showCorner = code && screen.kind !== "qr" && mode !== "overlay";
  corner.hidden = !showCorner;
  const cornerKey = `${code}|${document.documentElement.lang}`;
  if (showCorner && corner.dataset.code !== cornerKey) {
    corner.dataset.code = cornerKey;
    fill(corner, joinBlock(code, false));
  }

  if (fresh) {
    root.dataset.key = key;
    main.replaceChildren();
    main.classList.remove("enter");
    void main.offsetWidth; // restart the entrance animation
    main.classList.add("enter");
  }

  switch (screen.kind) {
    case "qr":
      if (fresh) fill(main, h("div", { class: "panel panel-qr" }, joinBlock(code, true)));
      break;
    case "timer":
      if (fresh) {
        fill(main, h("div", { class: "panel panel-timer" },
          screen.text ? h("p", { class: "panel-label" }, screen.text) : null,
          h("p", { class: "timer", dataset: { deadline: String(screen.ends_at || 0) }, role: "timer" })));
      }
      break;
    case "message":
      if (fresh) fill(main, h("div", { class: "panel panel-message" }, h("p", { class: "message" }, screen.text)));
      break;
    case "question":
      renderQuestion(main, findQuestion(state, screen.ref));
      break;
    case "poll":
      renderPoll(main, hub, pollOf(hub, screen.ref), mode);
      break;
    case "session":
      renderSession(main, session);
      break;
    case "speakers":
      renderSpeakers(main, state, screen.ref, mode);
      break;
    case "destaque":
      renderDestaque(main, state, screen.ref);
      break;
    case "mocao":
      renderMocao(main, state, screen.ref);
      break;
    default:
      if (fresh || !main.firstChild) {
        fill(main, h("div", { class: "panel panel-title" },
          h("p", { class: "big-title" }, event.title || ""),
          session ? h("p", { class: "panel-sub" }, h("span", { class: "badge badge-live" }, t("session.live")), " ", session.title) : null));
      } else {
        setText(main.querySelector(".big-title"), event.title || "");
      }
  }
}

function pollOf(hub, id) {
  // The public view, also in the presenter's preview: it shows what the projector shows.
  const poll = publicPoll(hub.state.public, id);
  return poll ? pollModel(poll) : null;
}

function renderSession(main, session) {
  if (!session) {
    fill(main, h("div", { class: "panel panel-title" }, h("p", { class: "big-title muted" }, t("session.none_live"))));
    return;
  }
  fill(main, h("div", { class: "panel panel-session" },
    h("p", { class: "panel-kicker" }, h("span", { class: "badge badge-live" }, t("session.live")),
      session.starts_at ? ` ${agendaTime(session.starts_at)}` : ""),
    h("p", { class: "big-title" }, session.title),
    session.speakers ? h("p", { class: "panel-sub" }, session.speakers) : null));
}

function renderQuestion(main, question) {
  if (!question) {
    fill(main, h("div", { class: "panel panel-question" }, h("p", { class: "muted" }, t("screen.question_missing"))));
    return;
  }
  let panel = main.querySelector(".panel-question");
  if (!panel || panel.dataset.id !== String(question.id)) {
    panel = h("figure", { class: "panel panel-question", dataset: { id: String(question.id) } },
      h("p", { class: "panel-kicker" }, t("screen.question")),
      h("blockquote", { class: "question-text" }),
      h("p", { class: "panel-sub question-reply" }),
      h("figcaption", { class: "question-meta" }));
    fill(main, panel);
  }
  setText(panel.querySelector(".question-text"), question.text);
  const reply = panel.querySelector(".question-reply");
  reply.hidden = !(question.reply && question.reply.text);
  fill(reply, question.reply && question.reply.text ? [h("strong", {}, t("qa.reply_label")), " ", question.reply.text] : []);
  const author = question.author && !question.author.anonymous && question.author.name
    ? question.author.name : t("qa.anonymous");
  fill(panel.querySelector(".question-meta"),
    h("span", { class: "question-author" }, author),
    h("span", { class: "question-votes" }, t("qa.upvotes", { n: question.upvotes || 0 })),
    question.status === "answered" ? h("span", { class: "badge badge-ok" }, t("qa.answered")) : null);
}

function renderPoll(main, hub, poll, mode) {
  if (!poll) {
    fill(main, h("div", { class: "panel panel-poll" }, h("p", { class: "muted" }, t("screen.poll_missing"))));
    return;
  }
  let panel = main.querySelector(".panel-poll");
  if (!panel || panel.dataset.id !== String(poll.id)) {
    panel = h("div", { class: "panel panel-poll", dataset: { id: String(poll.id) } },
      h("div", { class: "poll-head" },
        h("p", { class: "poll-question" }),
        h("div", { class: "poll-clock" }, h("span", { class: "poll-state" }), h("span", { class: "timer poll-timer", role: "timer" }))),
      h("p", { class: "poll-turnout" }),
      h("div", { class: "poll-results" }),
      h("p", { class: "poll-pager" }),
      h("p", { class: "poll-verify" }));
    fill(main, panel);
  }
  setText(panel.querySelector(".poll-question"), poll.question);
  const timer = panel.querySelector(".poll-timer");
  const open = poll.status === "open";
  if (open && poll.ends_at) {
    timer.dataset.deadline = String(poll.ends_at);
    delete timer.dataset.remaining;
    timer.hidden = false;
  } else if (poll.status === "paused" && poll.remaining != null) {
    timer.dataset.deadline = "1";
    timer.dataset.remaining = String(poll.remaining);
    timer.hidden = false;
  } else {
    delete timer.dataset.deadline;
    timer.hidden = true;
  }
  const hidden = poll.results == null;
  // "Final result" only above a result; a closed poll whose results stay hidden is just closed.
  const stateLabel = {
    open: "poll.status_open", paused: "poll.status_paused", draft: "poll.status_draft",
    closed: hidden ? "poll.status_closed" : "poll.final_result",
  }[poll.status] || "";
  const badge = panel.querySelector(".poll-state");
  setText(badge, stateLabel ? t(stateLabel) : "");
  badge.className = `poll-state badge ${poll.status === "closed" ? "badge-ok" : poll.status === "open" ? "badge-live" : "badge-warn"}`;
  setText(panel.querySelector(".poll-turnout"), pollTurnout(hub, poll));
  const results = panel.querySelector(".poll-results");
  const pager = panel.querySelector(".poll-pager");
  if (hidden) {
    // A secret poll is sealed until counted; otherwise only while voting may results still come
    // (after_close), or they stay with the staff.
    const why = poll.awaiting ? "results.counting"
      : poll.secret && poll.status !== "closed" ? "results.sealed"
      : poll.visibility === "after_close" && poll.status !== "closed" ? "results.hidden_until_close" : "results.hidden_public";
    const note = results.querySelector(".results-hidden");
    if (!note || note.dataset.why !== why || note.dataset.lang !== document.documentElement.lang) {
      fill(results, h("p", { class: "muted results-hidden", dataset: { why, lang: document.documentElement.lang } }, t(why)));
      results.style.height = "";
      delete results._stage;
      pager.replaceChildren();
    }
  } else {
    if (results.querySelector(".results-hidden")) results.replaceChildren();
    panel.dataset.size = poll.options.length > 8 || poll.kind === "open_text" ? "large" : "small";
    renderStageResults(results, pager, poll, mode, () => hub.now());
  }
  setText(panel.querySelector(".poll-verify"), verificationText(poll));
}

