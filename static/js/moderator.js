// The moderator console (/m/CODE#k=TOKEN): the live review queue with the reasons highlighted in
// the text, decisions by keyboard, filters, policy switches, sanctions and the audit log.
// Several moderators see each other's decisions live (mod.item); a lost race answers
// `already_decided` and the item simply leaves the queue. Beyond approve and reject: a reason
// for the author, shadow-hide, bulk approve, remove all of one person's messages, a reply under
// a question, and the audit log as a file.

import "./reducers.js";
import { $, $$, h, fill, setText, syncList, highlighted } from "./dom.js";
import { t, time, onLangChange, apply } from "./i18n.js";
import { startPage, toast, errorText } from "./page.js";
import { answerItems, answerActions, answerHead, actOnAnswer, renderClouds } from "./answers.js";
import { download } from "./downloads.js";
import { originBadge, healthList } from "./platforms.js";

const hub = await startPage({ staff: true });
let filter = "held";
let selected = null; // "kind:id"
let editing = null;
let replying = null; // "kind:id" of the question whose reply is being written
const ticked = new Set(); // "kind:id" chosen for a bulk approval
const REJECT_PRESETS = ["off_topic", "offensive", "personal_data", "spam", "duplicate", "answered"];
const BULK_LIMIT = 100;

const keyOf = (item) => `${item.kind}:${item.id}`;

function mod() {
  return (hub.state.staff && hub.state.staff.moderation) || {};
}

function items() {
  const m = mod();
  // Word-cloud answers join the chat and questions lists (docs/protocol.md, open-text answers).
  const answers = answerItems(hub);
  if (filter === "held") return [...(m.queue || []), ...answers.filter((a) => a.status === "held")];
  if (filter === "blocked") return [...(m.blocked || []), ...answers.filter((a) => a.auto_blocked)];
  if (filter === "questions") {
    return [...(m.questions || [])].sort((a, b) => (b.pinned - a.pinned) || b.upvotes - a.upvotes);
  }
  return [...(m.recent || []), ...answers];
}

function ruleName(rule) {
  const key = `rule.${rule}`;
  const text = t(key);
  return text === key ? rule : text;
}

function detailName(detail) {
  if (!detail || detail === "uppercase") return "";
  const own = t(`detail.${detail}`);
  if (own !== `detail.${detail}`) return own;
  const [category] = String(detail).split(":");
  const cat = t(`detail.${category}`);
  return cat !== `detail.${category}` ? cat : detail;
}

function run(type, fields, ok) {
  return hub.send(type, fields).then((result) => {
    if (ok) toast(ok);
    return result;
  }, (error) => {
    toast(errorText(error), "error");
  });
}

function undecided(item) {
  // Word-cloud answers have their own decisions (answers.js); bulk approval is for chat and questions.
  return item.kind !== "answer" && !item.decided_by && (item.status === "held" || item.status === "rejected");
}

const isPublic = (item) => item.status === "published" || item.status === "answered";

/** A participant's stable tag in the console: the first four characters of the public id. */
export function tagOf(publicId) {
  return String(publicId || "").slice(0, 4).toUpperCase();
}

/** "Maria · 3F2A", "Anônimo · 3F2A": two anonymous authors never look the same in a list. */
function authorLabel(author) {
  const name = (author && author.name) || t("qa.anonymous");
  return author && author.id ? `${name} · ${tagOf(author.id)}` : name;
}

function actionsFor(item) {
  if (item.kind === "answer") return answerActions(item);
  const list = [];
  if (undecided(item)) {
    list.push(["approve", "mod.approve", "btn-ok", "a"], ["reject", "mod.reject", "btn-danger", "r"], ["edit", "mod.edit", "", "e"]);
  }
  if (item.kind === "chat" && (undecided(item) || isPublic(item))) list.push(["promote", "mod.promote", "", "q"]);
  if (item.status === "held" || isPublic(item)) list.push(["hide", "mod.hide", "", "h"]);
  if (item.status === "hidden") list.push(["unhide", "mod.unhide", "", "h"]);
  if (item.kind === "question" && isPublic(item)) {
    list.push(["pin", item.pinned ? "mod.unpin" : "mod.pin", "", "p"],
      ["answer", item.status === "answered" ? "mod.unanswer" : "mod.answer", "", "n"],
      ["reply", item.reply ? "mod.reply_edit" : "mod.reply", "", "t"],
      ["archive", "mod.archive", "", "x"], ["merge", "mod.merge", "", ""]);
  }
  if (isPublic(item) || item.status === "hidden") list.push(["delete", "mod.delete", "btn-danger", "d"]);
  if (item.author && item.author.id) {
    list.push(["mute", "mod.mute", "", "m"], ["ban", "mod.ban", "btn-danger", "b"], ["remove_all", "mod.remove_all", "btn-danger", ""]);
  }
  return list;
}

