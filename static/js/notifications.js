// Fills in the header's count of unread notifications. The page itself never counts them
// (no page pays a query for the header); without scripts the link still works.
(function () {
  "use strict";
  var link = document.querySelector("[data-unread-url]");
  if (!link) { return; }
  var badge = link.querySelector("[data-role=unread]");
  fetch(link.getAttribute("data-unread-url"), {
    credentials: "same-origin", headers: { "Accept": "application/json" }
  })
    .then(function (response) { return response.ok ? response.json() : null; })
    .then(function (data) {
      if (!data || !data.unread) { return; }
      badge.textContent = data.unread;
      badge.setAttribute("title", data.unread + " unread");
      badge.classList.remove("d-none");
      link.setAttribute("aria-label", "Notifications, " + data.unread + " unread");
    })
    .catch(function () { /* the link works without the count */ });
})();
