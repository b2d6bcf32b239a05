// The participant's ballots: one form per open poll, the picks left per section, a clear refusal,
// the vote sent with the hub's persistent outbox (a retry never doubles it), and the tracker of
// a secret ballot with a link to check it in the poll's ballot box. Delegates redeem their
// one-time credential here too.

import { h, fill, setText, syncList } from "./dom.js";
import { t, number } from "./i18n.js";
import { toast, errorText } from "./page.js";
import { polls } from "./state.js";
import { optionLabel } from "./results.js";
import { storage } from "./hub.js";

const picks = new Map(); // poll id -> Set of option ids (or ranking array / rating / text)

function trackerKey(hub, pollId) {
  return `plenaria.tracker.${hub.event}.${pollId}`;
}

/** The tracker this device was given in a secret poll ("" if none). */
export function storedTracker(hub, pollId) {
  return storage.get(trackerKey(hub, pollId)) || "";
}

/** The public ballot box of a secret poll; with a tracker, the page checks it at once. */
export function ballotBoxUrl(code, pollId, tracker = "") {
  return `/e/${encodeURIComponent(code)}/poll/${pollId}${tracker ? `#t=${encodeURIComponent(tracker)}` : ""}`;
}

function eligible(hub, poll) {
  const me = hub.participant || {};
  const delegate = hub.state.public && hub.state.public.delegate;
  if (!poll.eligibility || poll.eligibility === "everyone") return { ok: true };
  if (poll.eligibility === "delegates") return delegate ? { ok: true } : { ok: false, why: t("poll.only_delegates") };
  if (poll.eligibility.startsWith("segment:")) {
    const segment = poll.eligibility.slice(8);
    const mine = (delegate && delegate.segment) || me.segment;
    return mine === segment ? { ok: true } : { ok: false, why: t("poll.only_segment", { segment }) };
  }
  return { ok: true };
}

export function renderBallots(root, hub) {
  const open = polls(hub).filter((p) => p.status === "open" || p.status === "paused");
  syncList(root, open, (p) => p.id, (poll, node) => ballotCard(hub, poll, node));
  if (!open.length) root.replaceChildren(h("p", { class: "empty" }, t("poll.none_open")));
}

function ballotCard(hub, poll, node) {
  const spec = poll.spec || {};
  const signature = `${poll.id}|${JSON.stringify(spec).length}|${document.documentElement.lang}`;
  if (!node || node.dataset.signature !== signature) {
    node = h("article", { class: "card ballot", "aria-labelledby": `poll-q-${poll.id}` },
      h("div", { class: "ballot-head" },
        h("h3", { class: "ballot-q", id: `poll-q-${poll.id}` }, spec.question),
        h("span", { class: "ballot-clock" }, h("span", { class: "badge ballot-status" }), " ",
          h("span", { class: "timer ballot-timer", role: "timer", "aria-live": "off" }))),
      h("p", { class: "ballot-rule hint" }),
      h("p", { class: "ballot-eligibility notice", hidden: true }),
      ballotForm(hub, poll),
      h("p", { class: "ballot-done", role: "status" }));
    node.dataset.signature = signature;
  }
  const timer = node.querySelector(".ballot-timer");
  if (poll.status === "open" && poll.deadline) {
    timer.dataset.deadline = String(poll.deadline);
    delete timer.dataset.remaining;
  } else if (poll.status === "paused" && poll.remaining != null) {
    timer.dataset.deadline = "1";
    timer.dataset.remaining = String(poll.remaining);
  } else {
    delete timer.dataset.deadline;
    setText(timer, "");
  }
  const status = node.querySelector(".ballot-status");
  setText(status, t(poll.status === "paused" ? "poll.status_paused" : "poll.status_open"));
  status.className = `badge ballot-status ${poll.status === "paused" ? "badge-warn" : "badge-live"}`;
  setText(node.querySelector(".ballot-rule"), ruleText(poll));
  const can = eligible(hub, poll);
  const notice = node.querySelector(".ballot-eligibility");
  notice.hidden = can.ok;
  setText(notice, can.why || "");
  const form = node.querySelector("form");
  const submit = form.querySelector('button[type="submit"]');
  submit.disabled = !can.ok || poll.status !== "open";
  const done = node.querySelector(".ballot-done");
  const mine = poll.my_vote;
  const tracker = storedTracker(hub, poll.id);
  if (mine || tracker) {
    fill(done, h("span", { class: "badge badge-ok" }, t("poll.voted")), " ",
      poll.secret ? t("poll.secret_note") : t("poll.change_note"),
      tracker ? h("span", { class: "tracker" }, " ", t("poll.tracker"), " ", h("code", {}, tracker), " ",
        h("a", { href: ballotBoxUrl(hub.event, poll.id, tracker), target: "_blank", rel: "noopener" },
          t("poll.check_vote"))) : null);
    setText(submit, t(poll.secret ? "poll.voted" : "poll.change_vote"));
    if (poll.secret) submit.disabled = true;
    if (mine && mine.ballot && !form.dataset.touched) restoreBallot(form, poll, mine.ballot);
  } else {
    done.replaceChildren();
    setText(submit, t("poll.vote"));
  }
  return node;
}

