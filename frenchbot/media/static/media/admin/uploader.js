/* Images into an article's Markdown: on every textarea carrying data-media-upload (the upload address), a
   « Insérer une image » button and drag and drop open a small dialog asking for the file and its alt text; the
   image goes to the media library, and its Markdown is inserted where the cursor was. No inline script (the
   admin's CSP allows scripts from the site only). */
(function () {
  "use strict";

  var MESSAGES = {
    button: "Insérer une image",
    dialogTitle: "Insérer une image",
    file: "Image (JPEG, PNG, WebP, GIF ou AVIF)",
    alt: "Texte alternatif (obligatoire)",
    altHelp: "Ce que l’image montre, pour qui ne la voit pas.",
    submit: "Envoyer et insérer",
    cancel: "Annuler",
    dropHint: "Déposez l’image ici pour l’insérer dans le texte.",
    noFile: "Choisissez une image à envoyer.",
    noAlt: "Décrivez l’image en quelques mots\u00a0: le texte alternatif est obligatoire.",
    sending: "Envoi de l’image en cours…",
    sendingPercent: "Envoi de l’image\u00a0: {percent}\u00a0%",
    done: "Image insérée dans le texte.",
    failed: "L’image n’a pas pu être envoyée. Vérifiez votre connexion, puis réessayez.",
    expired: "Votre session a expiré ou la page est trop ancienne\u00a0: rechargez la page, puis réessayez.",
    chosen: "Fichier choisi\u00a0: {name}"
  };

  var counter = 0;

  function csrfToken(textarea) {
    var form = textarea.form || document;
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    if (input) return input.value;
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function element(tag, attributes, text) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) {
      node.setAttribute(name, attributes[name]);
    });
    if (text) node.textContent = text;
    return node;
  }

  function insertAtCursor(textarea, text) {
    var start = textarea.selectionStart || 0;
    var end = textarea.selectionEnd || 0;
    var before = textarea.value.slice(0, start);
    var after = textarea.value.slice(end);
    // An image is a paragraph of its own: blank lines around it unless there already are.
    var prefix = before === "" || /\n\n$/.test(before) ? "" : /\n$/.test(before) ? "\n" : "\n\n";
    var suffix = after === "" || /^\n\n/.test(after) ? "" : /^\n/.test(after) ? "\n" : "\n\n";
    var inserted = prefix + text + suffix;
    textarea.focus();
    textarea.setRangeText(inserted, start, end, "end");
    // The editor (preview, autosave) listens to what is typed: tell it.
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function attach(textarea) {
    if (textarea.dataset.mediaUploaderReady) return;
    textarea.dataset.mediaUploaderReady = "1";
    var id = "media-uploader-" + ++counter;
    var url = textarea.getAttribute("data-media-upload");
    var droppedFile = null;

    var bar = element("div", { class: "media-uploader" });
    var button = element("button", { type: "button", class: "button media-uploader__open" }, MESSAGES.button);
    var status = element("p", { class: "media-uploader__status", role: "status", "aria-live": "polite", id: id + "-status" });
    bar.appendChild(button);
    bar.appendChild(status);
    textarea.insertAdjacentElement("afterend", bar);
    textarea.setAttribute("aria-describedby", ((textarea.getAttribute("aria-describedby") || "") + " " + id + "-status").trim());

    var dialog = element("dialog", { class: "media-uploader__dialog", "aria-labelledby": id + "-title" });
    var form = element("form", { method: "dialog", novalidate: "novalidate" });
    form.appendChild(element("h2", { id: id + "-title" }, MESSAGES.dialogTitle));
    var fileLabel = element("label", { for: id + "-file" }, MESSAGES.file);
    var fileInput = element("input", {
      type: "file", id: id + "-file", accept: "image/jpeg,image/png,image/webp,image/gif,image/avif"
    });
    var chosen = element("p", { class: "media-uploader__chosen", id: id + "-chosen" });
    var altLabel = element("label", { for: id + "-alt" }, MESSAGES.alt);
    var altInput = element("input", {
      type: "text", id: id + "-alt", maxlength: "250", required: "required", "aria-describedby": id + "-alt-help " + id + "-error"
    });
    var altHelp = element("p", { class: "help", id: id + "-alt-help" }, MESSAGES.altHelp);
    var error = element("p", { class: "media-uploader__error errornote", id: id + "-error", role: "alert" });
    error.hidden = true;
    var actions = element("div", { class: "media-uploader__actions" });
    var submit = element("button", { type: "submit", class: "button default" }, MESSAGES.submit);
    var cancel = element("button", { type: "button", class: "button" }, MESSAGES.cancel);
    actions.appendChild(submit);
    actions.appendChild(cancel);
    [fileLabel, fileInput, chosen, altLabel, altInput, altHelp, error, actions].forEach(function (node) {
      form.appendChild(node);
    });
    dialog.appendChild(form);
    document.body.appendChild(dialog);

    function showError(message) {
      error.textContent = message;
      error.hidden = !message;
    }

    function open(file) {
      droppedFile = file || null;
      fileInput.value = "";
      altInput.value = "";
      chosen.textContent = droppedFile ? MESSAGES.chosen.replace("{name}", droppedFile.name) : "";
      showError("");
      submit.disabled = false;
      dialog.showModal();
      (droppedFile ? altInput : fileInput).focus();
    }

    function close() {
      dialog.close();
      button.focus();
    }

    fileInput.addEventListener("change", function () {
      droppedFile = null;
      chosen.textContent = "";
    });
    button.addEventListener("click", function () { open(null); });
    cancel.addEventListener("click", close);

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var file = droppedFile || (fileInput.files && fileInput.files[0]);
      var alt = altInput.value.trim();
      if (!file) { showError(MESSAGES.noFile); fileInput.focus(); return; }
      if (!alt) { showError(MESSAGES.noAlt); altInput.focus(); return; }
      showError("");
      submit.disabled = true;
      status.textContent = MESSAGES.sending;
      var data = new FormData();
      data.append("file", file, file.name);
      data.append("alt", alt);
      fetch(url, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(textarea), Accept: "application/json" }
      })
        .then(function (response) {
          var type = response.headers.get("Content-Type") || "";
          if (type.indexOf("application/json") === -1) {
            throw new Error(response.status === 403 ? MESSAGES.expired : MESSAGES.failed);
          }
          return response.json().then(function (body) {
            if (!response.ok) throw new Error(body.detail || MESSAGES.failed);
            return body;
          });
        })
        .then(function (body) {
          close();
          insertAtCursor(textarea, body.markdown);
          status.textContent = MESSAGES.done;
        })
        .catch(function (failure) {
          var message = failure && failure.message && failure.message !== "Failed to fetch" ? failure.message : MESSAGES.failed;
          showError(message);
          status.textContent = message;
          submit.disabled = false;
        });
    });

    // Drag and drop onto the textarea: the dialog opens with the file, asking for its alt text.
    textarea.addEventListener("dragover", function (event) {
      if (event.dataTransfer && Array.prototype.indexOf.call(event.dataTransfer.types, "Files") !== -1) {
        event.preventDefault();
        textarea.classList.add("media-uploader--over");
        status.textContent = MESSAGES.dropHint;
      }
    });
    textarea.addEventListener("dragleave", function () {
      textarea.classList.remove("media-uploader--over");
    });
    textarea.addEventListener("drop", function (event) {
      textarea.classList.remove("media-uploader--over");
      var files = event.dataTransfer && event.dataTransfer.files;
      if (!files || !files.length) return;
      event.preventDefault();
      status.textContent = "";
      open(files[0]);
    });
  }

  function init() {
    document.querySelectorAll("textarea[data-media-upload]").forEach(attach);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
