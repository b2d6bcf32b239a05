// The organizer: /organizer creates an event; /o/CODE#k=SECRET edits it (event, agenda, staff
// links, polls and elections, delegate credentials, exports). HTTP API with the bearer secret,
// the websocket for live state (staff links, polls, presence).

import "./reducers.js";
import "./attendance.js";
import { $, h, field, fill, setText, syncList } from "./dom.js";
import { t, LANGUAGES, setLang, preferred, languageSwitcher, onLangChange, apply } from "./i18n.js";
import { startPage, toast, errorText, staffSecret } from "./page.js";
import { polls } from "./state.js";
import { eligibilityText } from "./pollcontrols.js";
import { HubError } from "./hub.js";
import { download } from "./downloads.js";
import { healthLine, replyHealthLine } from "./platforms.js";
import { drawAta } from "./ata.js";
import { drawCertificates } from "./certificates.js";
import { drawPreconference } from "./preconference.js";
import { ruleFields } from "./rulefields.js";

const main = $("#main");
const managing = location.pathname.startsWith("/o/");

async function api(method, path, body, secret) {
  const headers = { accept: "application/json" };
  if (secret) headers.authorization = `Bearer ${secret}`;
  let payload;
  if (typeof body === "string") { headers["content-type"] = "text/csv"; payload = body; }
  else if (body !== undefined) { headers["content-type"] = "application/json"; payload = JSON.stringify(body); }
  const response = await fetch(path, { method, headers, body: payload, cache: "no-store" });
  if (response.status === 204) return null;
  const type = response.headers.get("content-type") || "";
  const data = type.includes("json") ? await response.json() : await response.text();
  if (!response.ok) {
    const err = (data && data.error) || {};
    throw new HubError(err.code || `http_${response.status}`, err.message || response.statusText, err.details);
  }
  return data;
}

function copyButton(getText, label) {
  return h("button", {
    type: "button", class: "btn btn-small",
    onclick: async () => {
      try { await navigator.clipboard.writeText(getText()); toast(t("org.copied")); } catch { toast(t("org.copy_failed"), "error"); }
    },
  }, label || t("org.copy"));
}

function linkRow(label, url) {
  const input = h("input", { class: "input", readonly: true, value: url, "aria-label": label, onfocus: (e) => e.target.select() });
  return h("div", { class: "link-row" }, h("span", { class: "label" }, label), input, copyButton(() => input.value));
}

function langChecks(selected) {
  return h("fieldset", { class: "field" }, h("legend", { class: "label" }, t("org.languages")),
    h("div", { class: "langs" }, Object.entries(LANGUAGES).map(([code, name]) =>
      h("label", { class: "check" }, h("input", { type: "checkbox", name: "languages", value: code, checked: selected.includes(code) }), name))));
}

function langSelect(id, value) {
  return h("select", { id, name: "default_lang" }, Object.entries(LANGUAGES).map(([code, name]) => h("option", { value: code, selected: code === value }, name)));
}

const ZONES = ["America/Sao_Paulo", "America/Campo_Grande", "America/Manaus", "America/Fortaleza", "America/Recife", "America/Belem",
  "Europe/Warsaw", "Europe/Lisbon", "Europe/Madrid", "America/Argentina/Buenos_Aires", "America/Mexico_City", "UTC"];

function eventFields(values) {
  const zones = h("datalist", { id: "zones" }, ZONES.map((z) => h("option", { value: z })));
  return [
    field(t("org.title"), h("input", { name: "title", required: true, maxlength: "200", value: values.title || "" })),
    h("div", { class: "two-col" },
      values.code !== undefined ? field(t("org.code"), h("input", { name: "code", maxlength: "32", pattern: "[A-Za-z0-9]{3,32}", value: values.code, autocapitalize: "characters", readonly: Boolean(values.id) }), values.id ? null : t("org.code_hint")) : null,
      field(t("org.timezone"), h("input", { name: "timezone", list: "zones", value: values.timezone || "", maxlength: "64" })), zones),
    field(t("org.stream_url"), h("input", { name: "stream_url", type: "url", maxlength: "1000", value: values.stream_url || "", placeholder: "https://www.youtube.com/watch?v=…" }), t("org.stream_hint")),
    field(t("org.description"), h("textarea", { name: "description", maxlength: "4000", rows: "3" }, values.description || "")),
    h("div", { class: "two-col" }, field(t("org.default_lang"), langSelect("f-default-lang", values.default_lang || "pt-BR")), langChecks(values.languages || Object.keys(LANGUAGES))),
    field(t("org.segments"), h("textarea", { name: "segments", rows: "4" }, (values.segments || []).join("\n")), t("org.segments_hint")),
    values.id ? field(t("org.embed_origins"), h("textarea", { name: "embed_origins", rows: "2", placeholder: "https://www.prefeitura.gov.br" },
      (values.embed_origins || []).join("\n")), t("org.embed_hint")) : null,
  ];
}

function readEvent(form, withCode) {
  const data = {
    title: form.elements.title.value.trim(),
    stream_url: form.elements.stream_url.value.trim(),
    description: form.elements.description.value.trim(),
    timezone: form.elements.timezone.value.trim(),
    default_lang: form.elements.default_lang.value,
    languages: [...form.querySelectorAll('input[name="languages"]:checked')].map((i) => i.value),
    segments: form.elements.segments.value.split("\n").map((s) => s.trim()).filter(Boolean),
  };
  if (!data.languages.includes(data.default_lang)) data.languages.unshift(data.default_lang);
  if (form.elements.embed_origins) {
    data.embed_origins = form.elements.embed_origins.value.split("\n").map((s) => s.trim()).filter(Boolean);
  }
  if (withCode && form.elements.code.value.trim()) data.code = form.elements.code.value.trim().toUpperCase();
  if (!data.timezone) delete data.timezone;
  return data;
}

