// Building DOM without parsing HTML: every piece of user text goes through textContent.

/**
 * h("button", {class: "btn", type: "button", onclick: fn, "aria-label": "..."}, "text", child)
 * Props: `class`, `text` (textContent), `dataset`, `on<event>` handlers, `hidden`, `value`,
 * `checked`, `disabled`; anything else is an attribute. Children: nodes or strings (as text).
 */
export function h(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key.startsWith("on") && typeof value === "function") node.addEventListener(key.slice(2), value);
    else if (key === "hidden" || key === "checked" || key === "disabled" || key === "value") node[key] = value;
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  append(node, children);
  return node;
}

function append(node, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replace all children of `node`. */
export function fill(node, ...children) {
  node.replaceChildren();
  append(node, children);
  return node;
}

/** A labelled form field: the label tied to `input` (given an id if it has none), an optional hint. */
export function field(label, input, hint) {
  const id = input.id || `f-${Math.random().toString(36).slice(2, 9)}`;
  input.id = id;
  return h("div", { class: "field" }, h("label", { for: id }, label), input, hint ? h("span", { class: "hint" }, hint) : null);
}

export function $(selector, root = document) {
  return root.querySelector(selector);
}

export function $$(selector, root = document) {
  return [...root.querySelectorAll(selector)];
}

/** Set textContent only when it changed (keeps screen readers and selections calm). */
export function setText(node, text) {
  const value = text == null ? "" : String(text);
  if (node.textContent !== value) node.textContent = value;
}

/**
 * Keep `container`'s children in the order of `items`, reusing nodes by key:
 * render(item, node | null) returns the node for item (the old one updated, or a new one).
 */
export function syncList(container, items, key, render) {
  const old = new Map();
  for (const child of [...container.children]) {
    if (child.dataset.key) old.set(child.dataset.key, child);
    else child.remove();
  }
  let cursor = container.firstElementChild;
  const seen = new Set();
  for (const item of items) {
    const k = String(key(item));
    seen.add(k);
    const existing = old.get(k) || null;
    const node = render(item, existing);
    node.dataset.key = k;
    if (existing && existing !== node) {
      // The renderer built a new node: the old one goes (and must not stay the cursor).
      if (cursor === existing) cursor = existing.nextElementSibling;
      existing.remove();
    }
    if (node !== cursor) container.insertBefore(node, cursor);
    else cursor = cursor.nextElementSibling;
  }
  for (const [k, node] of old) if (!seen.has(k)) node.remove();
}

/** Highlight [start, end) spans of `text` with <mark>, as text nodes only. */
export function highlighted(text, spans, title = () => "") {
  const parts = [];
  let at = 0;
  const sorted = spans
    .filter((s) => Number.isInteger(s.start) && Number.isInteger(s.end) && s.end > s.start)
    .sort((a, b) => a.start - b.start);
  for (const span of sorted) {
    const start = Math.max(span.start, at);
    const end = Math.min(span.end, text.length);
    if (end <= start) continue;
    if (start > at) parts.push(text.slice(at, start));
    parts.push(h("mark", { title: title(span) || null }, text.slice(start, end)));
    at = end;
  }
  if (at < text.length) parts.push(text.slice(at));
  return parts;
}

export function debounce(fn, ms) {
  let timer = null;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}