function act(action, item) {
  if (!item) return;
  if (item.kind === "answer") return actOnAnswer(run, action, item);
  const base = { kind: item.kind, item: item.id };
  switch (action) {
    case "approve": return run("mod.approve", base, t("mod.approved"));
    case "reject": return openReject(item);
    case "edit": editing = keyOf(item); replying = null; render(); focusEdit(); return null;
    case "promote": return run("mod.promote", { item: item.id }, t("mod.promoted"));
    case "hide": return run("mod.hide", { ...base, hidden: true }, t("mod.hidden"));
    case "unhide": return run("mod.hide", { ...base, hidden: false }, t("mod.unhidden"));
    case "reply": replying = keyOf(item); editing = null; render(); focusEdit(); return null;
    case "pin": return run("question.pin", { question: item.id, pinned: !item.pinned });
    case "answer": return run("question.answer", { question: item.id, answered: item.status !== "answered" });
    case "archive": return run("question.archive", { question: item.id }, t("mod.archived"));
    case "delete": return run("mod.delete", base, t("mod.deleted"));
    case "merge": return openMerge(item);
    case "mute": {
      const minutes = Math.max(1, Math.min(1440, Number($("#mute-minutes").value) || 10));
      return run("mod.mute", { participant: item.author.id, minutes }, t("mod.muted", { n: minutes }));
    }
    case "ban":
      if (!confirm(t("mod.ban_confirm", { name: authorLabel(item.author) }))) return null;
      return run("mod.ban", { participant: item.author.id }, t("mod.banned"));
    case "remove_all":
      if (!confirm(t("mod.remove_all_confirm", { name: authorLabel(item.author) }))) return null;
      return run("mod.remove_all", { participant: item.author.id }).then((result) => {
        if (result) toast(t("mod.removed_all", { n: result.removed.length }));
      });
    default: return null;
  }
}

function focusEdit() {
  const box = $("#queue .edit-box textarea");
  if (box) { box.focus(); box.setSelectionRange(box.value.length, box.value.length); }
}

function markCurrent(node, current) {
  if (current) node.setAttribute("aria-current", "true");
  else node.removeAttribute("aria-current");
}

