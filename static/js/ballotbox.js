// The public ballot box of a secret poll (/e/CODE/poll/ID): every tracker received, a tracker
// check that answers counted / received / not found (never the vote), and once counted the
// anonymised ballots to download with the one command that recounts them. Plain HTTP: an
// observer opening this page joins nothing and is counted nowhere.

import { $, h, fill, setText } from "./dom.js";
import { t, setLang, preferred, languageSwitcher, onLangChange, apply } from "./i18n.js";
import { errorText } from "./page.js";
import { storage } from "./hub.js";
import { renderResults } from "./results.js";
import { pollModel, verificationText } from "./state.js";

const parts = location.pathname.split("/").filter(Boolean);
const code = (parts[1] || "").toUpperCase();
const pollId = Number(parts[3]);
const api = `/api/events/${encodeURIComponent(code)}/polls/${pollId}`;
const main = $("#main");
let box = null;
let failure = null;
let checked = null; // {tracker, answer} of the last check
let drawnLang = "";

async function fetchJson(url) {
  const response = await fetch(url, { headers: { accept: "application/json" } });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = new Error((body.error && body.error.message) || response.statusText);
    error.code = body.error ? body.error.code : `http_${response.status}`;
    error.status = response.status;
    throw error;
  }
  return body;
}

async function load() {
  try {
    box = await fetchJson(api + "/trackers");
    failure = null;
  } catch (err) {
    failure = err;
  }
  draw();
  // While the ballots are sealed, the list grows and the count is to come: look again.
  if (!failure && !box.counted) setTimeout(load, 5000);
}

async function check(text) {
  const tracker = text.trim();
  if (!tracker) return;
  try {
    const answer = await fetchJson(`${api}/trackers/${encodeURIComponent(tracker)}`);
    checked = { tracker: answer.tracker, state: !answer.found ? "missing" : answer.counted ? "counted" : "sealed" };
  } catch (err) {
    checked = { tracker, state: "error", error: err };
  }
  drawCheck();
}

function drawCheck() {
  const out = $("#check-result");
  if (!out || !checked) return;
  const text = { counted: t("box.found_counted"), sealed: t("box.found_sealed"), missing: t("box.not_found") }[checked.state]
    || errorText(checked.error);
  out.dataset.state = checked.state;
  fill(out, h("strong", {}, checked.tracker), " · ", text);
}

function draw() {
  drawnLang = document.documentElement.lang;
  if (failure) {
    fill(main, h("section", { class: "card" }, h("p", { class: "notice" }, errorText(failure))));
    return;
  }
  const poll = box.poll;
  const input = h("input", { id: "tracker", class: "input", autocomplete: "off", spellcheck: "false",
    placeholder: "ABCD-EFGH-IJKL", value: checked ? checked.tracker : "" });
  const form = h("form", { class: "inline-form", role: "search" },
    h("label", { for: "tracker" }, t("box.check_label")), input,
    h("button", { type: "submit", class: "btn btn-primary" }, t("box.check")));
  form.addEventListener("submit", (e) => { e.preventDefault(); check(input.value); });
  const state = box.counted ? null : h("p", { class: "notice" }, t(poll.awaiting_count ? "box.awaiting" : "box.sealed"));
  let result = null;
  if (box.result) {
    const model = pollModel({ ...poll, result: box.result });
    result = h("section", { class: "card", "aria-labelledby": "box-result" },
      h("h2", { id: "box-result" }, t("poll.final_result")),
      renderResults(h("div", { class: "result-body" }), model),
      h("p", { class: "box-verify" }, verificationText(model)),
      h("p", {}, h("a", { class: "btn", href: `${api}/published-ballots.csv`, download: "" }, t("box.download"))),
      h("p", { class: "hint" }, t("box.recount_how"), " ", h("a", { href: "/recount.py", download: "" }, t("box.script"))),
      h("pre", { class: "code" }, `python3 recount.py poll-${pollId}-published-ballots.csv`));
  }
  fill(main,
    h("section", { class: "card", "aria-labelledby": "box-q" },
      h("h2", { id: "box-q" }, poll.spec.question),
      h("p", { class: "hint" }, t("box.intro")), state, form,
      h("p", { id: "check-result", class: "box-check", role: "status", "aria-live": "polite" })),
    result,
    h("section", { class: "card", "aria-labelledby": "box-trackers" },
      h("h2", { id: "box-trackers" }, t("box.trackers", { n: box.trackers.length })),
      h("ol", { class: "plain box-trackers" }, ...box.trackers.map((tracker) => h("li", {}, h("code", {}, tracker))))));
  drawCheck();
}

await setLang(preferred(storage.get(`plenaria.eventlang.${code}`) || ""));
languageSwitcher($("#lang"), null);
apply(document);
onLangChange(() => { apply(document); if (drawnLang !== document.documentElement.lang && box) draw(); });
const fragment = /(?:^#|&)t=([^&]+)/.exec(location.hash);
await load();
if (fragment) check(decodeURIComponent(fragment[1]));