function ruleText(poll) {
  const spec = poll.spec || {};
  if (spec.kind === "multiple" && !(spec.sections || []).length) {
    return spec.min_picks === spec.max_picks
      ? t("poll.rule_exact", { n: spec.max_picks })
      : t("poll.rule_range", { min: spec.min_picks, max: spec.max_picks });
  }
  if (rankedElection(spec)) return t("poll.rule_ranked_sections");
  if ((spec.sections || []).length) return t("poll.rule_sections");
  if (spec.kind === "ranking") return t("poll.rule_ranking");
  if (spec.kind === "rating") return t("poll.rule_rating", { min: spec.scale_min, max: spec.scale_max });
  if (spec.kind === "open_text") return t("poll.rule_text", { n: spec.max_text_length });
  return t("poll.rule_single");
}

/** An election counted by STV: its ballot ranks the candidates of each segment. */
function rankedElection(spec) {
  return spec.kind === "election" && spec.method === "stv";
}

function optionInput(poll, option, type, name) {
  const id = `p${poll.id}-${option.id}`;
  return h("li", { class: "choice" },
    h("input", { type, id, name, value: option.id }),
    h("label", { for: id }, optionLabel(poll.spec, option),
      // Where a pre-conference proposal came from ("CRAS Nações, 13/06 — 2 contributions merged").
      option.origin ? h("span", { class: "choice-origin" }, option.origin) : null));
}

function grouped(poll, options, type, name) {
  // Proposals grouped by axis (eixo) when the organizer gave groups.
  const groups = new Map();
  for (const option of options) {
    const g = option.group || "";
    if (!groups.has(g)) groups.set(g, []);
    groups.get(g).push(option);
  }
  return [...groups].map(([group, list]) => [
    group ? h("p", { class: "choice-group" }, group) : null,
    h("ul", { class: "choices plain" }, list.map((o) => optionInput(poll, o, type, name))),
  ]);
}

