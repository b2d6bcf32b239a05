// A poll's results on the projector, the broadcast overlay and the presenter's preview.
// Every label in full, type as large as the ballot allows and never below the stage's minimum
// (docs/ui.md). A ballot that does not fit one screen is split into pages that turn every
// PAGE_SECONDS on the server's clock, so the projector, the overlay and the preview turn
// together, and "page 2 of 3" tells the room and the presenter where they are. Once the poll is
// closed, what won comes first. Rows keep their nodes between tallies (the bars animate); the
// layout is recomputed only when something that decides it changes. A closed ranked count (a
// ranking poll by IRV/STV/Schulze/Borda, an STV election's segments) adds its rounds as blocks
// after the winners, on the projector and the preview; the overlay keeps to the outcome.

import { h, fill, setText } from "./dom.js";
import { t, number } from "./i18n.js";
import { barCounts, barRow, outcomeOf, sectionCounts, tieNote } from "./results.js";
import { roundLines, segmentCountTitle } from "./rounds.js";

export const PAGE_SECONDS = 10;
// Type sizes tried, largest first, in % of the stage's height (cqh); the last one is the floor:
// 2.6cqh is 28 px on a 1080-line projector, 2.25cqh is 24 px in a 1080p broadcast.
const ROW_SIZES = { screen: [5, 4.4, 3.9, 3.4, 3, 2.6], overlay: [3.4, 3, 2.6, 2.25] };
const QUESTION_SIZES = { screen: [5.6, 4.8, 4.1, 3.5, 3, 2.6], overlay: [3.6, 3.1, 2.7, 2.25] };
const QUESTION_SHARE = { screen: 0.2, overlay: 0.12 }; // of the stage's height, unless the floor needs more
const MIN_COLUMN_EMS = 15; // narrower columns cut labels into too many short lines
const MAX_COLUMNS = 3;
const SPLIT_OVER = 8; // a closed poll with more options than this (or sections) lists its winners apart

/**
 * Draw `poll` (the shape of state.pollModel, results visible) into `area` (the panel's
 * .poll-results) and its page indicator into `pager`. mode: "screen", "preview" or "overlay";
 * now(): the server's clock in seconds (hub.now).
 */
export function renderStageResults(area, pager, poll, mode, now) {
  const kit = area._stage || (area._stage = { rows: new Map(), parts: new Map(), words: new Map() });
  Object.assign(kit, { poll, pager, mode, now, sizes: mode === "overlay" ? "overlay" : "screen" });
  const blocks = poll.kind === "open_text" ? null : blocksOf(poll, kit);
  const key = layoutKey(area, poll, blocks);
  if (key !== kit.key) {
    kit.key = key;
    layout(area, kit, blocks);
  }
  turn(area);
  watch(area);
}

// -- what is drawn: blocks of a head, rows and a note --------------------------------------

function part(kit, key, build) {
  let node = kit.parts.get(key);
  if (!node) {
    node = build();
    kit.parts.set(key, node);
  }
  return node;
}

function head(kit, key, title, meta) {
  const node = part(kit, `head:${key}`, () => h("li", { class: "block-head" },
    h("h2", { class: "section-title" }), h("p", { class: "section-meta" })));
  setText(node.querySelector(".section-title"), title);
  setText(node.querySelector(".section-meta"), meta || "");
  node.querySelector(".section-meta").hidden = !meta;
  return node;
}

function block(kit, key, title, meta, rows, outcome) {
  const items = [];
  if (title) items.push({ kind: "head", node: head(kit, key, title, meta) });
  for (const node of rows) items.push({ kind: "row", node });
  if (outcome && (outcome.tied || []).length) {
    const note = part(kit, `note:${key}`, () => h("li", { class: "tie-note" }));
    tieNote(note, outcome);
    items.push({ kind: "note", node: note });
  }
  return { key, title, items };
}

function row(kit, poll, option, counts, total, outcome) {
  const node = barRow(poll, option, counts, total, outcome, kit.rows.get(option.id) || null);
  node.dataset.key = option.id;
  kit.rows.set(option.id, node);
  return node;
}