function itemNode(item, node) {
  const key = keyOf(item);
  const signature = `${item.version}|${item.status}|${item.pinned}|${item.upvotes}|${item.count}|${editing === key}|${replying === key}|${ticked.has(key)}|${document.documentElement.lang}`;
  if (node && node.dataset.signature === signature) {
    markCurrent(node, selected === key);
    return node;
  }
  node = h("li", { class: "queue-item", id: `item-${item.kind}-${item.id}`, tabindex: "-1" });
  markCurrent(node, selected === key);
  node.dataset.signature = signature;
  node.dataset.verdict = item.verdict;
  node.dataset.status = item.status;
  node.dataset.decided = String(Boolean(item.decided_by));
  const author = item.author || {};
  node.append(h("div", { class: "item-head" },
    item.kind === "answer" ? answerHead(item) : [
      undecided(item) ? tickBox(item) : null,
      h("span", { class: "badge" }, t(item.kind === "chat" ? "mod.kind_chat" : "mod.kind_question")),
      h("span", { class: "item-author" }, authorLabel(author)), author.anonymous ? h("span", { class: "badge" }, t("qa.anonymous_flag")) : null,
      originBadge(item),
      h("span", {}, time(item.at))],
    h("span", { class: `badge ${{ held: "badge-warn", hidden: "badge-warn", rejected: "badge-danger", deleted: "badge-danger", merged: "" }[item.status] ?? "badge-ok"}` },
      t(item.kind === "answer" && item.status === "hidden" ? "status.answer_hidden" : `status.item_${item.status}`)),
    item.kind === "question" ? h("span", {}, t("qa.upvotes", { n: item.upvotes || 0 })) : null,
    item.pinned ? h("span", { class: "badge badge-accent" }, t("qa.pinned")) : null,
    item.decided_by ? h("span", { class: "hint" }, t("mod.decided_by", { who: item.decided_by })) : null));
  const reasons = (item.reasons || []).filter((r) => r.rule);
  node.append(h("p", { class: "item-text" }, highlighted(item.text, reasons, (r) => `${ruleName(r.rule)}${detailName(r.detail) ? `: ${detailName(r.detail)}` : ""}`)));
  if (item.original_text && item.original_text !== item.text) {
    node.append(h("p", { class: "hint" }, t("mod.original"), " ", item.original_text));
  }
  if (reasons.length) {
    node.append(h("p", { class: "reasons" }, reasons.map((r) => h("span", {
      class: `badge reason ${r.verdict === "block" ? "badge-danger" : "badge-warn"}`,
    }, ruleName(r.rule), detailName(r.detail) ? `: ${detailName(r.detail)}` : ""))));
  }
  if (item.reject_reason || item.reject_note) {
    node.append(h("p", { class: "hint" }, t("mod.told_author"), " ",
      [item.reject_reason ? t(`reject.${item.reject_reason}`) : "", item.reject_note].filter(Boolean).join(" — ")));
  }
  if (item.reply && replying !== key) node.append(h("p", { class: "item-reply" }, h("strong", {}, t("qa.reply_label")), " ", item.reply));
  if (replying === key) node.append(replyBox(item));
  if (editing === key) {
    const area = h("textarea", { class: "input", rows: "3", maxlength: "500", "aria-label": t("mod.edit_label") });
    area.value = item.text;
    const save = () => {
      const text = area.value.trim();
      if (!text) return;
      editing = null;
      run("mod.approve", { kind: item.kind, item: item.id, text }, t("mod.approved"));
      render();
      $("#queue").focus();
    };
    area.addEventListener("keydown", (e) => {
      e.stopPropagation();
      if (e.key === "Enter" && (e.ctrlKey || e.metaKey || !e.shiftKey)) { e.preventDefault(); save(); }
      if (e.key === "Escape") { editing = null; render(); $("#queue").focus(); }
    });
    node.append(h("div", { class: "edit-box" }, area, h("div", { class: "row" },
      h("button", { type: "button", class: "btn btn-ok btn-small", onclick: save }, t("mod.save_approve")),
      h("button", { type: "button", class: "btn btn-small", onclick: () => { editing = null; render(); } }, t("common.cancel")),
      h("span", { class: "hint" }, t("mod.edit_keys")))));
  }
  const actions = h("div", { class: "item-actions" });
  for (const [action, label, cls, keyName] of actionsFor(item)) {
    actions.append(h("button", {
      type: "button", class: `btn btn-small ${cls}`, "aria-keyshortcuts": keyName || null,
      onclick: (e) => { e.stopPropagation(); selected = key; act(action, item); },
    }, t(label), keyName ? h("kbd", { class: "key-hint", "aria-hidden": "true" }, keyName) : null));
  }
  node.append(actions);
  node.addEventListener("click", () => { selected = key; render(); });
  return node;
}

// -- reasons, replies and bulk approval ------------------------------------------------------

function tickBox(item) {
  const key = keyOf(item);
  return h("input", {
    type: "checkbox", class: "tick", checked: ticked.has(key), "aria-label": t("mod.select_item", { text: item.text.slice(0, 60) }),
    onclick: (e) => e.stopPropagation(),
    onchange: (e) => { if (e.target.checked) ticked.add(key); else ticked.delete(key); render(); },
  });
}

function replyBox(item) {
  const area = h("textarea", { class: "input", rows: "2", maxlength: "500", "aria-label": t("mod.reply_label") });
  area.value = item.reply || "";
  const done = () => { replying = null; render(); $("#queue").focus(); };
  const save = () => { run("question.reply", { question: item.id, text: area.value.trim() }, t("mod.replied")); done(); };
  area.addEventListener("keydown", (e) => {
    e.stopPropagation();
    if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); save(); }
    if (e.key === "Escape") done();
  });
  return h("div", { class: "edit-box" }, area, h("div", { class: "row" },
    h("button", { type: "button", class: "btn btn-primary btn-small", onclick: save }, t("mod.reply_save")),
    item.reply ? h("button", { type: "button", class: "btn btn-small", onclick: () => { area.value = ""; save(); } }, t("mod.reply_remove")) : null,
    h("button", { type: "button", class: "btn btn-small", onclick: done }, t("common.cancel")),
    h("span", { class: "hint" }, t("mod.reply_keys"))));
}