function ballotForm(hub, poll) {
  const spec = poll.spec || {};
  const kind = spec.kind;
  const options = spec.options || [];
  const sections = spec.sections || [];
  const form = h("form", { class: "ballot-form", novalidate: true });
  const error = h("p", { class: "ballot-error", role: "alert" });
  const name = `poll-${poll.id}`;
  if (kind === "single" || kind === "yes_no_abstain") {
    form.append(h("fieldset", {}, h("legend", { class: "visually-hidden" }, spec.question), grouped(poll, options, "radio", name)));
  } else if (rankedElection(spec)) {
    // One ordered list per segment (the same rows as a ranking poll's): the order within a
    // segment is the ballot; segments are counted apart.
    for (const section of sections) {
      const inSection = options.filter((o) => section.option_ids.includes(o.id));
      const titleId = `p${poll.id}-group-${section.id}`;
      form.append(h("div", { class: "section section-ranked", role: "group", "aria-labelledby": titleId, dataset: { section: section.id } },
        h("div", { class: "section-head" },
          h("span", { class: "section-title", id: titleId }, section.title),
          h("span", { class: "badge badge-accent" }, t("poll.rank_seats", { n: section.seats }))),
        h("ol", { class: "ranking plain" }, inSection.map((o) => rankingRow(poll, o)))));
    }
  } else if ((kind === "multiple" || kind === "election") && sections.length) {
    for (const section of sections) {
      const inSection = options.filter((o) => section.option_ids.includes(o.id));
      form.append(pickGroup(poll, section.id, section.title, false, section.min_picks, section.max_picks,
        grouped(poll, inSection, "checkbox", `${name}-${section.id}`)));
    }
  } else if (kind === "multiple") {
    form.append(pickGroup(poll, "", spec.question, true, spec.min_picks, spec.max_picks,
      grouped(poll, options, "checkbox", name)));
  } else if (kind === "ranking") {
    const list = h("ol", { class: "ranking plain" });
    for (const option of options) list.append(rankingRow(poll, option));
    form.append(h("fieldset", {}, h("legend", { class: "visually-hidden" }, spec.question), list));
  } else if (kind === "rating") {
    const row = h("div", { class: "rating-row" });
    for (let v = spec.scale_min; v <= spec.scale_max; v += 1) {
      const id = `p${poll.id}-r${v}`;
      row.append(h("span", { class: "rating-choice" }, h("input", { type: "radio", id, name, value: String(v) }), h("label", { for: id }, number(v))));
    }
    form.append(h("fieldset", {}, h("legend", { class: "visually-hidden" }, spec.question), row));
  } else if (kind === "open_text") {
    const id = `p${poll.id}-text`;
    form.append(h("div", { class: "field" }, h("label", { for: id }, t("poll.your_answer")),
      h("input", { id, name: "text", class: "input", maxlength: String(spec.max_text_length || 80), autocomplete: "off" })));
  }
  // A refused pick is said where the finger is, and to screen readers (assertive: it undoes a tap).
  const refusal = h("span", { class: "refusal", role: "alert", hidden: true });
  const blank = blankConfirm(() => send(true));
  form.append(error, blank, h("div", { class: "row row-end" }, h("button", { type: "submit", class: "btn btn-primary" }, t("poll.vote"))));
  const update = () => updateLeft(form);
  // Typing clears the last error at once: cleared on blur instead, by the click on "Vote" that
  // blurs the field, the shorter form would move the button from under the pointer.
  form.addEventListener("input", (e) => { if (e.target.name === "text") setText(error, ""); });
  form.addEventListener("change", (e) => {
    form.dataset.touched = "1";
    blank.hidden = true;
    const box = e.target;
    if (box.type === "checkbox" && box.checked) {
      const group = box.closest("[data-max]");
      const max = Number(group.dataset.max);
      const count = group.querySelectorAll("input:checked").length;
      if (count > max) {
        box.checked = false;
        refuse(refusal, box.closest(".choice"), group, t("poll.too_many_here", { n: max, section: groupTitle(group) }));
        return;
      }
    }
    refusal.hidden = true;
    for (const head of form.querySelectorAll(".section-head.refused")) head.classList.remove("refused");
    setText(error, "");
    update();
  });
  const send = (confirmed) => {
    if (form.querySelector('button[type="submit"]').disabled) return; // closed, paused, sending
    const ballot = readBallot(form, poll);
    const problem = checkBallot(form, poll, ballot);
    if (problem) { setText(error, problem); return; }
    setText(error, "");
    // An empty ballot is a valid vote (a blank one), but rarely meant: ask first.
    if (!confirmed && ballot.choices && !ballot.choices.length) {
      blank.hidden = false;
      blank.querySelector(".blank-yes").focus();
      return;
    }
    blank.hidden = true;
    const button = form.querySelector('button[type="submit"]');
    button.disabled = true;
    setText(button, t("poll.sending"));
    hub.send("vote.cast", { poll: poll.id, ballot }, { persist: true }).then((result) => {
      if (result.tracker) storage.set(trackerKey(hub, poll.id), result.tracker);
      const p = polls(hub).find((x) => x.id === poll.id);
      const own = (hub.state.public.polls || []).find((x) => x.id === poll.id);
      if (own) own.my_vote = result.secret ? { voted: true } : { ballot: result.ballot || ballot };
      form.dataset.touched = "";
      // A held word-cloud answer is stored but shows only once a moderator approves it.
      toast(t(result.moderation === "held" ? "poll.answer_held" : "poll.vote_counted"));
      button.disabled = false;
      void p;
      hub.touch("vote");
    }, (err) => {
      button.disabled = false;
      setText(button, t("poll.vote"));
      setText(error, errorText(err));
    });
  };
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    send(false);
  });
  queueMicrotask(update);
  return form;
}

