// A long backtest's page (admin): ask how far the replay got and move the
// progress bar; once it ends, load the page again for the result. A file,
// not an inline script: the content security policy allows none.
(function () {
  "use strict";
  const box = document.getElementById("backtest-progress");
  if (!box || box.dataset.finished === "true") {
    return;
  }
  const bar = document.getElementById("backtest-bar");
  const text = document.getElementById("backtest-progress-text");
  const state = document.getElementById("backtest-state");
  const every = Number(box.dataset.pollMs) || 1000;

  function show(status) {
    if (status.total > 0) {
      bar.max = status.total;
      bar.value = Math.min(status.done, status.total);
    } else {
      bar.removeAttribute("value");
    }
    bar.textContent = status.text;
    box.dataset.state = status.state;
    state.textContent = status.label;
    if (text.textContent !== status.text) {
      text.textContent = status.text;
    }
  }

  async function poll() {
    try {
      const response = await fetch(box.dataset.statusUrl, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
        cache: "no-store",
      });
      if (response.ok) {
        const status = await response.json();
        show(status);
        if (status.finished) {
          window.location.reload();
          return;
        }
      }
    } catch (error) {
      // A lost connection: ask again later.
    }
    window.setTimeout(poll, every);
  }

  window.setTimeout(poll, every);
})();
