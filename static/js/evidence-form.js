// Saves the evidence draft as the apprentice types, so nothing is lost if they leave the
// page or their session times out. What has not reached the server yet is kept in this
// tab's sessionStorage (cleared when the tab closes) and offered back on the next visit.
(function () {
  "use strict";
  var form = document.getElementById("evidence-form");
  if (!form || !window.fetch) { return; }
  var url = form.dataset.autosaveUrl;
  var key = "draft:" + form.dataset.draftKey;
  var status = document.getElementById("autosave-status");
  var timer = null;
  var inFlight = false;
  var pending = false;
  var DELAY = 1500;

  function say(text) { if (status) { status.textContent = text; } }

  function fields() {
    var data = new FormData(form);
    data.delete("submit");
    data.delete("save");
    return data;
  }

  function remember() {
    var values = {};
    fields().forEach(function (value, name) {
      if (name === "csrfmiddlewaretoken") { return; }
      (values[name] = values[name] || []).push(value);
    });
    try { sessionStorage.setItem(key, JSON.stringify(values)); } catch (e) { /* full or off */ }
  }

  function forget() {
    try { sessionStorage.removeItem(key); } catch (e) { /* nothing to do */ }
  }

  function restore() {
    var saved;
    try { saved = JSON.parse(sessionStorage.getItem(key) || "null"); } catch (e) { saved = null; }
    if (!saved) { return false; }
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.name === "csrfmiddlewaretoken" || !(el.name in saved)) {
        if (el.type === "checkbox" && el.name && !(el.name in saved)) { el.checked = false; }
        return;
      }
      var values = saved[el.name];
      if (el.type === "checkbox" || el.type === "radio") {
        el.checked = values.indexOf(el.value) !== -1;
      } else if (el.tagName === "SELECT" || el.type !== "file") {
        el.value = values[0];
      }
    });
    return true;
  }

  function save() {
    timer = null;
    if (inFlight) { pending = true; return; }
    inFlight = true;
    say("Saving…");
    fetch(url, {
      method: "POST",
      body: fields(),
      credentials: "same-origin",
      redirect: "manual",
      headers: { "X-Requested-With": "fetch" }
    }).then(function (response) {
      if (response.type === "opaqueredirect" || response.status === 403) {
        say("You have been signed out. What you typed is kept in this tab: sign in again " +
            "and open this page, and it will be put back.");
        return null;
      }
      return response.json().then(function (body) {
        if (body.saved) {
          forget();
          say("Draft saved at " + body.saved_at + ".");
        } else {
          say("Not saved: " + (body.errors || []).join(" "));
        }
      });
    }).catch(function () {
      say("Not saved yet: no connection. What you typed is kept in this tab and we will " +
          "try again.");
      pending = true;
    }).then(function () {
      inFlight = false;
      if (pending) { pending = false; schedule(DELAY * 2); }
    });
  }

  function schedule(delay) {
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(save, delay);
  }

  function changed() {
    remember();
    say("Changes not saved yet…");
    schedule(DELAY);
  }

  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  form.addEventListener("submit", function () { if (timer) { clearTimeout(timer); } forget(); });
  // Leaving the page: send what is waiting, even as the page closes.
  window.addEventListener("pagehide", function () {
    if (timer && navigator.sendBeacon) {
      clearTimeout(timer);
      navigator.sendBeacon(url, fields());
    }
  });

  if (restore()) {
    say("We put back what you typed last time, which had not been saved. Saving it now…");
    schedule(200);
  }
})();