function byCount(options, counts) {
  return [...options].sort((a, b) => (counts[b.id] || 0) - (counts[a.id] || 0));
}

/** The blocks of a poll, rows updated in place. Closed: by votes, and winners first when long. */
function blocksOf(poll, kit) {
  const results = poll.results || { ballots: 0, counts: {} };
  const final = poll.status === "closed";
  if (poll.kind === "rating") {
    const dist = results.distribution || {};
    const values = Object.keys(dist).map(Number).sort((a, b) => a - b);
    const total = values.reduce((sum, v) => sum + (dist[String(v)] || 0), 0);
    const rows = values.map((v) => row(kit, { ...poll, kind: "rating" }, { id: String(v), label: String(v) }, dist, total, null));
    const mean = results.mean == null ? "" : t("results.mean", { mean: number(results.mean, { maximumFractionDigits: 1 }) });
    return [block(kit, "rating", mean, "", rows, null)];
  }
  const options = poll.options || [];
  const counts = barCounts(poll, results);
  const sectioned = (poll.sections || []).length > 0;
  const sections = sectioned ? poll.sections : [{ id: "", title: "", option_ids: options.map((o) => o.id) }];
  const split = final && (sectioned || options.length > SPLIT_OVER);
  const first = [];
  const rest = [];
  for (const section of sections) {
    const inSection = options.filter((o) => section.option_ids.includes(o.id));
    const own = sectioned ? (results.sections && results.sections[section.id]) || { ballots: 0, counts: {} } : null;
    const shown = own ? sectionCounts(own) : counts;
    const total = own ? own.ballots || 0
      : poll.kind === "ranking" ? Object.values(counts).reduce((a, b) => a + b, 0) : results.ballots || 0;
    const outcome = final ? outcomeOf(poll, section.id) : null;
    const ordered = final ? byCount(inSection, shown) : inSection;
    const meta = sectioned
      ? `${section.seats ? t("results.seats", { n: section.seats }) : t("results.choose_up_to", { n: section.max_picks })}`
        + ` · ${t("results.ballots", { n: own.ballots || 0 })}`
      : "";
    const nodes = ordered.map((o) => row(kit, poll, o, shown, total, outcome));
    if (split && outcome) {
      const won = new Set([...(outcome.selected || []), ...(outcome.tied || []), ...(outcome.alternates || [])]);
      const winners = nodes.filter((_, i) => won.has(ordered[i].id));
      const others = nodes.filter((_, i) => !won.has(ordered[i].id));
      if (winners.length) first.push(block(kit, section.id, section.title, meta, winners, outcome));
      if (others.length) {
        const title = section.title ? `${section.title} · ${t("results.others")}` : t("results.others");
        rest.push(block(kit, `${section.id}:rest`, title, "", others, null));
      }
    } else {
      first.push(block(kit, section.id, section.title, meta, nodes, outcome));
    }
  }
  const counted = final && kit.mode !== "overlay" ? countBlocks(kit, poll) : [];
  return [...first, ...counted, ...rest];
}

/** The rounds of a closed ranked count, one block per count (an STV election: per segment, its
 * seats then each suplente place), rebuilt only when the count itself changes. */
function countBlocks(kit, poll) {
  const counts = poll.kind === "ranking" && poll.ranked ? [["ranked", t("count.title"), poll.ranked]]
    : ((poll.election && poll.election.segments) || []).flatMap((segment) => (segment.counts || [])
      .map((c) => [`${segment.segment}:${c.for}:${c.place}`, segmentCountTitle(segment, c), c]));
  return counts.filter(([, , c]) => c.rounds.length || c.order.length).map(([key, title, c]) => {
    const meta = [t(`count.method_${c.method}`, { n: c.seats }), c.quota != null ? t("count.quota", { n: c.quota }) : ""]
      .filter(Boolean).join(" · ");
    const signature = `${document.documentElement.lang}|${title}|${JSON.stringify(c)}`;
    let cached = kit.parts.get(`rounds:${key}`);
    if (!cached || cached.signature !== signature) {
      const nodes = roundLines(poll, c);
      nodes.forEach((node, i) => { node.dataset.key = `round:${key}:${i}:${signature.length}`; });
      cached = { signature, nodes };
      kit.parts.set(`rounds:${key}`, cached);
    }
    return block(kit, `count:${key}`, title, meta, cached.nodes, null);
  });
}

