// The off-the-job plan: show the running total of the split across duties as the tutor
// types, so they can see before saving whether it adds up. The server checks it again.
(function () {
  "use strict";
  var form = document.getElementById("otj-split");
  if (!form) { return; }
  var required = parseInt(form.getAttribute("data-required"), 10);
  var out = form.querySelector(".otj-split-total");
  if (isNaN(required) || !out) { return; }

  function words(minutes) {
    var hours = Math.floor(minutes / 60), rest = minutes % 60, parts = [];
    if (hours || !rest) { parts.push(hours + (hours === 1 ? " hour" : " hours")); }
    if (rest) { parts.push(rest + (rest === 1 ? " minute" : " minutes")); }
    return parts.join(" ");
  }

  function update() {
    var total = 0;
    form.querySelectorAll("input[type=number]").forEach(function (input) {
      var value = parseInt(input.value, 10) || 0;
      total += /_hours$/.test(input.name) ? value * 60 : value;
    });
    var gap = total - required;
    out.hidden = false;
    out.className = "otj-split-total " + (gap === 0 ? "text-success-emphasis" : "text-danger-emphasis");
    out.textContent = "The duties add up to " + words(total) + ". " + (gap === 0
      ? "That matches the required total."
      : words(Math.abs(gap)) + (gap > 0 ? " too many." : " too few."));
  }

  form.addEventListener("input", update);
  update();
})();
