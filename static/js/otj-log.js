// The off-the-job log: a button to tick every waiting entry on the page before verifying
// them together. Without JavaScript the entries can still be ticked one by one.
(function () {
  "use strict";
  var form = document.getElementById("otj-verify-many");
  if (!form) { return; }
  var button = form.querySelector(".otj-tick-all");
  var boxes = form.querySelectorAll("input[name=entry]");
  if (!button || !boxes.length) { return; }
  button.hidden = false;
  button.addEventListener("click", function () {
    var all = Array.prototype.every.call(boxes, function (box) { return box.checked; });
    boxes.forEach(function (box) { box.checked = !all; });
    button.textContent = all ? "Tick all on this page" : "Untick all";
  });
})();
