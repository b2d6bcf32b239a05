// Credenciamento on staff screens: the reducers of `attendance.updated` and `plenary.settings`,
// and the table of present / entitled delegates per segment (docs/protocol.md "The plenária").

import { registerReducer } from "./hub.js";
import { h, fill } from "./dom.js";
import { t } from "./i18n.js";

registerReducer("attendance.updated", (state, data) => { state.attendance = data.attendance; });
registerReducer("plenary.settings", (state, data) => {
  if (state.event) state.event = { ...state.event, plenary: data.settings };
});

/** Fill `node` with the attendance table: one row per segment and the total. */
export function renderAttendance(node, attendance) {
  if (!node) return;
  if (!attendance) { fill(node); return; }
  const row = (label, c, cls) => h("tr", { class: cls },
    h("th", { scope: "row" }, label),
    h("td", { dataset: { count: "present" } }, String(c.present)),
    h("td", {}, String(c.entitled)),
    h("td", {}, String(c.in_room)),
    h("td", {}, String(c.online)));
  fill(node, h("table", { class: "attendance-table" },
    h("thead", {}, h("tr", {},
      h("th", { scope: "col" }, t("attendance.segment")),
      h("th", { scope: "col" }, t("attendance.present")),
      h("th", { scope: "col" }, t("attendance.entitled")),
      h("th", { scope: "col" }, t("attendance.in_room")),
      h("th", { scope: "col" }, t("attendance.online")))),
    h("tbody", {}, attendance.segments.map((s) => row(s.segment || t("attendance.no_segment"), s, "segment-row"))),
    h("tfoot", {}, row(t("attendance.total"), attendance.total, "total-row"))),
  h("p", { class: "hint" }, t(attendance.online_participation ? "attendance.online_allowed" : "attendance.room_only")));
}
