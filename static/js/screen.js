// The projector screen (/screen/CODE) and the broadcast overlay (/overlay/CODE): follow what
// the presenter puts on screen, on the server's clock. The overlay is quiet (no banners): a
// broadcast never shows "offline"; it keeps the last panel until the link is back.

import "./reducers.js";
import { $ } from "./dom.js";
import { onLangChange } from "./i18n.js";
import { startPage } from "./page.js";
import { renderStage } from "./panels.js";
import { startCountdowns } from "./countdown.js";

const stage = $("#stage");
const mode = stage.dataset.mode;
const hub = await startPage({ quiet: mode === "overlay", switcher: null });
const draw = () => renderStage(stage, hub, mode);
hub.on("change", draw);
onLangChange(() => { stage.dataset.key = ""; draw(); });
startCountdowns(hub);

// The projector: hide the pointer when it rests, so it never sits over a result.
if (mode === "screen") {
  let idle = null;
  document.addEventListener("mousemove", () => {
    document.body.classList.remove("idle");
    clearTimeout(idle);
    idle = setTimeout(() => document.body.classList.add("idle"), 2500);
  });
  document.addEventListener("keydown", (e) => {
    if (e.key === "f" && document.fullscreenEnabled) {
      if (document.fullscreenElement) document.exitFullscreen();
      else document.documentElement.requestFullscreen().catch(() => {});
    }
  });
}
