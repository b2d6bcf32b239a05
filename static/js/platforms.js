// Live chats of the broadcast (YouTube, Facebook) imported into the moderation queue
// (docs/platforms.md): their health for staff, and an imported item's origin for everyone.

import { registerReducer } from "./hub.js";
import { h } from "./dom.js";
import { t } from "./i18n.js";

const LABELS = { youtube: "YouTube", facebook: "Facebook" };
const TROUBLE = new Set(["rate_limited", "unreachable", "quota", "ended", "revoked"]);

registerReducer("platform.health", (state, data) => {
  const list = state.platforms || (state.platforms = []);
  const at = list.findIndex((s) => s.id === data.source.id);
  if (at >= 0) list[at] = data.source; else list.push(data.source);
});
registerReducer("platform.removed", (state, data) => {
  state.platforms = (state.platforms || []).filter((s) => s.id !== data.id);
});

/** "via YouTube" for an imported chat message or question; "" for one typed here. */
export function originText(item) {
  return item && item.origin ? t("origin.via", { platform: LABELS[item.origin] || item.origin }) : "";
}

/** The same as a badge; null for an item typed here. */
export function originBadge(item) {
  if (!item || !item.origin) return null;
  return h("span", { class: "badge badge-accent origin", dataset: { origin: item.origin } }, originText(item));
}

/** One line per connected source: "YouTube dQw4w9WgXcQ · receiving · 12 imported". */
export function healthLine(source) {
  const state = t(`platforms.health_${source.health}`);
  return h("span", {
    class: `badge ${TROUBLE.has(source.health) ? "badge-warn" : "badge-ok"} platform-health`,
    dataset: { health: source.health, platform: source.platform },
    title: source.detail || "",
  }, `${LABELS[source.platform] || source.platform} · ${state} · ${t("platforms.imported", { n: source.imported })}`);
}

/** How posting replies back goes, once tried: "12 replies posted" or the platform's refusal. */
export function replyHealthLine(source) {
  if (!source.post_replies || !source.reply_health) return null;
  const ok = source.reply_health === "ok";
  return h("span", {
    class: `badge ${ok ? "badge-ok" : "badge-warn"} reply-health`,
    dataset: { health: source.reply_health },
    title: source.reply_detail || "",
  }, ok ? t("platforms.replies_posted", { n: source.replies_posted })
    : `${t("platforms.replies_failing")}: ${t(`platforms.health_${source.reply_health}`)}`);
}

export function healthList(staff) {
  return ((staff && staff.platforms) || []).map(healthLine);
}