let rejecting = null;
function openReject(item) {
  rejecting = item;
  const form = $("#reject-form");
  fill($("#reject-presets"), h("legend", { class: "label" }, t("mod.reject_reason")),
    ["", ...REJECT_PRESETS].map((preset) => h("label", { class: "check" },
      h("input", { type: "radio", name: "preset", value: preset, checked: preset === "" }),
      preset ? t(`reject.${preset}`) : t("mod.reject_no_reason"))));
  form.elements.note.value = "";
  setText($("#reject-text"), item.text);
  $("#reject").showModal();
  form.querySelector("input[name=preset]").focus();
}
$("#reject-cancel").addEventListener("click", () => $("#reject").close());
$("#reject-form").addEventListener("submit", () => {
  if (!rejecting) return;
  const form = $("#reject-form");
  const preset = form.elements.preset.value;
  const fields = { kind: rejecting.kind, item: rejecting.id, reason: form.elements.note.value.trim() };
  if (preset) fields.preset = preset;
  run("mod.reject", fields, t("mod.rejected"));
  rejecting = null;
  $("#queue").focus();
});

function bulkTargets(all) {
  const keys = all ? items().filter(undecided).map(keyOf) : [...ticked];
  return keys.slice(0, BULK_LIMIT).map((key) => {
    const [kind, id] = key.split(":");
    return { kind, item: Number(id) };
  });
}

function approveMany(all) {
  const targets = bulkTargets(all);
  if (!targets.length) return;
  if (all && !confirm(t("mod.approve_all_confirm", { n: targets.length }))) return;
  run("mod.approve_many", { items: targets }).then((result) => {
    if (!result) return;
    for (const target of targets) ticked.delete(`${target.kind}:${target.item}`);
    toast(t("mod.approved_many", { n: result.approved.length }));
    if (result.skipped.length) toast(t("mod.skipped_many", { n: result.skipped.length }));
    render();
  });
}
$("#approve-selected").addEventListener("click", () => approveMany(false));
$("#approve-visible").addEventListener("click", () => approveMany(true));

function renderBulk() {
  const open = new Set(items().filter(undecided).map(keyOf));
  for (const key of [...ticked]) if (!open.has(key)) ticked.delete(key);
  const bar = $("#bulk");
  bar.hidden = !open.size;
  const chosen = $("#approve-selected");
  chosen.disabled = !ticked.size;
  setText(chosen.querySelector(".count"), String(ticked.size));
  setText($("#approve-visible").querySelector(".count"), String(Math.min(open.size, BULK_LIMIT)));
}

// -- the audit log as a file (the moderator's own token, like the organizer's export) -------

for (const button of $$("[data-audit-export]")) {
  button.addEventListener("click", () => {
    const format = button.dataset.auditExport;
    download(`/api/events/${hub.event}/audit?format=${format}`, hub.token, `plenaria-${hub.event}-audit.${format}`)
      .catch((error) => toast(errorText(error), "error"));
  });
}

function render() {
  const pub = hub.state.public;
  const staff = hub.state.staff;
  if (!pub || !staff) return;
  setText($("#event-title"), (pub.event && pub.event.title) || "");
  setText($("#presence"), staff.presence ? t("presence.online", { n: staff.presence.online }) : "");
  fill($("#platforms"), healthList(staff));
  const m = mod();
  const answers = answerItems(hub);
  const counts = {
    held: (m.queue || []).length + answers.filter((a) => a.status === "held").length,
    blocked: (m.blocked || []).length + answers.filter((a) => a.auto_blocked).length,
    questions: (m.questions || []).length,
    all: (m.recent || []).length + answers.length,
  };
  for (const button of $$("[data-filter]")) {
    button.setAttribute("aria-pressed", String(button.dataset.filter === filter));
    setText(button.querySelector(".count"), counts[button.dataset.filter] || "0");
  }
  const list = items();
  if (!list.some((i) => keyOf(i) === selected)) selected = list.length ? keyOf(list[0]) : null;
  const queue = $("#queue");
  syncList(queue, list, keyOf, itemNode);
  if (!list.length) queue.replaceChildren(h("li", { class: "empty" }, t(filter === "held" ? "mod.queue_empty" : "mod.nothing")));
  renderBulk();
  renderPolicy(m.policy || {});
  renderClouds($("#clouds"), hub, run);
  renderSanctions(m.sanctions || []);
  renderAudit(m.audit || []);
}

