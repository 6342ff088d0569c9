// A long job's admin page (an import, a backtest): ask how far the job got
// and move the progress bar; once it ends, load the page again for its
// result. The page marks the box with its status address
// (templates/admin/_job_progress.html). A file, not an inline script: the
// content security policy allows none.
(function () {
  "use strict";
  const box = document.querySelector("[data-status-url]");
  if (!box || box.dataset.finished === "true") {
    return;
  }
  const bar = box.querySelector("progress");
  const text = box.querySelector("[role=status]");
  const state = box.querySelector("[data-progress-state]");
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
