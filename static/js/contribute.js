// A pre-conference meeting's participant page (/e/CODE of a meeting): the form that sends a
// contribution (text, eixo, level) to the conference it prepares, and what this device sent.
// Shown only when the public snapshot carries `preconference` (docs/preconferences.md).

import { h, fill, field, setText } from "./dom.js";
import { t } from "./i18n.js";
import { toast, errorText } from "./page.js";

const sent = [];
let drawnKey = "";

/** Draw (once per meeting and language) the contribution form into `box`, or hide it. */
export function renderContribute(hub, box, state) {
  const pre = state.preconference;
  box.hidden = !pre;
  if (!pre) return;
  const key = `${document.documentElement.lang}|${JSON.stringify(pre)}`;
  if (key === drawnKey || box.contains(document.activeElement)) return;
  drawnKey = key;
  const meeting = pre.meeting;
  const text = h("textarea", { id: "pre-contribution", class: "input", rows: "3", maxlength: "300", required: true });
  const eixo = h("select", { id: "pre-eixo" }, pre.eixos.map((e) => h("option", { value: e }, e)));
  const level = h("select", { id: "pre-level" }, pre.levels.map((l) => h("option", { value: l }, t(`pre.level_${l}`))));
  const hint = h("p", { class: "hint", "aria-live": "polite" });
  const list = h("ul", { class: "pre-sent", id: "pre-sent" });
  const drawSent = () => fill(list, sent.map((c) => h("li", {}, h("strong", {}, `${t(`pre.level_${c.level}`)} · ${c.eixo}: `), c.text)));
  const form = h("form", { id: "pre-form", class: "composer", autocomplete: "off" },
    field(t("pre.your_proposal"), text),
    h("div", { class: "two-col" }, field(t("pre.eixo"), eixo), field(t("pre.level"), level)),
    h("div", { class: "row composer-actions" }, h("button", { type: "submit", class: "btn btn-primary" }, t("pre.send"))), hint);
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const fields = { text: text.value.trim(), eixo: eixo.value, level: level.value };
    if (!fields.text) return;
    setText(hint, "");
    hub.send("proposal.submit", fields).then((result) => {
      sent.unshift(result.contribution);
      text.value = "";
      setText(hint, t("pre.sent"));
      drawSent();
    }, (error) => { setText(hint, errorText(error)); toast(errorText(error), "error"); });
  });
  fill(box, h("h2", {}, t("pre.meeting_title", { place: meeting.place })),
    h("p", { class: "muted" }, t("pre.meeting_hint", { conference: pre.conference })), form, list);
  drawSent();
}
