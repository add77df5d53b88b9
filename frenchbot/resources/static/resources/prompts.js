/* Prompt page: the fill-in form updates the prompt's text as the visitor types, and « Copier le prompt » copies
   it. Without this script the form still fills the variables (GET, server-side) and the text can be selected. */
(function () {
  "use strict";

  function init() {
    var text = document.getElementById("prompt-text");
    if (!text) {
      return;
    }
    var marks = text.querySelectorAll("mark.prompt-var");
    var form = document.getElementById("prompt-fill");

    function update(input) {
      var index = input.getAttribute("data-var");
      var value = input.value.trim();
      marks.forEach(function (mark) {
        if (mark.getAttribute("data-var") === index) {
          mark.textContent = value || mark.getAttribute("data-placeholder");
          mark.classList.toggle("prompt-var--filled", value !== "");
        }
      });
    }

    if (form) {
      form.querySelectorAll("input[data-var]").forEach(function (input) {
        input.addEventListener("input", function () {
          update(input);
        });
        // Values the browser restored (back button) show at once.
        update(input);
      });
    }

    var button = document.getElementById("prompt-copy");
    var status = document.getElementById("prompt-copy-status");
    if (!button || !status) {
      return;
    }
    button.hidden = false;

    function announce(message) {
      // Emptied first, so that copying twice announces twice.
      status.textContent = "";
      window.setTimeout(function () {
        status.textContent = message;
      }, 50);
    }

    function selectText() {
      var range = document.createRange();
      range.selectNodeContents(text);
      var selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
    }

    function fallback() {
      selectText();
      var copied = false;
      try {
        copied = document.execCommand("copy");
      } catch (error) {
        copied = false;
      }
      announce(copied ? button.getAttribute("data-copied") : button.getAttribute("data-selected"));
    }

    button.addEventListener("click", function () {
      var content = text.textContent;
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(content).then(function () {
          announce(button.getAttribute("data-copied"));
        }, fallback);
      } else {
        fallback();
      }
    });
  }

  // The star button is replaced by htmx after a click: give the keyboard focus back to the new one.
  document.addEventListener("htmx:afterSettle", function (event) {
    var box = document.getElementById("prompt-fav");
    if (box && box.contains(event.target)) {
      var button = box.querySelector("button");
      if (button) {
        button.focus();
      }
    }
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