// -- /organizer: create an event -----------------------------------------------------------

async function createPage() {
  await setLang(preferred());
  languageSwitcher($("#lang"), null);
  const draw = () => {
    const form = h("form", { class: "card", id: "create" },
      h("h2", {}, t("org.create")), h("p", { class: "hint" }, t("org.create_hint")),
      eventFields({ code: "", timezone: Intl.DateTimeFormat().resolvedOptions().timeZone, default_lang: preferred(),
        segments: ["Usuários", "Trabalhadores", "Governo", "Sociedade civil"] }),
      h("p", { class: "ballot-error", role: "alert", id: "create-error" }),
      h("div", { class: "row row-end" }, h("button", { type: "submit", class: "btn btn-primary" }, t("org.create_button"))));
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      setText($("#create-error"), "");
      try {
        const created = await api("POST", "/api/events", readEvent(form, true));
        showCreated(created);
      } catch (err) {
        setText($("#create-error"), errorText(err));
      }
    });
    fill(main, form);
    setText($("#event-title"), t("org.new_title"));
  };
  draw();
  onLangChange(() => { if ($("#create")) draw(); });
}

function showCreated(created) {
  const links = created.links || {};
  const roles = [["organizer", "org.link_organizer"], ["moderator", "org.link_moderator"], ["presenter", "org.link_presenter"],
    ["participant", "org.link_participant"], ["screen", "org.link_screen"], ["overlay", "org.link_overlay"]];
  setText($("#event-title"), created.event.title);
  fill(main, h("section", { class: "card secret-once", "aria-labelledby": "created-h" },
    h("h2", { id: "created-h", tabindex: "-1" }, t("org.created", { code: created.event.code })),
    h("p", {}, t("org.secret_once")),
    roles.filter(([key]) => links[key]).map(([key, label]) => linkRow(t(label), links[key])),
    h("p", { class: "row" }, h("a", { class: "btn btn-primary", href: links.organizer }, t("org.open_console")))));
  $("#created-h").focus();
}

// -- /o/CODE: manage an event ------------------------------------------------------------------

