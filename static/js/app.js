// Small progressive enhancements. Every page works without this file.
(function () {
  "use strict";

  // Keys 1-9 answer the question on screen (its buttons are numbered), unless the
  // player is typing, holds a modifier, or has focus in another form.
  function isTyping(el) {
    if (!el) return false;
    var tag = el.tagName;
    return el.isContentEditable || tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT";
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.repeat) return;
    if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
    if (!/^[1-9]$/.test(event.key) || isTyping(document.activeElement)) return;
    var form = document.querySelector("form[data-answer-keys]");
    if (!form) return;
    var focused = document.activeElement;
    if (focused && focused.form && focused.form !== form) return;
    var button = form.querySelector('button[name="choice"][value="' + (Number(event.key) - 1) + '"]');
    if (!button || button.disabled) return;
    event.preventDefault();
    button.click();
  });

  // "Tip: press 1, 2, 3, 4" only where the keys work: with this script, and a keyboard
  // that is not a touch screen's (a fine pointer that can hover).
  function showKeyHints() {
    if (!window.matchMedia("(hover: hover) and (pointer: fine)").matches) return;
    document.querySelectorAll("[data-key-hint]").forEach(function (hint) {
      hint.hidden = false;
    });
  }
  document.addEventListener("DOMContentLoaded", showKeyHints);
  document.addEventListener("htmx:afterSettle", showKeyHints);

  // After htmx swaps in a question or its feedback, move focus to its heading so
  // keyboard and screen-reader users land on what changed.
  document.addEventListener("htmx:afterSwap", function () {
    var target = document.querySelector("#play-card [data-focus-on-swap]");
    if (target) target.focus();
  });

  // The server answers a refused answer with 400/409 and a card that explains it:
  // show that card instead of ignoring the response (htmx skips 4xx swaps by default).
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    if ((status === 400 || status === 409) && event.detail.target && event.detail.target.id === "play-card") {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  // A countdown for timed quizzes. Display only: the server enforces the deadline.
  var timerId = null;
  function startTimer() {
    var el = document.querySelector("time[data-seconds-left]");
    if (timerId !== null) window.clearInterval(timerId);
    timerId = null;
    if (!el) return;
    var end = Date.now() + Number(el.getAttribute("data-seconds-left")) * 1000;
    function tick() {
      var left = Math.max(0, Math.round((end - Date.now()) / 1000));
      var minutes = Math.floor(left / 60);
      var seconds = left % 60;
      el.textContent = minutes + ":" + (seconds < 10 ? "0" : "") + seconds;
      if (left === 0) {
        window.clearInterval(timerId);
        window.location.assign(el.getAttribute("data-results-url"));
      }
    }
    tick();
    timerId = window.setInterval(tick, 1000);
  }
  document.addEventListener("DOMContentLoaded", startTimer);
  document.addEventListener("htmx:afterSettle", startTimer);

  // "Copy link" buttons (hidden without JavaScript; the field stays selectable).
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-copy]").forEach(function (button) {
      var field = document.querySelector(button.getAttribute("data-copy"));
      if (!field || !navigator.clipboard) return;
      button.hidden = false;
      button.addEventListener("click", function () {
        navigator.clipboard.writeText(field.value).then(function () {
          button.textContent = "Copied";
        });
      });
    });
  });
})();
