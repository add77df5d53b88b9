/* The writer's desk in the article form: a live preview rendered by the server (the site's own renderer),
   autosave every few seconds (on the server for a saved article, in this browser for a new one), and the
   offer to restore a draft that is newer than the last save. Configured by #article-editor-config. */
(function () {
  "use strict";

  var PREVIEW_DELAY = 400;
  var AUTOSAVE_EVERY = 10000;

  function ready(callback) {
    if (document.readyState !== "loading") {
      callback();
    } else {
      document.addEventListener("DOMContentLoaded", callback);
    }
  }

  function readStrings() {
    var strings = {};
    var template = document.getElementById("article-editor-strings");
    if (template) {
      template.content.querySelectorAll("[data-key]").forEach(function (node) {
        strings[node.getAttribute("data-key")] = node.textContent.trim();
      });
    }
    return strings;
  }

  function clockLabel(date) {
    var minutes = String(date.getMinutes()).padStart(2, "0");
    return date.getHours() + "\u00a0h\u00a0" + minutes;
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  ready(function () {
    var body = document.querySelector('textarea[data-editor="markdown"]');
    var configNode = document.getElementById("article-editor-config");
    if (!body || !configNode || !body.form) return;
    var config = JSON.parse(configNode.textContent);
    var strings = readStrings();
    var form = body.form;
    var title = form.querySelector('[name="title"]');
    var excerpt = form.querySelector('[name="excerpt"]');
    var csrfInput = form.querySelector('input[name="csrfmiddlewaretoken"]');
    var csrf = csrfInput ? csrfInput.value : "";

    // --- Layout: the body's row becomes two columns (Markdown | preview) on wide screens ------------------
    var row = body.closest(".form-row") || body.parentNode;
    row.classList.add("fb-editor");
    var preview = element("section", "fb-preview");
    preview.setAttribute("aria-labelledby", "fb-preview-title");
    var heading = element("h2", "fb-preview__title", strings.preview || "Aperçu");
    heading.id = "fb-preview-title";
    var hint = element("p", "fb-preview__hint", strings.previewHint || "");
    var output = element("div", "fb-preview__body prose");
    output.setAttribute("data-preview", "");
    var previewError = element("p", "fb-preview__error");
    previewError.setAttribute("role", "status");
    preview.append(heading, hint, previewError, output);
    row.appendChild(preview);

    var status = element("p", "fb-autosave-status");
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    body.insertAdjacentElement("afterend", status);

    function post(url, fields) {
      var data = new FormData();
      Object.keys(fields).forEach(function (key) {
        data.append(key, fields[key]);
      });
      return fetch(url, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrf, Accept: "application/json" },
      }).then(function (response) {
        return response.json().then(function (json) {
          if (!response.ok) throw new Error(json.error || String(response.status));
          return json;
        });
      });
    }

    // --- Live preview, debounced ---------------------------------------------------------------------
    var previewTimer = null;
    var previewSeq = 0;
    function refreshPreview() {
      var seq = ++previewSeq;
      post(config.previewUrl, { body: body.value })
        .then(function (json) {
          if (seq !== previewSeq) return; // a newer request is on its way
          output.innerHTML = json.html; // rendered and sanitised by the server (render_markdown + nh3)
          previewError.textContent = "";
        })
        .catch(function (error) {
          if (seq !== previewSeq) return;
          previewError.textContent = error.message || strings.previewError || "";
        });
    }
    function schedulePreview() {
      window.clearTimeout(previewTimer);
      previewTimer = window.setTimeout(refreshPreview, PREVIEW_DELAY);
    }
    body.addEventListener("input", schedulePreview);
    refreshPreview();

    // --- Autosave ------------------------------------------------------------------------------------
    function snapshot() {
      return {
        title: title ? title.value : "",
        excerpt: excerpt ? excerpt.value : "",
        body: body.value,
      };
    }
    function same(a, b) {
      return a.title === b.title && a.excerpt === b.excerpt && a.body === b.body;
    }
    function fill(draft) {
      [
        [title, draft.title],
        [excerpt, draft.excerpt],
        [body, draft.body],
      ].forEach(function (pair) {
        if (pair[0] && typeof pair[1] === "string") {
          pair[0].value = pair[1];
          pair[0].dispatchEvent(new Event("input", { bubbles: true }));
        }
      });
      lastSaved = snapshot();
    }

    var lastSaved = snapshot();
    var inFlight = false;
    var stopped = false;

    function autosave() {
      if (stopped || inFlight) return;
      var current = snapshot();
      if (same(current, lastSaved)) return;
      if (config.autosaveUrl) {
        inFlight = true;
        post(config.autosaveUrl, current)
          .then(function (json) {
            lastSaved = current;
            status.textContent = json.status;
          })
          .catch(function (error) {
            status.textContent = strings.autosaveError || error.message;
          })
          .finally(function () {
            inFlight = false;
          });
      } else if (config.storageKey && current.body.trim()) {
        try {
          var saved = Object.assign({ savedAt: Date.now() }, current);
          window.localStorage.setItem(config.storageKey, JSON.stringify(saved));
          lastSaved = current;
          status.textContent = (strings.savedLocally || "").replace("%(time)s", clockLabel(new Date()));
        } catch (error) {
          // Private browsing or a full storage: the form still works, only the local draft is missing.
        }
      }
    }
    var autosaveTimer = window.setInterval(autosave, AUTOSAVE_EVERY);

    form.addEventListener("submit", function () {
      // The save itself is the newest state: no autosave may land after it, no local draft outlive it.
      stopped = true;
      window.clearInterval(autosaveTimer);
      if (config.storageKey) {
        try {
          window.localStorage.removeItem(config.storageKey);
        } catch (error) {
          /* nothing kept */
        }
      }
    });

    // --- Offer back a draft newer than the last save -------------------------------------------------
    function offer(message, draft, onIgnore) {
      var box = element("div", "fb-restore");
      box.setAttribute("role", "region");
      box.setAttribute("aria-label", strings.restore || "");
      var text = element("p", "", message);
      var restore = element("button", "button", strings.restore || "");
      restore.type = "button";
      var ignore = element("button", "button fb-restore__ignore", strings.ignore || "");
      ignore.type = "button";
      restore.addEventListener("click", function () {
        fill(draft);
        box.remove();
        body.focus();
      });
      ignore.addEventListener("click", function () {
        if (onIgnore) onIgnore();
        box.remove();
      });
      box.append(text, restore, ignore);
      var first = form.querySelector("fieldset");
      (first ? first.parentNode : form).insertBefore(box, first || form.firstChild);
    }

    if (config.pending && !same(config.pending, snapshot())) {
      offer((strings.pending || "").replace("%(time)s", config.pending.savedAt), config.pending);
    } else if (config.storageKey) {
      var stored = null;
      try {
        stored = JSON.parse(window.localStorage.getItem(config.storageKey) || "null");
      } catch (error) {
        stored = null;
      }
      if (stored && stored.body && !same(stored, snapshot())) {
        offer(strings.pendingLocal || "", stored, function () {
          window.localStorage.removeItem(config.storageKey);
        });
      }
    }
  });
})();