async function managePage() {
  const code = location.pathname.split("/")[2].toUpperCase();
  const secret = staffSecret(code);
  const hub = await startPage({ staff: true });
  const call = (method, path, body) => api(method, `/api/events/${code}${path}`, body, secret);
  const sections = {
    event: h("section", { class: "card", "aria-labelledby": "s-event" }),
    links: h("section", { class: "card", "aria-labelledby": "s-links" }),
    agenda: h("section", { class: "card", "aria-labelledby": "s-agenda" }),
    polls: h("section", { class: "card", "aria-labelledby": "s-polls" }),
    delegates: h("section", { class: "card", "aria-labelledby": "s-delegates" }),
    plenary: h("section", { class: "card", "aria-labelledby": "s-plenary" }),
    platforms: h("section", { class: "card", "aria-labelledby": "s-platforms", id: "platforms-card" }),
    preconference: h("section", { class: "card", "aria-labelledby": "s-pre", id: "preconference" }),
    exports: h("section", { class: "card", "aria-labelledby": "s-exports" }),
    ata: h("section", { class: "card", "aria-labelledby": "s-ata", id: "ata" }),
    certificates: h("section", { class: "card", "aria-labelledby": "s-certificates", id: "certificates" }),
  };
  fill(main, Object.values(sections));
  let drawn = "";

  function drawEvent(event) {
    const form = h("form", {}, eventFields(event),
      h("div", { class: "row row-end" }, h("button", { type: "submit", class: "btn btn-primary" }, t("common.save"))));
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      try { await call("PATCH", "", readEvent(form, false)); toast(t("org.saved")); } catch (err) { toast(errorText(err), "error"); }
    });
    fill(sections.event, h("h2", { id: "s-event" }, t("org.event")), form);
  }

  /** The plenária: online delegates count as present or not; the stream's delay; the share of
   * the delegates present a moção's signatures must reach (docs/plenary.md, docs/procedure.md). */
  function drawPlenary(event) {
    const current = event.plenary || {};
    const online = h("input", { type: "checkbox", id: "pl-online", checked: Boolean(current.online_participation) });
    const delay = h("input", { id: "pl-delay", type: "number", min: "0", max: "120", value: String(current.stream_delay || 0) });
    const most = h("input", { id: "pl-max", type: "number", min: "0", max: "120", value: String(current.max_stream_delay || 0) });
    const share = h("input", { id: "pl-share", type: "number", min: "1", max: "100", required: true,
      value: String(current.motion_share || 20) });
    const form = h("form", {}, h("label", { class: "check" }, online, t("plenary.online_participation")),
      h("div", { class: "two-col" }, field(t("plenary.stream_delay"), delay, t("plenary.stream_delay_hint")),
        field(t("plenary.max_stream_delay"), most, t("plenary.max_stream_delay_hint"))),
      field(t("plenary.motion_share"), share, t("plenary.motion_share_hint")),
      h("div", { class: "row row-end" }, h("button", { type: "submit", class: "btn btn-primary" }, t("common.save"))));
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      try {
        await hub.send("plenary.settings", { online_participation: online.checked,
          stream_delay: Math.round(Number(delay.value) || 0), max_stream_delay: Math.round(Number(most.value) || 0),
          motion_share: Math.round(Number(share.value)) });
        toast(t("org.saved"));
      } catch (err) { toast(errorText(err), "error"); }
    });
    fill(sections.plenary, h("h2", { id: "s-plenary" }, t("plenary.title")), form);
  }

  function drawLinks(event) {
    const base = location.origin;
    const created = h("div", { id: "new-link" });
    const role = h("select", { id: "staff-role" }, h("option", { value: "moderator" }, t("role.moderator")), h("option", { value: "presenter" }, t("role.presenter")),
      h("option", { value: "checkin" }, t("role.checkin")));
    const label = h("input", { id: "staff-label", maxlength: "80", placeholder: t("org.staff_label_placeholder") });
    const form = h("form", { class: "inline-form" }, field(t("org.staff_role"), role), h("div", { class: "grow" }, field(t("org.staff_label"), label)),
      h("button", { type: "submit", class: "btn" }, t("org.staff_create")));
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      try {
        const made = await call("POST", "/staff", { role: role.value, label: label.value.trim() || role.value });
        const url = made.links[made.role];
        fill(created, h("div", { class: "secret-once" }, h("p", {}, t("org.staff_once")), linkRow(made.label, url)));
        label.value = "";
        refreshStaff();
      } catch (err) { toast(errorText(err), "error"); }
    });
    fill(sections.links, h("h2", { id: "s-links" }, t("org.links")),
      linkRow(t("org.link_participant"), `${base}/e/${event.code}`),
      linkRow(t("org.link_screen"), `${base}/screen/${event.code}`),
      linkRow(t("org.link_overlay"), `${base}/overlay/${event.code}`),
      h("h3", {}, t("org.staff")), h("ul", { class: "plain", id: "staff-list" }), form, created);
    refreshStaff();
  }

  async function refreshStaff() {
    let list = [];
    try { list = await call("GET", "/staff"); } catch (err) { toast(errorText(err), "error"); return; }
    const ul = $("#staff-list");
    if (!ul) return;
    syncList(ul, list, (s) => s.id, (s) => h("li", { class: "link-row" },
      h("span", { class: "badge" }, t(`role.${s.role}`)), h("span", {}, s.label, s.revoked ? [" ", h("span", { class: "badge badge-danger" }, t("org.revoked"))] : null),
      s.revoked ? h("span") : h("button", {
        type: "button", class: "btn btn-small btn-danger",
        onclick: async () => {
          if (!confirm(t("org.revoke_confirm", { label: s.label }))) return;
          try { await call("DELETE", `/staff/${s.id}`); toast(t("org.revoked")); refreshStaff(); } catch (err) { toast(errorText(err), "error"); }
        },
      }, t("org.revoke"))));
  }

  // Live chats of the broadcast: connect one with its key or token (sent once, stored sealed,
  // never shown again) or the name of a server environment variable holding it.
  function drawPlatforms() {
    const platform = h("select", { id: "platform" },
      h("option", { value: "youtube" }, "YouTube"), h("option", { value: "facebook" }, "Facebook"));
    const target = h("input", { id: "platform-target", required: true, maxlength: "128", pattern: "[A-Za-z0-9_\\-]+", autocomplete: "off" });
    const token = h("input", { id: "platform-token", type: "password", maxlength: "4096", autocomplete: "off" });
    const tokenEnv = h("input", { id: "platform-token-env", maxlength: "100", placeholder: "PLENARIA_YOUTUBE_KEY", autocomplete: "off" });
    const form = h("form", { id: "platform-form" }, field(t("platforms.platform"), platform), field(t("platforms.target"), target),
      field(t("platforms.token"), token, t("platforms.token_hint")), field(t("platforms.token_env"), tokenEnv),
      h("div", { class: "row row-end" }, h("button", { type: "submit", class: "btn btn-primary" }, t("platforms.connect"))));
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      const body = { platform: platform.value, target: target.value.trim() };
      if (tokenEnv.value.trim()) body.token_env = tokenEnv.value.trim(); else body.token = token.value;
      try {
        await call("POST", "/platforms", body);
        token.value = "";
        toast(t("platforms.connected"));
      } catch (err) { toast(errorText(err), "error"); }
    });
    fill(sections.platforms, h("h2", { id: "s-platforms" }, t("platforms.title")), h("p", { class: "hint" }, t("platforms.intro")),
      h("ul", { class: "plain", id: "platform-list" }), form);
    updatePlatforms();
  }

  function updatePlatforms() {
    const ul = $("#platform-list");
    if (!ul) return;
    const sources = (hub.state.staff && hub.state.staff.platforms) || [];
    if (!sources.length) { fill(ul, h("li", { class: "hint" }, t("platforms.none"))); return; }
    fill(ul, sources.map((s) => h("li", { class: "link-row", dataset: { source: String(s.id) } },
      healthLine(s), h("span", {}, s.target), postBackSwitch(s), replyHealthLine(s),
      h("button", {
        type: "button", class: "btn btn-small btn-danger",
        onclick: async () => {
          try { await call("DELETE", `/platforms/${s.id}`); toast(t("platforms.disconnected")); } catch (err) { toast(errorText(err), "error"); }
        },
      }, t("platforms.disconnect")))));
  }

  // Off unless the organizer turns it on: moderators' replies to this source's comments are
  // posted to the platform (YouTube needs an OAuth token for that, an API key only reads).
  function postBackSwitch(source) {
    const box = h("input", {
      type: "checkbox", class: "post-replies", checked: Boolean(source.post_replies),
      onchange: async () => {
        try {
          await call("PATCH", `/platforms/${source.id}`, { post_replies: box.checked });
          toast(t(box.checked ? "platforms.post_replies_on" : "platforms.post_replies_off"));
        } catch (err) { box.checked = !box.checked; toast(errorText(err), "error"); }
      },
    });
    return h("label", { class: "check", title: t("platforms.post_replies_hint") }, box, t("platforms.post_replies"));
  }

  let agendaAdded = false;
  function drawAgenda(state) {
    const list = h("ol", { class: "plain agenda-edit", id: "agenda-edit" });
    for (const s of state.agenda || []) {
      const pos = h("input", { type: "number", min: "0", max: "10000", value: String(s.position), "aria-label": t("org.position") });
      const when = h("input", { value: s.starts_at || "", maxlength: "32", "aria-label": t("org.starts_at"), placeholder: "09:30" });
      const title = h("input", { value: s.title, maxlength: "200", "aria-label": t("org.session_title") });
      const speakers = h("input", { value: s.speakers || "", maxlength: "500", "aria-label": t("org.speakers"), placeholder: t("org.speakers") });
      const save = async () => {
        try {
          await call("PATCH", `/sessions/${s.id}`, { position: Number(pos.value) || 0, starts_at: when.value.trim(), title: title.value.trim(), speakers: speakers.value.trim() });
          toast(t("org.saved"));
        } catch (err) { toast(errorText(err), "error"); }
      };
      list.append(h("li", {}, pos, when, h("div", { class: "grow" }, title, speakers),
        h("div", { class: "row" },
          h("button", { type: "button", class: "btn btn-small", onclick: save }, t("common.save")),
          h("button", {
            type: "button", class: "btn btn-small btn-danger", "aria-label": `${t("org.remove")}: ${s.title}`,
            onclick: async () => {
              if (!confirm(t("org.remove_confirm", { title: s.title }))) return;
              try { await call("DELETE", `/sessions/${s.id}`); } catch (err) { toast(errorText(err), "error"); }
            },
          }, t("org.remove")))));
    }
    const title = h("input", { maxlength: "200", required: true });
    const when = h("input", { maxlength: "32", placeholder: "14:00" });
    const speakers = h("input", { maxlength: "500" });
    const add = h("form", { class: "inline-form" }, h("div", { class: "grow" }, field(t("org.session_title"), title)),
      field(t("org.starts_at"), when), field(t("org.speakers"), speakers), h("button", { type: "submit", class: "btn" }, t("org.add_session")));
    add.addEventListener("submit", async (e) => {
      e.preventDefault();
      try {
        await call("POST", "/sessions", { title: title.value.trim(), starts_at: when.value.trim(), speakers: speakers.value.trim() });
        agendaAdded = true;
        drawAgenda(hub.state.public);
      } catch (err) { toast(errorText(err), "error"); }
    });
    fill(sections.agenda, h("h2", { id: "s-agenda" }, t("org.agenda")), list, add);
    if (agendaAdded) {
      agendaAdded = false;
      title.focus();
    }
  }

  let builder = null;
  function drawPolls() {
    const list = h("ol", { class: "plain poll-list", id: "org-polls" });
    builder = pollBuilder(hub, event(), call);
    fill(sections.polls, h("h2", { id: "s-polls" }, t("org.polls")), list, builder);
    updatePolls();
  }

  // A secret poll closed while no server process held its key waits for this page's secret.
  // The page counts it by itself, a moment later: a server process that holds the key counts
  // it first when it can (within a tick), and a poll counted meanwhile is not an error.
  const countsAsked = new Set();
  const countBallots = async (p) => {
    try { await call("POST", `/polls/${p.id}/count`); } catch (err) {
      if (err.code !== "not_sealed") toast(errorText(err), "error");
    }
  };
  const countIfStillWaiting = (id) => setTimeout(() => {
    const p = polls(hub).find((x) => x.id === id);
    if (p && p.awaiting_count) countBallots(p);
  }, 2000);

  function updatePolls() {
    const list = $("#org-polls");
    if (!list) return;
    const all = polls(hub);
    for (const p of all) {
      if (p.secret && p.awaiting_count && !countsAsked.has(p.id)) {
        countsAsked.add(p.id);
        countIfStillWaiting(p.id);
      }
    }
    syncList(list, all, (p) => p.id, (p, node) => {
      node = node || h("li", { class: "poll-row" });
      const awaiting = p.secret && p.awaiting_count;
      const signature = `${p.status}|${awaiting}|${JSON.stringify([p.spec, p.visibility, p.eligibility, p.secret])}|${document.documentElement.lang}|${Boolean(exportsListing)}`;
      if (node.dataset.signature === signature) return node;
      node.dataset.signature = signature;
      const files = (exportsListing && exportsListing.poll) || {};
      fill(node, h("div", { class: "poll-row-head" },
        h("div", { class: "grow" }, h("p", { class: "poll-q" }, p.spec.question),
          h("p", { class: "hint" }, [t(`poll.kind_${p.spec.kind}`), eligibilityText(p.eligibility), p.secret ? t("poll.secret") : ""].filter(Boolean).join(" · "))),
        h("span", { class: "badge" }, t(`poll.status_${p.status}`))),
      awaiting ? h("p", { class: "notice" }, t("org.awaiting_count")) : null,
      h("div", { class: "row" },
        awaiting ? h("button", { type: "button", class: "btn btn-small btn-primary", onclick: () => countBallots(p) },
          t("org.count_now")) : null,
        Object.entries(files).map(([format, template]) => exportButton(template.replace("{poll}", String(p.id)),
          t(`org.poll_export_${format}`), `plenaria-${code}-poll-${p.id}.${format === "json" ? "json" : "csv"}`, "btn-small")),
        p.status === "draft" ? h("button", {
          type: "button", class: "btn btn-small", "aria-label": `${t("org.edit_poll")}: ${p.spec.question}`,
          onclick: () => builder && builder.edit(p),
        }, t("org.edit_poll")) : null,
        p.status === "draft" ? h("button", {
          type: "button", class: "btn btn-small btn-danger",
          onclick: async () => { try { await call("DELETE", `/polls/${p.id}`); } catch (err) { toast(errorText(err), "error"); } },
        }, t("org.remove")) : null));
      return node;
    });
    if (!all.length) list.replaceChildren(h("li", { class: "empty" }, t("presenter.no_polls")));
  }

  // Credentials from a list: check it first (every row, its problems, with line numbers), then
  // import the good rows on confirmation; the rows with problems stay in the box to be fixed.
  function drawDelegates() {
    const csv = h("textarea", { id: "csv", rows: "5", placeholder: "Maria da Silva,Usuários\nJoão Souza,Governo" });
    const file = h("input", { type: "file", accept: ".csv,text/csv", id: "csv-file" });
    const preview = h("div", { id: "csv-preview", "aria-live": "polite" });
    const result = h("div", { id: "delegate-result" });
    file.addEventListener("change", async () => { if (file.files[0]) { csv.value = await file.files[0].text(); fill(preview); } });
    csv.addEventListener("input", () => fill(preview));
    const form = h("form", {}, field(t("org.csv"), csv, t("org.csv_hint")), field(t("org.csv_file"), file),
      h("div", { class: "row row-end" }, h("button", { type: "submit", class: "btn btn-primary" }, t("org.check_csv"))));
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      try { showPreview(preview, result, csv, await call("POST", "/delegates/preview", csv.value)); } catch (err) { toast(errorText(err), "error"); }
    });
    fill(sections.delegates, h("h2", { id: "s-delegates" }, t("org.delegates")), form, preview, result, h("ul", { class: "plain", id: "delegate-list" }));
    refreshDelegates();
  }

  function showPreview(root, result, csv, checked) {
    const rows = checked.rows || [];
    const table = h("table", { class: "csv-rows" },
      h("caption", {}, t("org.csv_summary", { n: checked.valid, bad: checked.invalid })),
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t("org.csv_line")), h("th", { scope: "col" }, t("profile.name")),
        h("th", { scope: "col" }, t("profile.segment")), h("th", { scope: "col" }, t("org.csv_check")))),
      h("tbody", {}, rows.map((row) => h("tr", { dataset: { ok: String(!row.problems.length) } },
        h("td", { class: "num" }, String(row.line)), h("td", {}, row.name), h("td", {}, row.segment),
        h("td", {}, row.problems.length
          ? h("ul", { class: "plain problems" }, row.problems.map((problem) => h("li", {}, errorText({ code: problem.code, details: problem }))))
          : h("span", { class: "badge badge-ok" }, t("org.csv_ok")))))));
    const confirm = checked.valid ? h("button", {
      type: "button", class: "btn btn-primary", id: "csv-import",
      onclick: async () => {
        try {
          const made = await call("POST", "/delegates", { csv: csv.value, skip_invalid: true });
          // What could not be imported stays in the box, to be fixed and checked again.
          const kept = new Set((made.skipped || []).map((row) => row.line));
          csv.value = csv.value.split("\n").filter((_, i) => kept.has(i + 1)).join("\n");
          fill(root, made.skipped && made.skipped.length ? h("p", { class: "hint" }, t("org.csv_left", { n: made.skipped.length })) : null);
          showCredentials(result, made.delegates || []);
          refreshDelegates();
        } catch (err) { toast(errorText(err), "error"); }
      },
    }, t("org.csv_import", { n: checked.valid })) : null;
    fill(root, table, h("div", { class: "row row-end" }, confirm));
  }

  function showCredentials(root, list) {
    const print = h("form", { method: "post", action: `/api/events/${code}/credentials.html`, target: "_blank" },
      h("input", { type: "hidden", name: "secret", value: secret }),
      h("input", { type: "hidden", name: "credentials", value: JSON.stringify(list.map((d) => ({ name: d.name, segment: d.segment, code: d.code }))) }),
      h("button", { type: "submit", class: "btn btn-primary" }, t("org.print")));
    const table = h("table", {}, h("thead", {}, h("tr", {}, h("th", {}, t("profile.name")), h("th", {}, t("profile.segment")), h("th", {}, t("org.credential")))),
      h("tbody", {}, list.map((d) => h("tr", {}, h("td", {}, d.name), h("td", {}, d.segment), h("td", { class: "code" }, d.code)))));
    fill(root, h("div", { class: "secret-once" }, h("p", {}, t("org.credentials_once", { n: list.length })), print, table));
  }

  async function refreshDelegates() {
    let data;
    try { data = await call("GET", "/delegates"); } catch { return; }
    const list = Array.isArray(data) ? data : data.delegates || [];
    const ul = $("#delegate-list");
    if (!ul) return;
    syncList(ul, list, (d) => d.id, (d) => h("li", { class: "link-row" },
      h("span", {}, d.name), h("span", { class: "hint" }, `${d.segment || ""} · ${t(`delegate.status_${d.status}`)}`),
      h("span", { class: "row" },
        d.status !== "revoked" ? h("button", {
          type: "button", class: "btn btn-small btn-danger",
          onclick: async () => { try { await call("POST", `/delegates/${d.id}/revoke`, {}); refreshDelegates(); } catch (err) { toast(errorText(err), "error"); } },
        }, t("org.revoke")) : null,
        h("button", {
          type: "button", class: "btn btn-small",
          onclick: async () => {
            try {
              const made = await call("POST", `/delegates/${d.id}/reissue`, {});
              showCredentials($("#delegate-result"), [made.delegate || made]);
              refreshDelegates();
            } catch (err) { toast(errorText(err), "error"); }
          },
        }, t("org.reissue")))));
  }

  // -- exports: one button per address of GET /exports (the API's own list of its exports) --------

  let exportsListing = null;
  function exportButton(path, label, name, size = "") {
    return h("button", {
      type: "button", class: `btn ${size}`, dataset: { export: path },
      onclick: () => download(path, secret, name).catch((err) => toast(errorText(err), "error")),
    }, label);
  }

  async function openReport(path) {
    // A tab opened now, while the click still counts as the user's, then filled: no popup blocker.
    const tab = window.open("", "_blank");
    try {
      const response = await fetch(path, { headers: { authorization: `Bearer ${secret}` }, cache: "no-store" });
      if (!response.ok) throw new HubError(`http_${response.status}`);
      const url = URL.createObjectURL(new Blob([await response.text()], { type: "text/html" }));
      if (tab) tab.location.href = url; else location.assign(url);
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
    } catch (err) {
      if (tab) tab.close();
      toast(errorText(err), "error");
    }
  }

  async function drawExports() {
    fill(sections.exports, h("h2", { id: "s-exports" }, t("org.exports")));
    try { exportsListing = (await call("GET", "/exports")).exports; } catch (err) { toast(errorText(err), "error"); return; }
    const files = exportsListing;
    const group = (name) => h("div", { class: "export-row" }, h("span", { class: "label" }, t(`org.export_${name}`)),
      h("div", { class: "row" }, Object.entries(files[name]).map(([format, path]) => exportButton(path, format.toUpperCase(),
        `plenaria-${code}-${name}.${format}`, "btn-small"))));
    const who = h("input", { id: "privacy-id", maxlength: "16", pattern: "[0-9a-fA-F]{1,16}", spellcheck: "false", placeholder: "910d24a5" });
    const person = (format) => h("button", {
      type: "button", class: "btn btn-small", dataset: { export: files.participant[format] },
      onclick: () => {
        const id = who.value.trim().toLowerCase();
        if (!/^[0-9a-f]{1,16}$/.test(id)) { toast(t("org.participant_id_invalid"), "error"); who.focus(); return; }
        download(files.participant[format].replace("{participant}", id), secret, `plenaria-${code}-participant-${id}.${format}`)
          .catch((err) => toast(errorText(err), "error"));
      },
    }, format.toUpperCase());
    fill(sections.exports, h("h2", { id: "s-exports" }, t("org.exports")),
      h("p", { class: "hint" }, t("org.exports_hint")),
      h("div", { class: "export-row" }, h("span", { class: "label" }, t("org.export_report")),
        h("div", { class: "row" }, h("button", { type: "button", class: "btn btn-small btn-primary", dataset: { export: files.report.html },
          onclick: () => openReport(files.report.html) }, t("org.report_open")))),
      ["polls", "messages", "delegates", "speakers", "destaques", "procedure", "contributions", "proposals", "audit"].map(group),
      h("div", { class: "export-row" }, field(t("org.export_participant"), who, t("org.export_participant_hint")),
        h("div", { class: "row" }, person("json"), person("csv"))));
    updatePolls();
  }

  // The ata's notes follow the agenda; a note being typed is never redrawn away.
  let ataSessions = "";
  function redrawAta(state) {
    const agenda = (state.agenda || []).map((s) => ({ id: s.id, title: s.title }));
    const key = `${document.documentElement.lang}|${JSON.stringify(agenda)}`;
    if (key === ataSessions || sections.ata.contains(document.activeElement)) return;
    ataSessions = key;
    drawAta(sections.ata, { code, secret, call, openPrintable: openReport, sessions: agenda });
  }

  // The ballot made from the consolidated list arrives in the polls card as poll.updated.
  const drawPre = () => drawPreconference(sections.preconference, { call, linkRow });

  const event = () => (hub.state.public && hub.state.public.event) || {};
  const render = (batch) => {
    const state = hub.state.public;
    if (!state) return;
    setText($("#event-title"), event().title || "");
    const staff = hub.state.staff || {};
    setText($("#presence"), staff.presence ? t("presence.online", { n: staff.presence.online }) : "");
    const key = `${document.documentElement.lang}`;
    if (drawn !== key) {
      drawn = key;
      drawEvent(event()); drawLinks(event()); drawAgenda(state); drawPolls(); drawDelegates(); drawPlenary(event());
      drawPlatforms(); drawExports();
      redrawAta(state);
      drawCertificates(sections.certificates, { code, secret, call });
      drawPre();
      return;
    }
    const names = new Set((batch || []).map((b) => b.name));
    if (names.has("event.updated") || names.has("snapshot")) { if (!sections.event.contains(document.activeElement)) drawEvent(event()); }
    if (names.has("session.updated") || names.has("session.removed") || names.has("snapshot")) {
      const editing = sections.agenda.contains(document.activeElement) && document.activeElement.closest("#agenda-edit");
      if (!editing || names.has("session.removed")) {
        const refocus = sections.agenda.contains(document.activeElement);
        agendaAdded = agendaAdded || refocus;
        drawAgenda(state);
      }
      redrawAta(state);
    }
    if (names.has("plenary.settings") && !sections.plenary.contains(document.activeElement)) drawPlenary(event());
    if (names.has("staff.revoked")) refreshStaff();
    if (names.has("delegate.updated")) refreshDelegates();
    // A contribution arrived at a meeting, or the consolidation changed (another tab, the API).
    // Not while the organizer types in it (ticked contributions survive a redraw).
    const typing = sections.preconference.contains(document.activeElement)
      && document.activeElement.matches("textarea, select, input:not([type=checkbox])");
    if (names.has("preconference.updated") && !typing) drawPre();
    if (names.has("platform.health") || names.has("platform.removed") || names.has("snapshot")) updatePlatforms();
    updatePolls();
  };
  hub.on("change", render);
  onLangChange(() => { drawn = ""; apply(document); render([]); });
}

