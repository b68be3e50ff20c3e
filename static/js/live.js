// The live game's countdowns. The server holds every answer window; this only shows it.
(function () {
  "use strict";

  function start(root) {
    (root || document).querySelectorAll("[data-remaining-ms]").forEach(function (el) {
      if (!el.dataset.endsAt) el.dataset.endsAt = String(Date.now() + Number(el.dataset.remainingMs));
    });
  }

  function tick() {
    document.querySelectorAll("[data-ends-at]").forEach(function (el) {
      var left = Math.max(0, Math.ceil((Number(el.dataset.endsAt) - Date.now()) / 1000));
      if (el.textContent !== String(left)) el.textContent = String(left);
      if (left === 0) {
        var form = document.querySelector("#answer-area button") && document.getElementById("answer-area");
        if (form) form.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () { start(); });
  document.addEventListener("htmx:oobAfterSwap", function () { start(); });
  document.addEventListener("htmx:wsAfterMessage", function () { start(); });
  // After an answer is sent, keep a second press (or a key) from sending another one.
  document.addEventListener("htmx:wsAfterSend", function (event) {
    var form = document.getElementById("answer-area");
    if (form && form.tagName === "FORM") form.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
  });
  setInterval(tick, 250);
})();