/** Checkboxes with a limit: a group named by its title, whose head (title and picks left)
 * stays in view while its options scroll under it. */
function pickGroup(poll, id, title, titleHidden, min, max, choices) {
  const titleId = `p${poll.id}-group-${id || "all"}`;
  return h("div", { class: "section", role: "group", "aria-labelledby": titleId, dataset: { section: id, max: String(max), min: String(min) } },
    h("div", { class: "section-head" },
      h("span", { class: titleHidden ? "section-title visually-hidden" : "section-title", id: titleId }, title),
      h("span", { class: "left badge", "aria-live": "polite" })),
    choices);
}

function groupTitle(group) {
  return group.querySelector(".section-title").textContent || "";
}

function refuse(note, choice, group, text) {
  // Emptied first, so a second refusal of the same pick is announced again.
  note.textContent = "";
  note.hidden = false;
  choice.append(note);
  requestAnimationFrame(() => setText(note, text));
  const head = group.querySelector(".section-head");
  head.classList.remove("refused");
  void head.offsetWidth; // restart the counter's shake
  head.classList.add("refused");
  if (navigator.vibrate) navigator.vibrate(60);
}

function blankConfirm(onYes) {
  const box = h("div", { class: "blank-confirm", role: "alert", hidden: true },
    h("p", { class: "blank-question" }, t("poll.blank_confirm")),
    h("div", { class: "row" },
      h("button", { type: "button", class: "btn btn-primary blank-yes" }, t("poll.blank_yes")),
      h("button", { type: "button", class: "btn blank-no" }, t("poll.blank_no"))));
  box.querySelector(".blank-yes").addEventListener("click", onYes);
  box.querySelector(".blank-no").addEventListener("click", () => {
    box.hidden = true;
    const first = box.closest("form").querySelector("input");
    if (first) first.focus();
  });
  return box;
}

function rankingRow(poll, option) {
  const move = (row, delta) => {
    const list = row.parentElement;
    const rows = [...list.children];
    const index = rows.indexOf(row) + delta;
    if (index < 0 || index >= rows.length) return;
    if (delta < 0) list.insertBefore(row, rows[index]);
    else list.insertBefore(row, rows[index].nextSibling);
    row.querySelector(delta < 0 ? ".up" : ".down").focus();
    list.closest("form").dataset.touched = "1";
    // The focus stays on the button, so say where the candidate is now (screen readers).
    let status = list.parentElement.querySelector(":scope > .rank-status");
    if (!status) {
      status = h("span", { class: "rank-status visually-hidden", role: "status" });
      list.after(status);
    }
    setText(status, t("poll.ranked_at", { option: option.label, place: index + 1, n: rows.length }));
  };
  const row = h("li", { class: "rank-row", dataset: { option: option.id } },
    h("span", { class: "rank-label" }, optionLabel(poll.spec, option)),
    h("button", { type: "button", class: "btn btn-small up", "aria-label": t("poll.move_up", { option: option.label }) }, "↑"),
    h("button", { type: "button", class: "btn btn-small down", "aria-label": t("poll.move_down", { option: option.label }) }, "↓"));
  row.querySelector(".up").addEventListener("click", () => move(row, -1));
  row.querySelector(".down").addEventListener("click", () => move(row, 1));
  return row;
}

function updateLeft(form) {
  for (const group of form.querySelectorAll("[data-max]")) {
    const max = Number(group.dataset.max);
    const count = group.querySelectorAll("input:checked").length;
    const left = group.querySelector(".left");
    setText(left, t("poll.picks_left", { n: max - count, max }));
    left.className = `left badge ${count === max ? "badge-ok" : "badge-accent"}`;
  }
}

