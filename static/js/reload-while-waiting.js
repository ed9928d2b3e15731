// While a background job is being prepared, look again every few seconds by reloading the
// page (it says when the job is done). Stops once the page no longer says it is waiting.
(function () {
  "use strict";
  var box = document.querySelector("[data-reload-while-waiting]");
  if (!box) { return; }
  var seconds = parseInt(box.getAttribute("data-reload-while-waiting"), 10) || 5;
  window.setTimeout(function () { window.location.reload(); }, seconds * 1000);
})();
