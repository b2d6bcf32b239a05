// One poll's row in the presenter console: open for N seconds, extend, pause, resume, close,
// reopen, results visibility, show on screen; the live tally beside it.

import { h, fill, setText } from "./dom.js";
import { t } from "./i18n.js";
import { renderResults } from "./results.js";
import { pollTurnout, pollModel, renderDecision } from "./state.js";

export function pollRow(hub, p, node, screen, { run, show }) {
  const spec = p.spec || {};
  if (!node) {
    const secondsId = `poll-${p.id}-seconds`;
    node = h("li", { class: "poll-row" },
      h("div", { class: "poll-row-head" },
        h("div", { class: "grow" }, h("p", { class: "poll-q" }), h("p", { class: "hint poll-info" })),
        h("span", { class: "badge poll-status" }), h("span", { class: "timer poll-left", role: "timer" })),
      h("div", { class: "row poll-actions" },
        h("label", { class: "visually-hidden", for: secondsId }),
        h("input", { id: secondsId, class: "input seconds", type: "number", min: "1", max: "86400", value: "60", inputmode: "numeric" }),
        h("span", { class: "hint seconds-unit" }),
        h("button", { type: "button", class: "btn btn-small btn-primary open" }),
        h("button", { type: "button", class: "btn btn-small extend" }),
        h("button", { type: "button", class: "btn btn-small pause" }),
        h("button", { type: "button", class: "btn btn-small resume" }),
        h("button", { type: "button", class: "btn btn-small btn-danger close" }),
        h("button", { type: "button", class: "btn btn-small show" }),
        h("label", { class: "visually-hidden", for: `${secondsId}-vis` }),
        h("select", { id: `${secondsId}-vis`, class: "lang-select visibility" })),
      h("div", { class: "poll-mini" }), h("p", { class: "poll-decision", hidden: true }));
    const id = p.id;
    const seconds = () => {
      const n = Math.round(Number(node.querySelector(".seconds").value));
      return n >= 1 ? Math.min(n, 86400) : undefined;
    };
    const act = (type, fields = {}) => run(type, { poll: id, ...fields }).catch(() => {});
    node.querySelector(".open").addEventListener("click", () => {
      const status = node.dataset.status;
      const s = seconds();
      act(status === "closed" ? "poll.reopen" : "poll.open", s ? { seconds: s } : {});
    });
    node.querySelector(".extend").addEventListener("click", () => act("poll.extend", { seconds: seconds() || 30 }));
    node.querySelector(".pause").addEventListener("click", () => act("poll.pause"));
    node.querySelector(".resume").addEventListener("click", () => act("poll.resume"));
    node.querySelector(".close").addEventListener("click", () => act("poll.close"));
    node.querySelector(".show").addEventListener("click", () => show("poll", { ref: id }));
    node.querySelector(".visibility").addEventListener("change", (e) => act("poll.visibility", { visibility: e.target.value }));
  }
  const model = pollModel(p);
  node.dataset.status = p.status;
  setText(node.querySelector(".poll-q"), spec.question || "");
  const info = [t(`poll.kind_${spec.kind}`), p.secret ? t("poll.secret") : "", eligibilityText(p.eligibility)];
  if (model.turnout) info.push(pollTurnout(hub, model));
  if (model.awaiting) info.push(t("presenter.awaiting_count"));
  setText(node.querySelector(".poll-info"), info.filter(Boolean).join(" · "));
  const status = node.querySelector(".poll-status");
  setText(status, t(`poll.status_${p.status}`));
  status.className = `badge poll-status ${p.status === "open" ? "badge-live" : p.status === "closed" ? "badge-ok" : p.status === "paused" ? "badge-warn" : ""}`;
  const left = node.querySelector(".poll-left");
  if (p.status === "open" && p.deadline) { left.dataset.deadline = String(p.deadline); delete left.dataset.remaining; }
  else if (p.status === "paused" && p.remaining != null) { left.dataset.deadline = "1"; left.dataset.remaining = String(p.remaining); }
  else { delete left.dataset.deadline; setText(left, ""); }
  const labels = {
    ".open": p.status === "closed" ? "poll.reopen" : "poll.open", ".extend": "poll.extend", ".pause": "poll.pause",
    ".resume": "poll.resume", ".close": "poll.close",
  };
  for (const [sel, key] of Object.entries(labels)) {
    const b = node.querySelector(sel);
    setText(b, t(key));
    b.setAttribute("aria-label", `${t(key)}: ${spec.question || ""}`);
  }
  node.querySelector(".open").hidden = !(p.status === "draft" || p.status === "closed");
  node.querySelector(".extend").hidden = p.status !== "open";
  node.querySelector(".pause").hidden = p.status !== "open";
  node.querySelector(".resume").hidden = p.status !== "paused";
  node.querySelector(".close").hidden = !(p.status === "open" || p.status === "paused");
  node.querySelector(".seconds").hidden = !(p.status === "draft" || p.status === "closed" || p.status === "open");
  setText(node.querySelector(".seconds-unit"), t("poll.seconds"));
  setText(node.querySelector(`label[for="${node.querySelector(".seconds").id}"]`), t("poll.seconds_label"));
  const onScreen = screen.kind === "poll" && screen.ref === p.id;
  const showButton = node.querySelector(".show");
  setText(showButton, t(onScreen ? "presenter.on_screen_now" : "presenter.show_on_screen"));
  showButton.setAttribute("aria-pressed", String(onScreen));
  showButton.disabled = p.status === "draft";
  const vis = node.querySelector(".visibility");
  if (vis.options.length === 0 || vis.dataset.lang !== document.documentElement.lang) {
    vis.dataset.lang = document.documentElement.lang;
    fill(vis, ...["live", "after_close", "hidden"].map((v) => h("option", { value: v }, t(`poll.visibility_${v}`))));
  }
  vis.value = p.visibility || "live";
  setText(node.querySelector(`label[for="${vis.id}"]`), t("poll.visibility"));
  const mini = node.querySelector(".poll-mini");
  if (model.results) renderResults(mini, model);
  else mini.replaceChildren();
  renderDecision(node.querySelector(".poll-decision"), model);
  return node;
}

export function eligibilityText(value) {
  if (!value || value === "everyone") return t("poll.eligible_everyone");
  if (value === "delegates") return t("poll.eligible_delegates");
  if (value.startsWith("segment:")) return t("poll.eligible_segment", { segment: value.slice(8) });
  return value;
}