function layoutKey(area, poll, blocks) {
  const stage = area.closest(".stage");
  const size = stage ? `${stage.clientWidth}x${stage.clientHeight}` : "";
  const results = poll.results || {};
  const counts = barCounts(poll, results);
  const widest = Math.max(0, ...Object.values(counts), ...Object.values(results.distribution || {}));
  const shape = blocks
    ? blocks.map((b) => `${b.key}:${b.title}:${b.items.map((i) => i.node.dataset.key || i.kind).join(",")}`).join("|")
    : (results.words || []).map(([w, n]) => `${w}:${n}`).join("|");
  const labels = (poll.options || []).map((o) => o.label).join("\u0000");
  return [poll.id, poll.kind, poll.status === "closed", poll.question, document.documentElement.lang, size,
    number(widest).length, labels, shape].join("\u0001");
}

// -- fitting: the largest type and the fewest pages ------------------------------------------

function fitText(node, sizes, budget) {
  for (const size of sizes) {
    node.style.fontSize = `${size}cqh`;
    if (node.getBoundingClientRect().height <= budget) return;
  }
}

function layout(area, kit, blocks) {
  const panel = area.closest(".panel-poll");
  const stage = area.closest(".stage");
  panel.classList.add("measuring");
  area.style.height = "";
  const question = panel.querySelector(".poll-question");
  if (question && stage) fitText(question, QUESTION_SIZES[kit.sizes], QUESTION_SHARE[kit.sizes] * stage.clientHeight);
  const box = { width: area.clientWidth, height: area.clientHeight };
  const results = kit.poll.results || {};
  const counts = barCounts(kit.poll, results);
  area.style.setProperty("--digits", String(number(Math.max(0, ...Object.values(counts),
    ...Object.values(results.distribution || {}))).length));
  const pages = blocks ? layoutBars(area, kit, blocks, box) : layoutCloud(area, kit, results.words || [], box);
  const tallest = Math.max(...pages.map((p) => p.height), 0);
  panel.classList.remove("measuring");
  area.style.height = `${Math.ceil(tallest)}px`;
  kit.pageNodes = pages.map((p) => p.node);
  area.dataset.fit = kit.fit;
}

/** Pack blocks into columns of `height`, `columns` to a page: a head stays with its first row
 * and a tie note with its last, a block continued on a new page repeats its title, a new block opens a new column while
 * there are columns enough for the blocks left. `overflow`: some item is taller than a column. */
function pack(blocks, columns, height, gap) {
  const pages = [];
  let page = null;
  let column = null;
  let overflow = false;
  const open = () => {
    if (!page || page.length === columns) {
      page = [];
      pages.push(page);
    }
    column = { items: [], used: 0 };
    page.push(column);
  };
  const fits = (need) => (column.items.length ? column.used + gap + need : need) <= height + 0.5;
  const put = (item, size) => {
    column.used = column.items.length ? column.used + gap + size : size;
    column.items.push(item);
  };
  open();
  blocks.forEach((b, index) => {
    if (column.items.length && columns - page.length >= blocks.length - index) open();
    b.items.forEach((item, i) => {
      // A head stays with the row under it, a tie note with the row above it.
      const after = b.items[i + 1];
      const next = after && (item.kind === "head" || after.kind === "note") ? gap + after.height : 0;
      if (!fits(item.height + next) && column.items.length) {
        open();
        // A page that opens inside a block says whose rows these are (a column beside it reads the head).
        if (i > 0 && b.title && page.length === 1) put({ kind: "cont", block: b }, b.contHeight);
      }
      if (!fits(item.height)) overflow = true;
      put(item, item.height);
    });
  });
  return { pages, overflow };
}

