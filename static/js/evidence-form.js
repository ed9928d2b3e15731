// Saves the evidence draft as the apprentice types, so nothing is lost if they leave the
// page or their session times out. What has not reached the server yet is kept in this
// tab's sessionStorage (cleared when the tab closes) and offered back on the next visit.
// The Save buttons send the draft the same way first and leave the page only once the
// server has it: a save that fails (signed out, no connection, a server error) keeps the
// tab's copy and says what to do. A file chosen but not uploaded stops the page leaving.
(function () {
  "use strict";
  var form = document.getElementById("evidence-form");
  if (!form || !window.fetch) { return; }
  var url = form.dataset.autosaveUrl;
  var key = "draft:" + form.dataset.draftKey;
  var status = document.getElementById("autosave-status");
  var fileInput = document.querySelector('input[type="file"][form="upload-form"]');
  var uploadForm = document.getElementById("upload-form");
  var uploading = false;
  var timer = null;
  var inFlight = false;
  var pending = false;
  var submitting = false;
  var DELAY = 1500;
  var SIGNED_OUT = "You have been signed out, so this was not saved. What you typed is kept " +
    "in this tab: sign in again and open this page, and it will be put back.";
  var SERVER_ERROR = "Not saved: something went wrong on our side. What you typed is kept " +
    "in this tab. Wait a minute and press Save again.";
  var OFFLINE = "Not saved: no connection. What you typed is kept in this tab. Check your " +
    "signal or Wi-Fi, then press Save again.";

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

  // Send the draft. Resolves to "saved", "refused" (the server gave reasons), "signed-out",
  // "server-error" or "offline", and says so in the status line.
  function send() {
    return fetch(url, {
      method: "POST",
      body: fields(),
      credentials: "same-origin",
      redirect: "manual",
      headers: { "X-Requested-With": "fetch" }
    }).then(function (response) {
      if (response.type === "opaqueredirect" || response.status === 403) {
        say(SIGNED_OUT);
        return "signed-out";
      }
      if (response.status >= 500) {
        say(SERVER_ERROR);
        return "server-error";
      }
      return response.json().then(function (body) {
        if (body.saved) {
          forget();
          say("Draft saved at " + body.saved_at + ".");
          return "saved";
        }
        say("Not saved: " + (body.errors || []).join(" "));
        return "refused";
      });
    }).catch(function () {
      say(OFFLINE);
      return "offline";
    });
  }

  function save() {
    timer = null;
    if (submitting) { return; }
    if (inFlight) { pending = true; return; }
    inFlight = true;
    say("Saving…");
    send().then(function (outcome) {
      inFlight = false;
      if (outcome === "offline") { pending = true; }
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
  form.addEventListener("submit", function (event) {
    if (form.dataset.confirmed === "yes") { return; }  // checked below: let it go
    event.preventDefault();
    if (timer) { clearTimeout(timer); timer = null; }
    if (fileInput && fileInput.files && fileInput.files.length) {
      say("You chose a file that is not uploaded yet. Press Upload to add it, or clear " +
          "the choice, then save again.");
      fileInput.focus();
      return;
    }
    var submitter = event.submitter;
    remember();
    submitting = true;
    say("Saving…");
    send().then(function (outcome) {
      submitting = false;
      if (outcome === "signed-out" || outcome === "server-error" || outcome === "offline") {
        return;  // the copy stays in this tab and the status line says what to do
      }
      // The server has the draft (or will show why it can't take it): now leave the page
      // the ordinary way, so it answers with its own page and message.
      form.dataset.confirmed = "yes";
      if (submitter && submitter.name) {
        var pressed = document.createElement("input");
        pressed.type = "hidden";
        pressed.name = submitter.name;
        pressed.value = submitter.value;
        form.appendChild(pressed);
      }
      // form.submit is the button named "submit" here, so call the form's own method.
      HTMLFormElement.prototype.submit.call(form);
    });
  });
  // Leaving the page: send what is waiting, even as the page closes.
  window.addEventListener("pagehide", function () {
    if (timer && navigator.sendBeacon) {
      clearTimeout(timer);
      navigator.sendBeacon(url, fields());
    }
  });
  if (uploadForm) { uploadForm.addEventListener("submit", function () { uploading = true; }); }
  // A file chosen but not uploaded would be lost by leaving: ask first.
  window.addEventListener("beforeunload", function (event) {
    if (uploading || form.dataset.confirmed === "yes") { return; }
    if (fileInput && fileInput.files && fileInput.files.length) {
      event.preventDefault();
      event.returnValue = "";
    }
  });

  if (restore()) {
    say("We put back what you typed last time, which had not been saved. Saving it now…");
    schedule(200);
  }
})();
