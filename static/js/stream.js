// The event's stream on the participant page: the provider's player in an iframe (YouTube,
// Facebook, Vimeo, any embeddable page), a <video> for a file, and for an HLS playlist a
// <video> fed by hls.js through Media Source Extensions (desktop Chrome and Firefox play no
// HLS of their own). hls.js is fetched only for an HLS stream, from our own origin, and runs
// its transmuxer in a worker that is a script of our own origin too (CSP script-src 'self',
// no blob: worker). Until the viewer presses play only the playlist is read, no video.

import { h, fill } from "./dom.js";
import { t } from "./i18n.js";

const HLS_MODULE = "../vendor/hls/hls.min.mjs";
const HLS_WORKER = "/static/vendor/hls/hls.worker.js";
const RETRY_MS = 3000;

let player = null; // the hls.js instance of the stream shown now
const DELAY_EVERY_MS = 5000;
let delayListener = null;
let lastDelayAt = 0;

/** fn(programTime): the UNIX seconds (per the stream's program date-time) of the frame on screen,
 * every few seconds while an HLS stream with EXT-X-PROGRAM-DATE-TIME plays through hls.js. */
export function onProgramTime(fn) {
  delayListener = fn;
}
let shown = 0; // which showStream call is current (an import may finish after the next one)

/** Show `stream` ({provider, kind, src} of the event) in `box`, replacing what was there. */
export function showStream(box, stream) {
  shown += 1;
  if (player) {
    player.destroy();
    player = null;
  }
  box.dataset.kind = stream.kind;
  box.dataset.provider = stream.provider || "";
  if (stream.kind === "iframe" && stream.src) {
    fill(box, h("iframe", {
      src: stream.src, title: t("stream.title"), loading: "lazy",
      allow: "autoplay; encrypted-media; picture-in-picture; fullscreen", allowfullscreen: true,
      referrerpolicy: "strict-origin-when-cross-origin",
    }));
  } else if (stream.kind === "video" && stream.src) {
    const video = h("video", { controls: true, playsinline: true, preload: "none", "aria-label": t("stream.title") });
    fill(box, video);
    if (stream.provider === "hls") playHls(box, video, stream.src, shown);
    else video.src = stream.src;
  } else {
    fill(box, h("p", { class: "stream-none" }, t("stream.none")));
  }
}

async function playHls(box, video, src, call) {
  // Without Media Source Extensions (an older iPhone) the browser's own HLS is the only way.
  if (!(window.ManagedMediaSource || window.MediaSource)) {
    video.src = src;
    return;
  }
  const { default: Hls } = await import(HLS_MODULE);
  if (call !== shown) return; // another stream was chosen meanwhile
  if (!Hls.isSupported()) {
    video.src = src;
    return;
  }
  const hls = new Hls({ workerPath: HLS_WORKER, autoStartLoad: false });
  player = hls;
  hls.on(Hls.Events.ERROR, (_name, data) => {
    if (!data.fatal || player !== hls) return;
    if (data.type === Hls.ErrorTypes.NETWORK_ERROR) {
      // A live stream that hiccups, or has not started yet: try again.
      setTimeout(() => { if (player === hls) hls.startLoad(); }, RETRY_MS);
    } else if (data.type === Hls.ErrorTypes.MEDIA_ERROR) {
      hls.recoverMediaError();
    } else {
      hls.destroy();
      player = null;
      fill(box, h("p", { class: "stream-none" }, t("stream.failed")));
    }
  });
  video.addEventListener("play", () => hls.startLoad(), { once: true });
  // How far behind the room this viewer is: the wall-clock time the playlist's
  // EXT-X-PROGRAM-DATE-TIME gives the frame playing now, against the server's clock.
  video.addEventListener("timeupdate", () => {
    const date = hls.playingDate;
    if (player !== hls || !date || !delayListener) return;
    const now = Date.now();
    if (now - lastDelayAt < DELAY_EVERY_MS) return;
    lastDelayAt = now;
    delayListener(date.getTime() / 1000);
  });
  hls.attachMedia(video);
  hls.loadSource(src);
  box.dataset.player = "hls.js";
}

// A page keeps the policy it was served with: a stream moved to another site since cannot be
// fetched until the page is loaded again, so say that instead of showing a black box.
document.addEventListener("securitypolicyviolation", (event) => {
  if (!player || event.effectiveDirective !== "connect-src") return;
  if (!event.blockedURI.startsWith(new URL(player.url || "", location.href).origin)) return;
  const box = player.media && player.media.closest(".stream");
  player.destroy();
  player = null;
  if (!box) return;
  fill(box, h("div", { class: "stream-none" },
    h("p", {}, t("stream.moved")),
    h("button", { type: "button", class: "btn", onclick: () => location.reload() }, t("stream.reload"))));
});
