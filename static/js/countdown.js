// One ticking loop for every countdown on a page: elements with data-deadline (server UNIX
// seconds) show the time left on the server clock, so every screen shows the same number; a page
// that plays the delayed stream shows it in the viewer's stream time (`setStreamDelay`).

import { clock } from "./i18n.js";

let hubRef = null;
let timer = null;
let behind = 0;

/** Show countdowns in this viewer's stream time: `seconds` behind the room (the participant page). */
export function setStreamDelay(seconds) {
  behind = Math.max(0, Number(seconds) || 0);
}

export function startCountdowns(hub) {
  hubRef = hub;
  if (timer) return;
  const tick = () => {
    const now = hubRef.now() - behind;
    for (const node of document.querySelectorAll("[data-deadline]")) {
      const deadline = Number(node.dataset.deadline);
      if (!deadline) continue;
      const paused = node.dataset.remaining;
      const left = paused ? Number(paused) : deadline - now;
      const text = clock(left);
      if (node.textContent !== text) node.textContent = text;
      node.classList.toggle("ending", left <= 10 && left > 0);
      node.classList.toggle("over", left <= 0);
    }
  };
  tick();
  timer = setInterval(tick, 250);
}