// -- poll and election builder -----------------------------------------------------------------

function pollBuilder(hub, event, call) {
  const kind = h("select", { id: "pb-kind" }, ["single", "multiple", "yes_no_abstain", "rating", "ranking", "open_text", "election"]
    .map((k) => h("option", { value: k }, t(`poll.kind_${k}`))));
  const question = h("input", { id: "pb-question", maxlength: "500", required: true });
  const options = h("textarea", { id: "pb-options", rows: "8", placeholder: t("org.options_placeholder") });
  const minPicks = h("input", { id: "pb-min", type: "number", min: "0", value: "1" });
  const maxPicks = h("input", { id: "pb-max", type: "number", min: "1", value: "1" });
  const scaleMin = h("input", { id: "pb-smin", type: "number", value: "1" });
  const scaleMax = h("input", { id: "pb-smax", type: "number", value: "5" });
  // stv: voters rank candidates within each segment; each segment's seats are counted by STV.
  const method = h("select", { id: "pb-method" }, ["plurality", "approval", "stv"]
    .map((m) => h("option", { value: m }, t(`org.method_${m}`))));
  const rankMethod = h("select", { id: "pb-rank-method" }, ["borda", "irv", "stv", "schulze"]
    .map((m) => h("option", { value: m }, t(`org.rank_method_${m}`))));
  const rankSeats = h("input", { id: "pb-rank-seats", type: "number", min: "1", value: "2" });
  const visibility = h("select", { id: "pb-vis" }, ["live", "after_close", "hidden"].map((v) => h("option", { value: v }, t(`poll.visibility_${v}`))));
  const eligibility = h("select", { id: "pb-elig" }, h("option", { value: "everyone" }, t("poll.eligible_everyone")),
    h("option", { value: "delegates" }, t("poll.eligible_delegates")),
    (event.segments || []).map((s) => h("option", { value: `segment:${s}` }, t("poll.eligible_segment", { segment: s }))));
  const secret = h("input", { type: "checkbox", id: "pb-secret" });
  const error = h("p", { class: "ballot-error", role: "alert" });
  const picks = h("div", { class: "two-col" }, field(t("org.min_picks"), minPicks), field(t("org.max_picks"), maxPicks));
  const scale = h("div", { class: "two-col" }, field(t("org.scale_min"), scaleMin), field(t("org.scale_max"), scaleMax));
  const methodField = field(t("org.method"), method);
  // A decision vote (yes/no/abstain): its majority over a base and the quorum to open it.
  const decision = ruleFields("pb", { optional: true });
  const ruleField = decision.element;
  const seatsField = field(t("org.rank_seats"), rankSeats);
  const rankField = h("div", { class: "two-col" }, field(t("org.rank_method"), rankMethod, t("org.rank_method_hint")), seatsField);
  const optionsField = field(t("org.options"), options, t("org.options_hint"));
  const sync = () => {
    const k = kind.value;
    picks.hidden = k !== "multiple";
    scale.hidden = k !== "rating";
    methodField.hidden = k !== "election";
    rankField.hidden = k !== "ranking";
    seatsField.hidden = rankMethod.value !== "stv";
    optionsField.hidden = k === "rating" || k === "open_text" || k === "yes_no_abstain";
    ruleField.hidden = k !== "yes_no_abstain";
  };
  kind.addEventListener("change", sync);
  rankMethod.addEventListener("change", sync);
  const heading = h("h3", { tabindex: "-1" }, t("org.new_poll"));
  const submit = h("button", { type: "submit", class: "btn btn-primary" }, t("org.create_poll"));
  const cancel = h("button", { type: "button", class: "btn", hidden: true }, t("common.cancel"));
  let editing = null; // the draft being edited, or null for a new one
  const form = h("form", { class: "poll-builder", id: "poll-builder" }, heading,
    h("div", { class: "two-col" }, field(t("org.poll_kind"), kind), field(t("org.question"), question)),
    optionsField, picks, scale, methodField, rankField, ruleField,
    h("div", { class: "two-col" }, field(t("poll.visibility"), visibility), field(t("org.eligibility"), eligibility)),
    h("label", { class: "check" }, secret, t("org.secret_ballot")),
    error, h("div", { class: "row row-end" }, cancel, submit));
  sync();
  const reset = () => {
    editing = null;
    question.value = ""; options.value = "";
    setText(heading, t("org.new_poll"));
    setText(submit, t("org.create_poll"));
    cancel.hidden = true;
    setText(error, "");
  };
  cancel.addEventListener("click", reset);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    setText(error, "");
    let spec;
    try {
      spec = buildSpec(kind.value, question.value.trim(), options.value,
        { min: minPicks.value, max: maxPicks.value, smin: scaleMin.value, smax: scaleMax.value, method: method.value,
          rankMethod: rankMethod.value, rankSeats: rankSeats.value },
        editing ? editing.spec : null);
      if (kind.value === "yes_no_abstain" && decision.chosen()) spec.rule = decision.rule();
    } catch (err) { setText(error, err.message); return; }
    const fields = { spec, visibility: visibility.value, eligibility: eligibility.value, secret: secret.checked };
    try {
      if (editing) {
        await call("PATCH", `/polls/${editing.id}`, fields);
        toast(t("org.poll_saved"));
      } else {
        await hub.send("poll.create", fields);
        toast(t("org.poll_created"));
      }
      reset();
    } catch (err) { setText(error, errorText(err, { sections: spec.sections || [] })); }
  });
  /** Load a draft into the form; saving then changes that draft (PATCH) instead of adding one. */
  form.edit = (poll) => {
    editing = poll;
    const spec = poll.spec;
    kind.value = spec.kind;
    question.value = spec.question;
    options.value = specText(spec);
    minPicks.value = String(spec.min_picks ?? 1);
    maxPicks.value = String(spec.max_picks ?? 1);
    scaleMin.value = String(spec.scale_min ?? 1);
    scaleMax.value = String(spec.scale_max ?? 5);
    if (spec.method && spec.kind === "election") method.value = spec.method;
    if (spec.kind === "ranking") {
      rankMethod.value = spec.method || "borda";
      rankSeats.value = String(spec.seats || 2);
    }
    decision.show(spec.rule);
    visibility.value = poll.visibility || "live";
    eligibility.value = poll.eligibility || "everyone";
    secret.checked = Boolean(poll.secret);
    sync();
    setText(heading, t("org.edit_poll_title", { question: spec.question }));
    setText(submit, t("org.save_poll"));
    cancel.hidden = false;
    setText(error, "");
    form.scrollIntoView({ block: "start" });
    heading.focus();
  };
  return form;
}

