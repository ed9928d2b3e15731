// Polls an enrolment import while a worker creates its rows; shows how far it has got and
// reloads the page once it has finished (imported, or back with the reason nothing was).
(function () {
  "use strict";
  var box = document.getElementById("import-progress");
  if (!box) { return; }
  var url = box.getAttribute("data-status-url");
  var done = box.querySelector("[data-role=done]");
  var bar = box.querySelector("progress");
  var delay = 1500;

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (state) {
        if (state && (state.status !== "queued" || state.stalled)) {
          window.location.reload();
          return;
        }
        if (state) {
          done.textContent = state.done;
          bar.value = state.done;
        }
        delay = Math.min(delay * 1.3, 10000);
        window.setTimeout(poll, delay);
      })
      .catch(function () { window.setTimeout(poll, 10000); });
  }
  window.setTimeout(poll, 1000);
})();