// A switch being saved keeps the moderator's click until the server answers: any other event
// arriving meanwhile (a chat message, the online count) re-renders the console, and must not flip
// the box back to the policy the server had before the click.
const savingPolicy = new Map(); // form field name -> { value } the moderator chose last

function renderPolicy(policy) {
  const form = $("#policy");
  if (form.contains(document.activeElement) && document.activeElement.type === "number") return;
  const shown = {
    chat_enabled: policy.chat_enabled !== false,
    questions_enabled: policy.questions_enabled !== false,
    chat_pre: policy.chat_mode === "pre",
    questions_pre: policy.questions_mode === "pre",
    anonymous_questions: policy.anonymous_questions !== false,
  };
  for (const [name, checked] of Object.entries(shown)) {
    form.elements[name].checked = savingPolicy.has(name) ? savingPolicy.get(name).value : checked;
  }
  if (!savingPolicy.has("slow_mode_seconds")) form.elements.slow_mode_seconds.value = String(policy.slow_mode_seconds || 0);
}

$("#policy").addEventListener("change", (e) => {
  const el = e.target;
  const changes = {};
  if (el.name === "chat_pre") changes.chat_mode = el.checked ? "pre" : "post";
  else if (el.name === "questions_pre") changes.questions_mode = el.checked ? "pre" : "post";
  else if (el.name === "slow_mode_seconds") changes.slow_mode_seconds = Math.max(0, Math.min(3600, Math.round(Number(el.value) || 0)));
  else changes[el.name] = el.checked;
  const chosen = { value: el.type === "checkbox" ? el.checked : el.value };
  savingPolicy.set(el.name, chosen);
  const settle = (answer) => {
    // A later click on the same switch owns it now; only the last answer gives it back.
    if (savingPolicy.get(el.name) === chosen) savingPolicy.delete(el.name);
    // The answer can overtake its own mod.policy.updated event: show the newer of the two.
    const m = mod();
    const newer = answer && answer.policy && !(m.policy_version >= answer.version);
    renderPolicy(newer ? answer.policy : m.policy || {});
  };
  run("mod.policy", changes, t("mod.policy_saved")).then(settle);
});

function renderSanctions(list) {
  syncList($("#sanctions"), list, (s) => s.participant.id, (s, node) => {
    node = h("li", {},
      h("span", {}, h("strong", {}, authorLabel(s.participant)), " ",
        s.banned ? h("span", { class: "badge badge-danger" }, t("mod.is_banned"))
          : h("span", { class: "badge badge-warn" }, t("mod.muted_until", { time: time(s.muted_until) }))),
      s.banned ? h("button", { type: "button", class: "btn btn-small", onclick: () => run("mod.unban", { participant: s.participant.id }, t("mod.unbanned")) }, t("mod.unban"))
        : h("button", { type: "button", class: "btn btn-small", onclick: () => run("mod.mute", { participant: s.participant.id, minutes: 0 }, t("mod.unmuted")) }, t("mod.unmute")));
    return node;
  });
  if (!list.length) $("#sanctions").replaceChildren(h("li", { class: "empty" }, t("mod.no_sanctions")));
}

function policyChanges(entry) {
  try {
    const before = JSON.parse(entry.text_before || "{}");
    const after = JSON.parse(entry.text_after || "{}");
    return Object.keys(after).filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]))
      .map((k) => (typeof after[k] === "object" ? k : `${k} = ${after[k]}`)).join(", ");
  } catch {
    return "";
  }
}

