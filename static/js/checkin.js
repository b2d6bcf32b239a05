// The door's check-in page (/c/CODE#k=TOKEN, also for presenters and organizers): scan the QR of
// a credential with the phone's camera (native BarcodeDetector, else the vendored jsQR), type its
// code, or pick the delegate from the list; check-out the same way; live attendance per segment.

import { $, h, fill, syncList } from "./dom.js";
import { t, onLangChange } from "./i18n.js";
import { startPage, staffSecret, toast, errorText } from "./page.js";
import { renderAttendance } from "./attendance.js";

const hub = await startPage({ staff: true });
const code = hub.event;
const delegates = new Map();
const SAME_CODE_PAUSE = 4000; // ms: a credential held in front of the camera is read once

/** The credential code in what a QR holds: the `#delegate=CODE` link, or the code itself. */
export function codeIn(text) {
  const match = /[#&]delegate=([A-Za-z0-9-]+)/.exec(text || "");
  return (match ? match[1] : String(text || "")).trim().slice(0, 32);
}

function say(message, kind) {
  const last = $("#last");
  last.dataset.kind = kind;
  fill(last, message);
}

async function check(action, fields, method) {
  try {
    const result = await hub.send(`checkin.${action}`, { ...fields, method });
    const d = result.delegate;
    say(t(action === "in" ? "checkin.done_in" : "checkin.done_out", { name: d.name, segment: d.segment || "—" }), "ok");
    update(d);
    return true;
  } catch (error) {
    say(errorText(error), "error");
    return false;
  }
}

function update(delegate) {
  if (!delegate) return;
  delegates.set(delegate.id, { ...(delegates.get(delegate.id) || {}), ...delegate });
  renderList();
}

function renderList() {
  const words = $("#filter").value.trim().toLocaleLowerCase();
  const shown = [...delegates.values()].filter((d) => !d.revoked && (!words || d.name.toLocaleLowerCase().includes(words)));
  syncList($("#delegates"), shown.slice(0, 200), (d) => d.id, (d, node) => {
    if (!node) {
      node = h("li", { class: "checkin-row" }, h("span", { class: "grow name" }), h("span", { class: "badge segment" }),
        h("button", { type: "button", class: "btn btn-small toggle" }));
      node.querySelector(".toggle").addEventListener("click", () => {
        const current = delegates.get(Number(node.dataset.key));
        check(current.in_room ? "out" : "in", { delegate: current.id }, "list");
      });
    }
    node.dataset.inRoom = String(Boolean(d.in_room));
    fill(node.querySelector(".name"), d.name);
    fill(node.querySelector(".segment"), d.segment || "—");
    const toggle = node.querySelector(".toggle");
    fill(toggle, t(d.in_room ? "checkin.out" : "checkin.in"));
    toggle.setAttribute("aria-label", `${toggle.textContent}: ${d.name}`);
    return node;
  });
}

async function loadList() {
  const response = await fetch(`/api/events/${encodeURIComponent(code)}/attendance`,
    { headers: { authorization: `Bearer ${staffSecret(code)}` } });
  if (!response.ok) return;
  const body = await response.json();
  for (const d of body.delegates) delegates.set(d.id, d);
  renderList();
}

$("#filter").addEventListener("input", renderList);
$("#typed").addEventListener("submit", async (e) => {
  e.preventDefault();
  if (await check("in", { code: $("#typed-code").value }, "typed")) $("#typed-code").value = "";
});
$("#typed-out").addEventListener("click", async () => {
  const value = $("#typed-code").value.trim();
  if (value && await check("out", { code: value }, "typed")) $("#typed-code").value = "";
});

// -- the camera ----------------------------------------------------------------------
let stream = null;
let lastCode = "";
let lastAt = 0;
let busy = false;

async function detector() {
  if ("BarcodeDetector" in window) {
    try {
      const native = new window.BarcodeDetector({ formats: ["qr_code"] });
      return async (video) => ((await native.detect(video))[0] || {}).rawValue || "";
    } catch { /* fall through to jsQR */ }
  }
  const canvas = document.createElement("canvas");
  const context = canvas.getContext("2d", { willReadFrequently: true });
  return async (video) => {
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    if (!canvas.width || !window.jsQR) return "";
    context.drawImage(video, 0, 0);
    const frame = context.getImageData(0, 0, canvas.width, canvas.height);
    const found = window.jsQR(frame.data, frame.width, frame.height, { inversionAttempts: "dontInvert" });
    return found ? found.data : "";
  };
}

async function startCamera() {
  const video = $("#camera");
  try {
    stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
  } catch {
    say(t("checkin.no_camera"), "error");
    return;
  }
  video.srcObject = stream;
  video.hidden = false;
  $("#scan-start").hidden = true;
  $("#scan-stop").hidden = false;
  await video.play();
  const read = await detector();
  const tick = async () => {
    if (!stream) return;
    if (!busy) {
      busy = true;
      try {
        const found = codeIn(await read(video));
        const now = Date.now();
        if (found && (found !== lastCode || now - lastAt > SAME_CODE_PAUSE)) {
          lastCode = found;
          lastAt = now;
          await check("in", { code: found }, "scan");
        }
      } finally {
        busy = false;
      }
    }
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}

function stopCamera() {
  for (const track of (stream ? stream.getTracks() : [])) track.stop();
  stream = null;
  $("#camera").hidden = true;
  $("#scan-start").hidden = false;
  $("#scan-stop").hidden = true;
}

$("#scan-start").addEventListener("click", startCamera);
$("#scan-stop").addEventListener("click", stopCamera);

function render() {
  const event = hub.state.public && hub.state.public.event;
  if (event) fill($("#event-title"), event.title);
  renderAttendance($("#attendance"), hub.state.staff && hub.state.staff.attendance);
}

hub.on("change", render);
hub.on("event", ({ name, data }) => { if (name === "attendance.updated") update(data.delegate); });
hub.on("welcome", loadList);
onLangChange(() => { render(); renderList(); });
render();
