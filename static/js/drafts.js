// A typed message is never lost: the draft is saved as it is typed, and a sent one stays in the
// hub's persistent outbox (localStorage) until the server acknowledges it. A refused one comes
// back into the box with the reason.

import { storage } from "./hub.js";

export function bindDraft(field, key) {
  const saved = storage.get(key);
  if (saved && !field.value) field.value = saved;
  field.addEventListener("input", () => {
    if (field.value) storage.set(key, field.value);
    else storage.remove(key);
  });
  return {
    clear() { field.value = ""; storage.remove(key); },
    restore(text) {
      if (!field.value.trim()) field.value = text;
      storage.set(key, field.value);
    },
  };
}
