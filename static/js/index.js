// The home page: type a join code, go to /e/CODE (after checking that the event exists).

import { $ } from "./dom.js";
import { t, setLang, preferred, languageSwitcher } from "./i18n.js";

await setLang(preferred());
languageSwitcher($("#lang"), null);

$("#join").addEventListener("submit", async (e) => {
  e.preventDefault();
  const code = $("#code").value.trim().toUpperCase();
  const error = $("#code-error");
  error.textContent = "";
  if (!/^[A-Z0-9]{3,32}$/.test(code)) {
    error.textContent = t("home.code_invalid");
    return;
  }
  try {
    const response = await fetch(`/api/events/${code}`);
    if (response.status === 404) {
      error.textContent = t("status.event_not_found");
      return;
    }
  } catch {
    // Offline or flaky: go anyway, the page will retry by itself.
  }
  location.assign(`/e/${code}`);
});