function readBallot(form, poll) {
  const kind = poll.spec.kind;
  if (kind === "single" || kind === "yes_no_abstain") {
    const checked = form.querySelector("input:checked");
    return { choice: checked ? checked.value : "" };
  }
  if (rankedElection(poll.spec)) return { choices: [...form.querySelectorAll(".rank-row")].map((r) => r.dataset.option) };
  if (kind === "multiple" || kind === "election") {
    return { choices: [...form.querySelectorAll("input[type=checkbox]:checked")].map((i) => i.value) };
  }
  if (kind === "ranking") return { ranking: [...form.querySelectorAll(".rank-row")].map((r) => r.dataset.option) };
  if (kind === "rating") {
    const checked = form.querySelector("input:checked");
    return { rating: checked ? Number(checked.value) : null };
  }
  return { text: (form.querySelector("input[name=text]").value || "").trim() };
}

function checkBallot(form, poll, ballot) {
  const kind = poll.spec.kind;
  if ((kind === "single" || kind === "yes_no_abstain") && !ballot.choice) return t("poll.pick_one");
  if (kind === "rating" && ballot.rating == null) return t("poll.pick_one");
  if (kind === "open_text" && !ballot.text) return t("error.text_empty");
  for (const group of form.querySelectorAll("[data-max]")) {
    const count = group.querySelectorAll("input:checked").length;
    const min = Number(group.dataset.min);
    const max = Number(group.dataset.max);
    const title = groupTitle(group);
    if (count > max) return t("poll.too_many_here", { n: max, section: title });
    if (count < min) return t("poll.too_few_here", { n: min, section: title });
  }
  return "";
}

function restoreBallot(form, poll, ballot) {
  const choices = ballot.choices || [];
  for (const input of form.querySelectorAll("input[type=checkbox], input[type=radio]")) {
    if (poll.spec.kind === "rating") input.checked = Number(input.value) === ballot.rating;
    else input.checked = choices.includes(input.value);
  }
  if ((poll.spec.kind === "ranking" || rankedElection(poll.spec)) && choices.length) {
    // Each row goes to the end of its own list in ballot order: the lists end up in the voter's order.
    for (const id of choices) {
      const row = form.querySelector(`.rank-row[data-option="${CSS.escape(id)}"]`);
      if (row) row.parentElement.append(row);
    }
  }
  const text = form.querySelector("input[name=text]");
  if (text && ballot.text) text.value = ballot.text;
  updateLeft(form);
}

/** The delegate box: who I am as a delegate, or a field to redeem a one-time code. */
export function renderDelegate(root, hub) {
  const state = hub.state.public || {};
  const delegate = state.delegate;
  const needs = polls(hub).some((p) => p.eligibility === "delegates" && p.status !== "closed");
  const key = delegate ? `d${delegate.id}|${delegate.status}` : `none|${needs}`;
  if (root.dataset.key === key && root.dataset.lang === document.documentElement.lang) return;
  root.dataset.key = key;
  root.dataset.lang = document.documentElement.lang;
  if (delegate) {
    fill(root, h("p", { class: "delegate-me" }, h("span", { class: "badge badge-ok" }, t("delegate.badge")), " ",
      delegate.name, delegate.segment ? ` · ${delegate.segment}` : ""));
    return;
  }
  const input = h("input", { id: "delegate-code", class: "input code", autocomplete: "one-time-code", autocapitalize: "characters", maxlength: "32", spellcheck: "false" });
  const hint = h("p", { class: "hint", role: "status" });
  const form = h("form", { class: "delegate-form" },
    h("div", { class: "field" }, h("label", { for: "delegate-code" }, t("delegate.code_label")), input),
    h("div", { class: "row" }, h("button", { type: "submit", class: "btn" }, t("delegate.redeem")), hint));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const code = input.value.trim();
    if (code.length < 4) { setText(hint, t("delegate.code_short")); return; }
    hub.send("delegate.redeem", { code }).then((result) => {
      state.delegate = result.delegate;
      toast(t("delegate.welcome", { name: result.delegate.name }));
      root.dataset.key = "";
      hub.touch("delegate");
    }, (err) => setText(hint, errorText(err)));
  });
  const details = h("details", { class: "delegate-box", open: needs || null }, h("summary", {}, t("delegate.summary")), form);
  fill(root, details);
  // A printed credential's QR opens /e/CODE#delegate=XXXX: fill it in (sent only when the visitor confirms).
  const cred = /(?:^#|&)(?:delegate|cred)=([A-Za-z0-9-]{4,64})/.exec(location.hash);
  if (cred) {
    input.value = cred[1];
    details.open = true;
    history.replaceState(null, "", location.pathname + location.search);
  }
}