/** Heights of every item at one type size, for every column count that leaves columns wide
 * enough, in one layout of clones (a layout costs tens of milliseconds: text is shaped anew). */
function trial(area, blocks, box, size) {
  const stage = area.closest(".stage");
  const em = (size * stage.clientHeight) / 100;
  // The size is set on the clones' holder only: the pages on screen are not laid out again.
  const holder = h("div", { class: "measures", "aria-hidden": "true" });
  holder.style.setProperty("--fs", `${size}cqh`);
  area.append(holder);
  const probe = h("div", { class: "page" });
  holder.replaceChildren(probe);
  const gapX = parseFloat(getComputedStyle(probe).columnGap) || 0;
  const widths = [];
  for (let columns = 1; columns <= MAX_COLUMNS; columns += 1) {
    const width = (box.width - gapX * (columns - 1)) / columns;
    if (columns > 1 && width < MIN_COLUMN_EMS * em) break;
    widths.push([columns, width]);
  }
  const items = blocks.flatMap((b) => b.items);
  const lists = widths.map(([columns, width]) => {
    const list = h("ul", { class: "page-col plain" },
      items.map((i) => i.node.cloneNode(true)), blocks.map((b) => (b.title ? continued(b) : null)));
    const page = h("div", { class: "page measure", dataset: { cols: String(columns) } }, list);
    page.style.width = `${width}px`;
    holder.append(page);
    return list;
  });
  const tried = widths.map(([columns], k) => {
    const nodes = [...lists[k].children];
    const heights = nodes.map((n) => n.getBoundingClientRect().height);
    const gap = parseFloat(getComputedStyle(lists[k]).rowGap) || 0;
    let at = 0;
    const sized = blocks.map((b) => ({
      ...b, items: b.items.map((item) => ({ ...item, height: heights[at++] })),
    }));
    for (const b of sized) b.contHeight = b.title ? heights[at++] : 0;
    const { pages, overflow } = pack(sized, columns, box.height, gap);
    return { score: (overflow ? 1000 : 0) + pages.length, size, columns, pages };
  });
  holder.remove();
  return tried.reduce((best, x) => (x.score < best.score ? x : best));
}

/** The fewest pages, then the largest type that still gives that few: the smallest size is tried
 * first; when it fits one or two pages, a binary search over the larger sizes finds the largest
 * that needs no more (larger type never needs fewer pages). A ballot that needs more pages than
 * that at the smallest size keeps it: larger type would only add pages. */
function layoutBars(area, kit, blocks, box) {
  const sizes = ROW_SIZES[kit.sizes];
  const tried = new Map();
  const at = (i) => {
    if (!tried.has(i)) tried.set(i, trial(area, blocks, box, sizes[i]));
    return tried.get(i);
  };
  const floor = at(sizes.length - 1);
  let lo = floor.score <= 2 ? 0 : sizes.length - 1;
  let hi = sizes.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (at(mid).score <= floor.score) hi = mid;
    else lo = mid + 1;
  }
  const best = at(hi);
  area.style.setProperty("--fs", `${best.size}cqh`);
  kit.fit = `${best.size}cqh/${best.columns}`;
  const holder = pagesHolder(area);
  const built = best.pages.map((page) => {
    const node = h("div", { class: "page", dataset: { cols: String(best.columns) } });
    node.style.setProperty("--cols", String(best.columns));
    let tallest = 0;
    for (const column of page) {
      node.append(h("ul", { class: "page-col plain" },
        column.items.map((item) => (item.kind === "cont" ? continued(item.block) : item.node))));
      tallest = Math.max(tallest, column.used);
    }
    return { node, height: tallest };
  });
  fill(holder, built.map((p) => p.node));
  return built;
}

function continued(b) {
  return h("li", { class: "block-head block-cont" },
    h("h2", { class: "section-title" }, `${b.title} (${t("results.continued")})`));
}

function pagesHolder(area) {
  let holder = area.querySelector(":scope > .pages");
  if (!holder) {
    holder = h("div", { class: "pages", "aria-live": "off" });
    area.prepend(holder);
  }
  return holder;
}