/** The options text of a spec (the inverse of buildSpec): sections as "# Title / N", axes as "Axis | Proposal". */
export function specText(spec) {
  const line = (o) => (o.group ? `${o.group} | ${o.label}` : o.label);
  const byId = new Map((spec.options || []).map((o) => [o.id, o]));
  const placed = new Set((spec.sections || []).flatMap((s) => s.option_ids));
  const lines = (spec.options || []).filter((o) => !placed.has(o.id)).map(line);
  for (const section of spec.sections || []) {
    lines.push(`# ${section.title} / ${spec.kind === "election" ? section.seats : section.max_picks}`);
    for (const id of section.option_ids) if (byId.has(id)) lines.push(line(byId.get(id)));
  }
  return lines.join("\n");
}

/**
 * Options text: one option per line; "Axis | Proposal" sets the option's group (eixo);
 * "# Title / N" starts a section where N picks are allowed (seats, for an election).
 */
export function buildSpec(kind, question, text, limits, previous = null) {
  const spec = { kind, question };
  // Editing a draft keeps the ids of options and sections that are still there (matched by text).
  const oldOption = new Map(((previous && previous.options) || []).map((o) => [`${o.group}|${o.label}`, o.id]));
  const oldSection = new Map(((previous && previous.sections) || []).map((s) => [s.title, s]));
  const used = new Set();
  const fresh = (prefix, wanted) => {
    let id = wanted && !used.has(wanted) ? wanted : "";
    for (let k = 1; !id; k += 1) if (!used.has(`${prefix}${k}`)) id = `${prefix}${k}`;
    used.add(id);
    return id;
  };
  if (!question) throw new Error(t("org.question_required"));
  if (kind === "rating") return { ...spec, scale_min: Number(limits.smin), scale_max: Number(limits.smax) };
  if (kind === "open_text") return spec;
  if (kind === "yes_no_abstain") return spec;
  const options = [];
  const sections = [];
  let n = 0;
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (!line) continue;
    const heading = /^#\s*(.+?)(?:\s*\/\s*(\d+))?$/.exec(line);
    if (heading) {
      const title = heading[1].trim();
      const before = oldSection.get(title);
      sections.push({ id: fresh("s", before && before.id), title, option_ids: [], min_picks: 0, max_picks: Number(heading[2] || 1),
        alternates: (before && before.alternates) || 0 });
      continue;
    }
    const [group, label] = line.includes("|") ? line.split("|").map((s) => s.trim()) : ["", line];
    n += 1;
    const shown = { label: label || group, group: label ? group : "" };
    const option = { id: fresh("o", oldOption.get(`${shown.group}|${shown.label}`) || `o${n}`), ...shown };
    options.push(option);
    if (sections.length) sections[sections.length - 1].option_ids.push(option.id);
  }
  if (!options.length) throw new Error(t("org.options_required"));
  spec.options = options;
  if (kind === "multiple" || kind === "election") {
    if (sections.length) {
      spec.sections = sections.map(({ alternates, ...s }) => (kind === "election" ? { ...s, seats: s.max_picks, alternates } : s));
    } else if (kind === "multiple") {
      spec.min_picks = Number(limits.min);
      spec.max_picks = Number(limits.max);
    }
    if (kind === "election") {
      spec.method = limits.method;
      // Approval and STV let a voter mark (or rank) every candidate: the picks limit is the server's.
      if (spec.method !== "plurality") for (const s of spec.sections || []) delete s.max_picks;
      if (!sections.length) throw new Error(t("org.election_sections"));
    }
  }
  if (kind === "ranking" && limits.rankMethod) {
    spec.method = limits.rankMethod;
    spec.seats = limits.rankMethod === "stv" ? Number(limits.rankSeats) : 1;
  }
  return spec;
}

if (managing) managePage(); else createPage();
