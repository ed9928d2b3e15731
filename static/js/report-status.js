// Polls a report's status until it is ready or has failed, then shows the download link.
(function () {
  "use strict";
  var box = document.getElementById("report-status");
  if (!box) { return; }
  var url = box.getAttribute("data-status-url");
  var label = box.querySelector("[data-role=label]");
  var hint = box.querySelector("[data-role=hint]");
  var failure = box.querySelector("[data-role=failure]");
  var download = box.querySelector("[data-role=download]");
  var retry = document.querySelector("[data-role=retry]");
  var delay = 1500;

  function show(state) {
    label.textContent = state.label;
    failure.textContent = state.failure || "";
    if (state.download_url) {
      download.setAttribute("href", state.download_url);
      download.classList.remove("d-none");
    }
    if (state.finished) { hint.textContent = ""; }
    if (retry && state.status === "failed") { retry.classList.remove("d-none"); }
    box.setAttribute("data-status", state.status);
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (state) {
        if (state) { show(state); }
        if (!state || !state.finished) {
          delay = Math.min(delay * 1.3, 10000);
          window.setTimeout(poll, delay);
        }
      })
      .catch(function () { window.setTimeout(poll, 10000); });
  }
  window.setTimeout(poll, 500);
})();