function renderAudit(entries) {
  const newest = [...entries].sort((a, b) => b.at - a.at || b.id - a.id).slice(0, 100);
  syncList($("#audit"), newest, (e) => e.id, (e, node) => {
    if (node) return node;
    const who = e.actor && e.actor.kind === "auto" ? t("mod.actor_auto") : (e.actor && e.actor.label) || "";
    const reasons = (e.reasons || []).map((r) => ruleName(r.rule)).join(", ");
    const action = t(`audit.${e.action}`) === `audit.${e.action}` ? e.action : t(`audit.${e.action}`);
    const kinds = { chat: "mod.kind_chat", question: "mod.kind_question", answer: "mod.kind_answer", word: "mod.kind_word" };
    const target = e.target && e.target.id && kinds[e.target.kind]
      ? ` · ${t(kinds[e.target.kind])} #${e.target.id}${e.text_before && !e.text_after ? ` “${e.text_before}”` : ""}` : "";
    const detail = e.action === "policy" ? policyChanges(e) : e.text_after && e.text_after !== e.text_before ? `→ ${e.text_after}` : "";
    const person = e.participant ? ` · ${tagOf(e.participant)}` : "";
    const note = (e.note || "").split(" · ").map((part) => (REJECT_PRESETS.includes(part) ? t(`reject.${part}`) : part)).join(" · ");
    return h("li", {}, h("span", { class: "when" }, time(e.at)), h("strong", {}, who), " · ", action, target, person,
      reasons ? ` · ${reasons}` : "", note && e.action !== "policy" ? ` · ${note}` : "",
      detail ? h("span", { class: "hint" }, ` ${detail}`) : null);
  });
  if (!entries.length) $("#audit").replaceChildren(h("li", { class: "empty" }, t("mod.audit_empty")));
}

// -- merge ---------------------------------------------------------------------------------

let merging = null;
function openMerge(item) {
  merging = item;
  const others = (mod().questions || []).filter((q) => q.id !== item.id);
  if (!others.length) { toast(t("mod.merge_none")); return; }
  fill($("#merge-into"), ...others.map((q) => h("option", { value: String(q.id) }, q.text.slice(0, 120))));
  $("#merge").showModal();
}
$("#merge-cancel").addEventListener("click", () => $("#merge").close());
$("#merge-form").addEventListener("submit", () => {
  if (merging) run("question.merge", { question: merging.id, into: Number($("#merge-into").value) }, t("mod.merged"));
});

// -- keyboard ------------------------------------------------------------------------------

function move(delta) {
  const list = items();
  if (!list.length) return;
  const index = Math.max(0, list.findIndex((i) => keyOf(i) === selected));
  const next = list[Math.max(0, Math.min(list.length - 1, index + delta))];
  selected = keyOf(next);
  render();
  const node = document.getElementById(`item-${next.kind}-${next.id}`);
  if (node) {
    node.focus({ preventScroll: true });
    node.scrollIntoView({ block: "nearest" });
  }
}

document.addEventListener("keydown", (e) => {
  if (e.ctrlKey || e.metaKey || e.altKey) return;
  const target = e.target;
  if (target.closest("input, textarea, select, dialog[open]") && e.key !== "?") return;
  if (target.closest("input, textarea, select")) return;
  const current = items().find((i) => keyOf(i) === selected);
  const map = { a: "approve", r: "reject", e: "edit", p: "pin", n: "answer", x: "archive", d: "delete", m: "mute", b: "ban", h: "hide", t: "reply", q: "promote" };
  if (e.key === "j" || e.key === "ArrowDown") { e.preventDefault(); move(1); }
  else if (e.key === "k" || e.key === "ArrowUp") { e.preventDefault(); move(-1); }
  else if (e.key === "?") { e.preventDefault(); $("#help").showModal(); }
  else if (["1", "2", "3", "4"].includes(e.key)) { setFilter(["held", "blocked", "questions", "all"][Number(e.key) - 1]); }
  else if (e.key === "s" && current && undecided(current)) {
    e.preventDefault();
    if (!ticked.delete(keyOf(current))) ticked.add(keyOf(current));
    render();
  }
  else if (map[e.key] && current) {
    // `h` hides or shows again, whichever the item allows.
    const action = map[e.key] === "hide" && current.status === "hidden" ? "unhide" : map[e.key];
    const allowed = actionsFor(current).some(([name]) => name === action);
    if (!allowed) return;
    e.preventDefault();
    act(action, current);
  }
});

function setFilter(value) {
  filter = value;
  selected = null;
  editing = null;
  replying = null;
  ticked.clear();
  render();
}
for (const button of $$("[data-filter]")) button.addEventListener("click", () => setFilter(button.dataset.filter));
// Tabbing into an item makes it the current one, so shortcuts act on what has the focus.
$("#queue").addEventListener("focusin", (e) => {
  const li = e.target.closest(".queue-item");
  if (li && li.dataset.key && li.dataset.key !== selected) {
    selected = li.dataset.key;
    render();
  }
});
$("#help-open").addEventListener("click", () => $("#help").showModal());

hub.on("change", render);
onLangChange(() => {
  apply(document);
  for (const id of ["#queue", "#audit", "#sanctions", "#clouds"]) $(id).replaceChildren();
  render();
});
