// The plenária's panels on the projector, the overlay and the presenter's preview: who has
// the floor with the speech's countdown, the block or destaque before the plenária with its
// texts, a moção. Countdowns go through countdown.js (data-deadline on the server's clock).

import { h, fill } from "./dom.js";
import { t } from "./i18n.js";

/** A countdown element for `allowed` seconds, `elapsed` before `running_since` (null: paused). */
function speechTimer(allowed, elapsed, runningSince) {
  const left = allowed - elapsed;
  const data = runningSince != null
    ? { deadline: String(runningSince + left) }
    : { deadline: "1", remaining: String(Math.max(0, left)) };
  return h("p", { class: "timer speech-timer", role: "timer", dataset: data });
}

function stanceLabel(stance) {
  return t(`speakers.stance_${stance}`);
}

export function renderSpeakers(main, state, sessionId, mode) {
  const list = (state.speakers || []).find((l) => l.session === sessionId);
  const current = list && list.current;
  const waiting = list ? list.queue.slice(0, mode === "overlay" ? 1 : 3) : [];
  fill(main, h("div", { class: "panel panel-speakers" },
    h("p", { class: "panel-kicker" }, t("speakers.heading")),
    current
      ? h("div", { class: "speaker" },
        h("p", { class: "big-title speaker-name" }, current.name || t("qa.anonymous")),
        h("p", { class: "panel-sub speaker-meta" },
          [current.segment, stanceLabel(current.stance)].filter(Boolean).join(" · ")),
        speechTimer(current.allowed, current.elapsed, current.running_since),
        current.running_since == null ? h("p", { class: "badge badge-warn" }, t("speakers.paused")) : null)
      : h("p", { class: "big-title muted" }, t("speakers.nobody")),
    waiting.length
      ? h("ol", { class: "speakers-next", "aria-label": t("speakers.next") },
        ...waiting.map((r) => h("li", {}, `${r.name || t("qa.anonymous")} · ${stanceLabel(r.stance)}`)))
      : null,
    list && list.closed ? h("p", { class: "muted" }, t("speakers.closed")) : null));
}

function matterBody(matter, extra) {
  const stage = matter.stage;
  const parts = [h("p", { class: "panel-kicker" }, t(`plenary.stage_${stage}`), extra ? ` · ${extra}` : "")];
  parts.push(h("blockquote", { class: "matter-text" }, matter.text));
  if (matter.amended) parts.push(h("p", { class: "panel-sub matter-original" }, t("plenary.original"), " ", h("s", {}, matter.original)));
  if ((stage === "for" || stage === "against") && matter.stage_started_at) {
    parts.push(h("p", { class: "panel-sub matter-defender" }, matter.defender || ""));
    parts.push(h("p", { class: "timer speech-timer", role: "timer",
      dataset: { deadline: String(matter.stage_started_at + matter.seconds) } }));
  }
  if (matter.decision) parts.push(verdict(matter.decision));
  return parts;
}

function verdict(decision) {
  return h("p", { class: `verdict verdict-${decision.verdict}` },
    h("strong", {}, decision.label || decision.verdict), " ",
    h("span", { class: "verdict-arithmetic" }, decision.explanation || ""));
}

/** The block of ballot `pollId`, or the destaque before the plenária now (the first not waiting
 * and not decided, else the last decided). */
export function renderDestaque(main, state, pollId) {
  const round = (state.destaques || []).find((d) => d.poll === pollId);
  if (!round) {
    fill(main, h("div", { class: "panel panel-destaque" }, h("p", { class: "muted" }, t("plenary.none"))));
    return;
  }
  const live = round.destaques.find((m) => m.stage !== "waiting" && m.stage !== "decided");
  const decided = round.destaques.filter((m) => m.stage === "decided");
  let body;
  if (round.phase === "window") {
    const marked = round.proposals.filter((p) => p.marks > 0).length;
    body = [h("p", { class: "panel-kicker" }, t("plenary.window_open")),
      h("p", { class: "big-title" }, t("plenary.marked", { n: marked, total: round.proposals.length }))];
  } else if (round.phase === "block" || (!live && !decided.length)) {
    body = [h("p", { class: "panel-kicker" }, t("plenary.block")),
      h("p", { class: "big-title" }, t("plenary.block_count", { n: round.block.length })),
      round.block_decision ? verdict(round.block_decision) : null];
  } else {
    const matter = live || decided[decided.length - 1];
    const proposal = round.proposals.find((p) => p.id === matter.ref);
    body = matterBody(matter, proposal && proposal.group);
  }
  fill(main, h("div", { class: "panel panel-destaque", dataset: { phase: round.phase } }, ...body));
}

export function renderMocao(main, state, motionId) {
  const motion = ((state.mocoes || {}).motions || []).find((m) => m.id === motionId);
  if (!motion) {
    fill(main, h("div", { class: "panel panel-mocao" }, h("p", { class: "muted" }, t("plenary.none"))));
    return;
  }
  const kind = t(`mocao.kind_${motion.kind}`);
  const body = motion.matter
    ? matterBody(motion.matter, kind)
    : [h("p", { class: "panel-kicker" }, kind), h("blockquote", { class: "matter-text" }, motion.text),
      h("p", { class: "panel-sub" }, t("mocao.signatures", { n: motion.signatures, needed: motion.needed }))];
  fill(main, h("div", { class: "panel panel-mocao" }, ...body,
    h("p", { class: "panel-sub mocao-addressee" }, t("mocao.addressee"), " ", motion.addressee)));
}