/** A word cloud: the largest type at which every word fits; below the floor, pages of words. */
function layoutCloud(area, kit, words, box) {
  const holder = pagesHolder(area);
  const max = words.reduce((m, [, n]) => Math.max(m, n), 1);
  const nodes = words.map(([word, n]) => {
    const node = kit.words.get(word) || h("li");
    kit.words.set(word, node);
    setText(node, word);
    node.style.fontSize = `${(1 + 1.3 * (n / max)).toFixed(2)}em`;
    node.title = t("results.votes", { n });
    return node;
  });
  const cloud = () => h("ul", { class: "cloud plain" });
  if (!nodes.length) {
    fill(holder, h("div", { class: "page" }, h("ul", { class: "cloud plain" }, h("li", { class: "empty" }, t("results.no_words")))));
    kit.fit = "empty";
    return [{ node: holder.firstChild, height: holder.firstChild.getBoundingClientRect().height }];
  }
  const probe = cloud();
  const single = h("div", { class: "page" }, probe);
  fill(holder, single);
  for (const size of ROW_SIZES[kit.sizes]) {
    area.style.setProperty("--fs", `${size}cqh`);
    probe.replaceChildren(...nodes);
    kit.fit = `${size}cqh/cloud`;
    if (probe.scrollHeight <= box.height + 0.5) return [{ node: single, height: probe.scrollHeight }];
  }
  // Even the smallest type leaves words out: as many words a page as fit, most frequent first.
  holder.replaceChildren();
  const pages = [];
  let left = nodes;
  while (left.length) {
    const list = cloud();
    const page = h("div", { class: "page" }, list);
    holder.append(page);
    list.replaceChildren(...left);
    const top = list.getBoundingClientRect().top;
    let cut = left.findIndex((n) => n.getBoundingClientRect().bottom - top > box.height + 0.5);
    cut = cut === -1 ? left.length : Math.max(cut, 1);
    for (const n of left.slice(cut)) n.remove();
    pages.push({ node: page, height: Math.min(box.height, list.scrollHeight) });
    left = left.slice(cut);
  }
  return pages;
}

// -- turning pages on the server's clock -------------------------------------------------------

const watched = new Set();
let ticker = null;
const sizeWatch = typeof ResizeObserver === "function" ? new ResizeObserver((entries) => {
  for (const entry of entries) {
    for (const area of watched) {
      const kit = area._stage;
      if (area.closest(".stage") === entry.target && kit && area.isConnected) {
        renderStageResults(area, kit.pager, kit.poll, kit.mode, kit.now);
      }
    }
  }
}) : null;

function watch(area) {
  if (!watched.has(area)) {
    watched.add(area);
    const stage = area.closest(".stage");
    if (sizeWatch && stage) sizeWatch.observe(stage);
  }
  if (!ticker) {
    ticker = setInterval(() => {
      for (const a of watched) {
        if (a.isConnected) turn(a);
        else watched.delete(a);
      }
    }, 250);
  }
}

function turn(area) {
  const kit = area._stage;
  if (!kit) return; // its results were hidden since
  const pages = (kit.pageNodes || []).length;
  const seconds = kit.now();
  const index = pages > 1 ? Math.floor(seconds / PAGE_SECONDS) % pages : 0;
  kit.pageNodes.forEach((node, i) => { node.hidden = i !== index; });
  area.dataset.page = String(index + 1);
  area.dataset.pages = String(pages);
  const pager = kit.pager;
  if (!pager) return;
  pager.dataset.pages = String(pages);
  if (!pager.firstChild) {
    pager.append(h("span", { class: "pager-text" }),
      h("span", { class: "pager-track", "aria-hidden": "true" }, h("span", { class: "pager-fill" })));
  }
  setText(pager.querySelector(".pager-text"), pages > 1 ? t("screen.page", { page: index + 1, pages }) : "");
  const share = pages > 1 ? (seconds % PAGE_SECONDS) / PAGE_SECONDS : 0;
  pager.querySelector(".pager-fill").style.width = `${(share * 100).toFixed(1)}%`;
}
