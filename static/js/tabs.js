// An accessible tab list (WAI-ARIA tabs): arrow keys, Home/End, one tab stop, remembered choice.

import { storage } from "./hub.js";

export function mountTabs(tablist, { remember = "", onChange = () => {} } = {}) {
  const tabs = [...tablist.querySelectorAll('[role="tab"]')];
  const select = (tab, focus = false) => {
    for (const other of tabs) {
      const on = other === tab;
      other.setAttribute("aria-selected", on ? "true" : "false");
      other.tabIndex = on ? 0 : -1;
      const panel = document.getElementById(other.getAttribute("aria-controls"));
      if (panel) panel.hidden = !on;
    }
    if (focus) tab.focus();
    if (remember) storage.set(remember, tab.id);
    onChange(tab.id);
  };
  tablist.addEventListener("click", (e) => {
    const tab = e.target.closest('[role="tab"]');
    if (tab) select(tab);
  });
  tablist.addEventListener("keydown", (e) => {
    const index = tabs.indexOf(document.activeElement);
    if (index < 0) return;
    let next = null;
    if (e.key === "ArrowRight") next = tabs[(index + 1) % tabs.length];
    else if (e.key === "ArrowLeft") next = tabs[(index - 1 + tabs.length) % tabs.length];
    else if (e.key === "Home") next = tabs[0];
    else if (e.key === "End") next = tabs[tabs.length - 1];
    if (next) {
      e.preventDefault();
      select(next, true);
    }
  });
  const saved = remember && storage.get(remember);
  const initial = tabs.find((t) => t.id === saved) || tabs[0];
  select(initial);
  return {
    select: (id) => { const tab = tabs.find((t) => t.id === id); if (tab) select(tab); },
    current: () => tabs.find((t) => t.getAttribute("aria-selected") === "true").id,
  };
}
