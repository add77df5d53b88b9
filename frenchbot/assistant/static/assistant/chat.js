/* The bot's chat: the widget on every page and the full page /assistant/.
 * Answers stream over Server-Sent Events read from a fetch() body (EventSource cannot POST).
 * Text arrives as plain text while it streams; the final answer replaces it with the server's sanitised HTML.
 * Typed events (trainings, slots, form) draw what the visitor can do right in the conversation; the same actions
 * come back in `done` and in a restored conversation. Everything from the server is set with textContent, except
 * the answer's `html`, which the server sanitised.
 * Without JavaScript the same form posts to /assistant/ and the answer comes back in the page. */
(function () {
  "use strict";

  var STORAGE_KEY = "fb-conversation";
  var OPEN_KEY = "fb-chat-open";
  var API = "/api/assistant";
  var MAX_SLOTS = 6;
  var T = {
    fr: {
      you: "Vous", bot: "The French Bot", who: "Réponse de l'IA · ", sources: "Sources",
      next: "Pour aller plus loin", copy: "Copier", copied: "Copié", useful: "Utile", notUseful: "Pas utile",
      thanks: "Merci pour votre avis.", commentThanks: "Merci\u00a0: votre commentaire est transmis à l'équipe.", commentLabel: "Qu'est-ce qui n'allait pas\u00a0? (facultatif)",
      send: "Envoyer l'avis", stopped: "Réponse interrompue.", network: "La connexion a été coupée. Réessayez dans un instant.",
      empty: "Posez une question\u00a0: le champ est vide.", typing: "Le bot écrit…",
      trainings: "Nos formations", slots: "Créneaux proposés", chosen: "Créneau choisi\u00a0: ",
      name: "Votre nom", email: "Votre e-mail", book: "Réserver ce créneau", allSlots: "Voir tous les créneaux",
      bookingNext: "Vous recevrez une confirmation par e-mail.", handoffNext: "L'équipe vous répond par e-mail.",
      sending: "Envoi…", booked: "Rendez-vous réservé\u00a0: ", sent: "Message transmis à l'équipe.",
      noSlot: "Plus aucun créneau libre ici\u00a0: voyez tous les créneaux.", pickSlot: "Choisissez d'abord un créneau.",
      newsletterNext: "Vous recevrez un e-mail pour confirmer votre inscription.", subscribe: "M'inscrire",
      subscribed: "Inscription enregistrée\u00a0: confirmez-la depuis l'e-mail reçu.", lists: "Listes\u00a0: "
    },
    en: {
      you: "You", bot: "The French Bot", who: "AI answer · ", sources: "Sources",
      next: "Next steps", copy: "Copy", copied: "Copied", useful: "Useful", notUseful: "Not useful",
      thanks: "Thank you for your feedback.", commentThanks: "Thank you: your comment was passed on to the team.", commentLabel: "What was wrong? (optional)",
      send: "Send feedback", stopped: "Answer stopped.", network: "The connection was lost. Please try again.",
      empty: "Please type a question.", typing: "The bot is typing…",
      trainings: "Our trainings", slots: "Available times", chosen: "Chosen time: ",
      name: "Your name", email: "Your e-mail", book: "Book this time", allSlots: "See all times",
      bookingNext: "You will receive a confirmation by e-mail.", handoffNext: "The team will answer by e-mail.",
      sending: "Sending…", booked: "Booked: ", sent: "Message sent to the team.",
      noSlot: "No free time left here: see all times.", pickSlot: "Please choose a time first.",
      newsletterNext: "You will receive an e-mail to confirm your subscription.", subscribe: "Subscribe",
      subscribed: "Subscription recorded: confirm it from the e-mail you receive.", lists: "Lists: "
    }
  };
  var lang = (document.documentElement.lang || "fr").slice(0, 2);
  var t = T[lang] || T.fr;
  var uid = 0;

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function nextId(prefix) {
    uid += 1;
    return prefix + "-" + uid;
  }

  function csrfToken(form) {
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function visitorTimezone() {
    try { return Intl.DateTimeFormat().resolvedOptions().timeZone || "Europe/Paris"; } catch (e) { return "Europe/Paris"; }
  }

  // Only links of our own site or plain web links are followed; anything else (javascript:…) is dropped.
  function safeUrl(url) {
    if (typeof url !== "string") return "";
    if (url.charAt(0) === "/" && url.charAt(1) !== "/") return url;
    return /^https?:\/\//i.test(url) ? url : "";
  }

  function readJson(response) {
    return response.json().catch(function () { return {}; }).then(function (data) { return [response, data || {}]; });
  }

  function Chat(root) {
    this.root = root;
    this.log = root.querySelector("[data-chat-log]");
    this.form = root.querySelector("[data-chat-form]");
    this.input = root.querySelector("[data-chat-input]");
    this.error = root.querySelector("[data-chat-error]");
    this.sendButton = root.querySelector("[data-chat-send]");
    this.stopButton = root.querySelector("[data-chat-stop]");
    this.conversationField = root.querySelector("[data-chat-conversation]");
    this.isPage = root.hasAttribute("data-chat-page");
    this.controller = null;
    this.restored = false;
    // Scrolling: the log follows a new answer only while the visitor has not scrolled away to read.
    this.following = true;
    this.autoTop = -1;
    var self = this;
    this.form.addEventListener("submit", function (event) {
      event.preventDefault();
      self.ask();
    });
    this.input.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        self.ask();
      }
    });
    if (!this.isPage) {
      // The widget's question field starts on one line and grows with what is typed (up to its CSS max-height).
      this.input.addEventListener("input", function () { self.fitInput(); });
    }
    this.stopButton.addEventListener("click", function () {
      if (self.controller) self.controller.abort();
    });
    this.log.addEventListener("click", function (event) { self.onLogClick(event); });
    this.log.addEventListener("scroll", function () {
      // A scroll we did not make is the visitor's: follow again only once they are back at the bottom.
      if (Math.abs(self.log.scrollTop - self.autoTop) > 2) self.following = self.atBottom();
    }, { passive: true });
  }

  Chat.prototype.fitInput = function () {
    this.input.style.height = "auto";
    if (this.input.value) this.input.style.height = (this.input.scrollHeight + 4) + "px";
  };

  Chat.prototype.conversationId = function () {
    var field = (this.conversationField && this.conversationField.value) || "";
    // The full page shows one conversation (the one in its address); the widget resumes the last one.
    if (this.isPage) return field;
    try { return field || window.localStorage.getItem(STORAGE_KEY) || ""; } catch (e) { return field; }
  };

  Chat.prototype.remember = function (id) {
    if (this.conversationField) this.conversationField.value = id;
    try { window.localStorage.setItem(STORAGE_KEY, id); } catch (e) { /* private mode */ }
    this.linkFullPage();
  };

  // The widget's « Pleine page » link opens the same conversation on /assistant/.
  Chat.prototype.linkFullPage = function () {
    var link = this.root.querySelector("[data-chat-full]");
    if (!link) return;
    var id = this.conversationId();
    link.href = link.pathname + (id ? "?c=" + encodeURIComponent(id) : "");
  };

  Chat.prototype.forget = function () {
    if (this.conversationField) this.conversationField.value = "";
    try { window.localStorage.removeItem(STORAGE_KEY); } catch (e) { /* private mode */ }
    this.linkFullPage();
  };

  Chat.prototype.request = function (method, url, body, accept, signal) {
    return fetch(url, {
      method: method,
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        "Accept": accept || "application/json",
        "X-CSRFToken": csrfToken(this.form)
      },
      body: body ? JSON.stringify(body) : undefined,
      signal: signal
    });
  };

  Chat.prototype.restore = function () {
    if (this.restored || this.isPage) return;
    this.restored = true;
    var id = this.conversationId();
    if (!id) return;
    var self = this;
    fetch(API + "/conversations/" + encodeURIComponent(id), { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { self.forget(); return null; }
        return response.json();
      })
      .then(function (data) {
        if (!data || !data.messages || !data.messages.length) return;
        self.log.textContent = "";
        var lastAnswer = -1;
        data.messages.forEach(function (message, index) { if (message.role !== "user") lastAnswer = index; });
        var last = null;
        data.messages.forEach(function (message, index) {
          if (message.role === "user") { self.addQuestion(message.content); return; }
          // Older offers may be stale (a slot taken since): actions are drawn under the last answer only.
          var shown = index === lastAnswer ? message : Object.assign({}, message, { actions: [] });
          last = self.addAnswer(message.provider, false);
          self.fillAnswer(last, shown);
        });
        if (last) self.reveal(last);
      })
      .catch(function () { /* offline: start afresh */ });
  };

  Chat.prototype.addQuestion = function (text) {
    var article = el("article", "chat__message chat__message--user");
    article.appendChild(el("h3", "visually-hidden", t.you));
    article.appendChild(el("p", "chat__text", text));
    this.log.appendChild(article);
    return article;
  };

  Chat.prototype.addAnswer = function (provider, typing) {
    var article = el("article", "chat__message chat__message--assistant");
    article.appendChild(el("h3", "visually-hidden", t.bot));
    if (provider) article.appendChild(el("p", "chat__who", t.who + provider));
    var text = el("div", "chat__text");
    if (typing) {
      // Three dots while the first word is awaited; screen readers hear the status text instead.
      var dots = el("p", "chat__typing");
      dots.setAttribute("role", "status");
      var shape = el("span", "chat__dots");
      shape.setAttribute("aria-hidden", "true");
      for (var i = 0; i < 3; i += 1) shape.appendChild(el("span"));
      dots.appendChild(shape);
      dots.appendChild(el("span", "visually-hidden", t.typing));
      text.appendChild(dots);
    }
    text.appendChild(el("p", "chat__streaming" + (typing ? " chat__streaming--waiting" : "")));
    article.appendChild(text);
    article.appendChild(el("div", "chat__offers"));
    this.log.appendChild(article);
    return article;
  };

  Chat.prototype.stopTyping = function (article) {
    var typing = article.querySelector(".chat__typing");
    if (typing) typing.remove();
    var live = article.querySelector(".chat__streaming");
    if (live) live.classList.remove("chat__streaming--waiting");
  };

  // --- Scrolling -------------------------------------------------------------------------------------------------

  Chat.prototype.atBottom = function () {
    return this.log.scrollHeight - this.log.scrollTop - this.log.clientHeight < 24;
  };

  Chat.prototype.scrollable = function () {
    return !this.isPage && this.log.clientHeight > 0;
  };

  // A new message: bring it into view whatever the visitor was reading (they just asked, or just booked).
  Chat.prototype.reveal = function (article) {
    this.following = true;
    if (!this.scrollable()) {
      if (article && article.scrollIntoView) article.scrollIntoView({ block: "nearest" });
      return;
    }
    this.keepInView(article);
  };

  // As an answer grows: follow it down, but never so far that its first line leaves the top of the log.
  Chat.prototype.keepInView = function (article) {
    if (!this.following || !this.scrollable() || !article) return;
    var log = this.log;
    var top = article.getBoundingClientRect().top - log.getBoundingClientRect().top + log.scrollTop - 8;
    var bottom = log.scrollHeight - log.clientHeight;
    var target = Math.max(0, Math.min(bottom, top));
    if (Math.abs(target - log.scrollTop) < 1) return;
    log.scrollTop = target;
    this.autoTop = log.scrollTop;
  };

  // --- Drawing an answer -----------------------------------------------------------------------------------------

  Chat.prototype.fillAnswer = function (article, data) {
    this.stopTyping(article);
    var who = article.querySelector(".chat__who");
    if (!who && data.provider) {
      who = el("p", "chat__who", t.who + data.provider);
      article.insertBefore(who, article.querySelector(".chat__text"));
    }
    if (data.id || data.message_id) {
      var id = data.id || data.message_id;
      article.id = "message-" + id;
      article.setAttribute("data-message-id", id);
    }
    var text = article.querySelector(".chat__text");
    // The server rendered this HTML from Markdown through a strict allow-list (no script, no image, own links).
    if (data.html) text.innerHTML = data.html;
    else if (!text.textContent && (data.text || data.content)) text.appendChild(el("p", "", data.text || data.content));
    var live = text.querySelector(".chat__streaming");
    if (live && !live.textContent) live.remove();
    article.setAttribute("data-text", data.text || data.content || "");
    if (data.status === "stopped") article.appendChild(el("p", "chat__note", t.stopped));
    // The search index is still being prepared (a first start): the server says so in one sentence.
    if (data.notice) article.appendChild(el("p", "chat__note", data.notice));
    if (data.error) {
      var note = el("p", "chat__note chat__note--error", data.error);
      note.setAttribute("role", "alert");
      article.appendChild(note);
    }
    // Actions already drawn from the stream's typed events are not drawn twice; `done` repeats them all.
    var actions = data.actions || [];
    var drawn = parseInt(article.getAttribute("data-actions") || "0", 10);
    for (var i = drawn; i < actions.length; i += 1) this.addAction(article, actions[i]);
    if (data.sources && data.sources.length) {
      var box = el("div", "chat__sources");
      box.appendChild(el("h4", "", t.sources));
      var list = el("ul");
      data.sources.forEach(function (source) {
        var href = safeUrl(source.url);
        if (!href) return;
        var item = el("li");
        var link = el("a", "chat__source");
        link.href = href;
        link.appendChild(el("span", "chat__source-label", source.label));
        link.appendChild(document.createTextNode(" " + source.title + (source.heading ? " — " + source.heading : "")));
        item.appendChild(link);
        list.appendChild(item);
      });
      box.appendChild(list);
      article.appendChild(box);
    }
    if (data.suggestions && data.suggestions.length) {
      var steps = el("ul", "chat__next");
      steps.setAttribute("aria-label", t.next);
      data.suggestions.forEach(function (step) {
        var href = safeUrl(step.url);
        if (!href) return;
        var item = el("li");
        var link = el("a", "chat__chip" + (step.kind === "audit" ? " chat__chip--accent" : ""), step.label);
        link.href = href;
        item.appendChild(link);
        steps.appendChild(item);
      });
      article.appendChild(steps);
    }
    if ((data.id || data.message_id) && (data.text || data.content) && data.status !== "error") {
      this.addTools(article, data.rating);
    }
    this.keepInView(article);
  };

  // One action under an answer; a type this version does not know (one a later version adds) is skipped.
  Chat.prototype.addAction = function (article, action) {
    var count = parseInt(article.getAttribute("data-actions") || "0", 10);
    article.setAttribute("data-actions", String(count + 1));
    if (!action || typeof action !== "object") return;
    var box = article.querySelector(".chat__offers");
    var node = null;
    if (action.type === "trainings") node = this.drawTrainings(action);
    else if (action.type === "slots") node = this.drawSlots(action);
    else if (action.type === "form" && action.form === "handoff") node = this.drawHandoff(action);
    else if (action.type === "form" && action.form === "newsletter") node = this.drawNewsletter(action);
    if (node) box.appendChild(node);
  };

  Chat.prototype.drawTrainings = function (action) {
    var items = action.trainings || [];
    if (!items.length) return null;
    var list = el("ul", "chat__cards");
    list.setAttribute("aria-label", t.trainings);
    items.forEach(function (training) {
      var card = el("li", "chat__card");
      var title = el("p", "chat__card-title");
      var href = safeUrl(training.url);
      if (href) {
        var link = el("a", "", training.title);
        link.href = href;
        title.appendChild(link);
      } else {
        title.textContent = training.title;
      }
      card.appendChild(title);
      var facts = [training.audience, training.duration].filter(Boolean).join(" · ");
      if (facts) card.appendChild(el("p", "chat__card-meta", facts));
      if (training.price) card.appendChild(el("p", "chat__card-price", training.price));
      if (training.summary) card.appendChild(el("p", "chat__card-summary", training.summary));
      list.appendChild(card);
    });
    return list;
  };

  // Small helpers for the inline forms: a labelled field with its own error line next to it.
  function field(form, spec) {
    var id = nextId("chat-field");
    var wrap = el("div", "chat__field" + (spec.type === "checkbox" ? " chat__field--check" : ""));
    var input;
    if (spec.type === "textarea") {
      input = el("textarea");
      input.rows = 2;
      input.maxLength = 2000;
    } else {
      input = el("input");
      input.type = spec.type || "text";
      if (spec.autocomplete) input.autocomplete = spec.autocomplete;
      if (input.type !== "checkbox") input.maxLength = spec.type === "email" ? 254 : 200;
    }
    input.id = id;
    input.name = spec.name;
    if (spec.required) input.setAttribute("aria-required", "true");
    var label = el("label", "", spec.label);
    label.htmlFor = id;
    var error = el("p", "chat__field-error");
    error.id = id + "-error";
    if (spec.type === "checkbox") {
      wrap.appendChild(input);
      wrap.appendChild(label);
    } else {
      wrap.appendChild(label);
      wrap.appendChild(input);
    }
    wrap.appendChild(error);
    form.fields[spec.name] = { input: input, error: error };
    return wrap;
  }

  function inlineForm(className) {
    var form = el("form", "chat__inline-form " + className);
    form.noValidate = true;
    form.fields = {};
    return form;
  }

  function values(form) {
    var out = {};
    Object.keys(form.fields).forEach(function (name) {
      var input = form.fields[name].input;
      out[name] = input.type === "checkbox" ? input.checked : input.value.trim();
    });
    return out;
  }

  function clearErrors(form) {
    Object.keys(form.fields).forEach(function (name) {
      var f = form.fields[name];
      f.error.textContent = "";
      f.input.removeAttribute("aria-invalid");
      f.input.removeAttribute("aria-describedby");
    });
    form.alert.textContent = "";
  }

  // Show a refusal: next to its field when there is one (the field gets focus and describes it), else above the
  // button; the alert line announces it either way. What the visitor typed stays.
  function showErrors(form, data, fallback) {
    var errors = data.errors && typeof data.errors === "object" && !Array.isArray(data.errors) ? Object.assign({}, data.errors) : {};
    if (data.field && form.fields[data.field] && !errors[data.field] && data.detail) errors[data.field] = data.detail;
    var first = null;
    Object.keys(errors).forEach(function (name) {
      var f = form.fields[name];
      if (!f) return;
      f.error.textContent = errors[name];
      f.input.setAttribute("aria-invalid", "true");
      f.input.setAttribute("aria-describedby", f.error.id);
      if (!first) first = f.input;
    });
    form.alert.textContent = data.detail || fallback || t.network;
    if (first) first.focus();
  }

  function formFoot(form, next, label) {
    form.alert = el("p", "chat__form-alert");
    form.alert.setAttribute("role", "alert");
    form.appendChild(form.alert);
    form.appendChild(el("p", "chat__form-next", next));
    form.submitButton = el("button", "chat__submit", label);
    form.submitButton.type = "submit";
    form.appendChild(form.submitButton);
  }

  Chat.prototype.drawSlots = function (action) {
    var self = this;
    var submit = safeUrl(action.submit);
    var box = el("section", "chat__booking");
    var titleId = nextId("chat-slots");
    var title = el("h4", "chat__offer-title", (action.title || t.slots) + (action.timezone_label ? " (" + action.timezone_label + ")" : ""));
    title.id = titleId;
    box.setAttribute("aria-labelledby", titleId);
    box.appendChild(title);
    var chips = el("ul", "chat__chips");
    box.appendChild(chips);
    var all = safeUrl(action.url);
    var more = null;
    if (all) {
      more = el("p", "chat__offer-more");
      var link = el("a", "", t.allSlots);
      link.href = all;
      more.appendChild(link);
    }
    var form = inlineForm("chat__booking-form");
    form.hidden = true;
    var chosen = el("p", "chat__chosen");
    form.appendChild(chosen);
    form.appendChild(field(form, { name: "name", label: t.name, type: "text", autocomplete: "name", required: true }));
    form.appendChild(field(form, { name: "email", label: t.email, type: "email", autocomplete: "email", required: true }));
    form.appendChild(field(form, { name: "consent", label: action.consent_text || "", type: "checkbox", required: true }));
    formFoot(form, t.bookingNext, t.book);
    box.appendChild(form);
    if (more) box.appendChild(more);
    var picked = null;

    function drawChips(slots) {
      chips.textContent = "";
      picked = null;
      (slots || []).slice(0, MAX_SLOTS).forEach(function (slot) {
        var item = el("li");
        var chip = el("button", "chat__chip chat__chip--slot", slot.label);
        chip.type = "button";
        chip.setAttribute("aria-pressed", "false");
        chip.addEventListener("click", function () { pick(slot, chip); });
        item.appendChild(chip);
        chips.appendChild(item);
      });
      if (!chips.children.length) chips.appendChild(el("li", "chat__note", t.noSlot));
    }

    function pick(slot, chip) {
      picked = slot;
      chips.querySelectorAll("button").forEach(function (b) { b.setAttribute("aria-pressed", String(b === chip)); });
      chosen.textContent = t.chosen + slot.label;
      var opening = form.hidden;
      form.hidden = false;
      form.alert.textContent = "";
      if (opening) form.fields.name.input.focus();
      self.keepInView(box.closest(".chat__message"));
    }

    drawChips(action.slots);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (form.busy) return;
      clearErrors(form);
      if (!picked) { form.alert.textContent = t.pickSlot; return; }
      var typed = values(form);
      self.sendForm(form, submit, {
        event_type: action.event_type, start: picked.start, name: typed.name, email: typed.email,
        consent: typed.consent, timezone: visitorTimezone()
      }, t.book, function (response, data) {
        if (response.status === 201) {
          var label = data.booking && data.booking.label ? data.booking.label : picked.label;
          box.textContent = "";
          box.appendChild(title);
          box.appendChild(el("p", "chat__done", t.booked + label));
          if (data.message) self.appendMessage(data.message);
          return;
        }
        if (response.status === 409) {
          // The slot went to someone else: fresh chips, the form keeps the name, e-mail and consent.
          drawChips(data.slots);
          chosen.textContent = "";
          form.alert.textContent = data.detail || t.network;
          var firstChip = chips.querySelector("button");
          if (firstChip) firstChip.focus();
          return;
        }
        showErrors(form, data);
      });
    });
    return box;
  };

  // Posts an inline form's values; the button says so meanwhile, and gets `label` back once answered.
  Chat.prototype.sendForm = function (form, url, body, label, onAnswer) {
    form.busy = true;
    form.submitButton.disabled = true;
    form.submitButton.textContent = t.sending;
    this.request("POST", url, body).then(readJson).then(function (pair) {
      onAnswer(pair[0], pair[1]);
    }).catch(function () {
      form.alert.textContent = t.network;
    }).then(function () {
      form.busy = false;
      form.submitButton.disabled = false;
      form.submitButton.textContent = label;
    });
  };

  Chat.prototype.drawHandoff = function (action) {
    var self = this;
    var submit = safeUrl(action.submit);
    var form = inlineForm("chat__handoff-form");
    (action.fields || []).forEach(function (spec) {
      if (!spec || !spec.name) return;
      var type = spec.type === "email" || spec.type === "textarea" ? spec.type : "text";
      var auto = spec.name === "name" ? "name" : (spec.name === "email" ? "email" : "");
      form.appendChild(field(form, { name: spec.name, label: spec.label, type: type, autocomplete: auto, required: spec.required }));
    });
    form.appendChild(field(form, { name: "consent", label: action.consent_text || "", type: "checkbox", required: true }));
    formFoot(form, t.handoffNext, action.submit_label || t.send);
    var label = action.submit_label || t.send;
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (form.busy) return;
      clearErrors(form);
      self.sendForm(form, submit, values(form), label, function (response, data) {
        if (response.status === 201) {
          var done = el("p", "chat__done", t.sent);
          form.replaceWith(done);
          if (data.message) self.appendMessage(data.message);
          return;
        }
        showErrors(form, data);
      });
    });
    return form;
  };

  // The letter's sign-up: the e-mail and the consent; the default lists are named above the button.
  Chat.prototype.drawNewsletter = function (action) {
    var self = this;
    var submit = safeUrl(action.submit);
    var form = inlineForm("chat__newsletter-form");
    form.appendChild(field(form, { name: "email", label: t.email, type: "email", autocomplete: "email", required: true }));
    form.appendChild(field(form, { name: "consent", label: action.consent_text || "", type: "checkbox", required: true }));
    if (action.lists && action.lists.length) form.appendChild(el("p", "chat__form-lists", t.lists + action.lists.join(", ")));
    var label = action.submit_label || t.subscribe;
    formFoot(form, action.next || t.newsletterNext, label);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (form.busy) return;
      clearErrors(form);
      self.sendForm(form, submit, values(form), label, function (response, data) {
        if (response.status === 201) {
          form.replaceWith(el("p", "chat__done", t.subscribed));
          if (data.message) self.appendMessage(data.message);
          return;
        }
        showErrors(form, data);
      });
    });
    return form;
  };

  // A message the server wrote after an action (a booking's confirmation, a handoff's acknowledgement).
  Chat.prototype.appendMessage = function (message) {
    var article = this.addAnswer(message.provider, false);
    this.reveal(article);
    this.fillAnswer(article, message);
    this.reveal(article);
    return article;
  };

  Chat.prototype.addTools = function (article, rating) {
    var tools = el("div", "chat__tools");
    var copy = el("button", "chat__tool", t.copy);
    copy.type = "button";
    copy.setAttribute("data-chat-copy", "");
    var up = el("button", "chat__tool", t.useful);
    up.type = "button";
    up.setAttribute("data-chat-rate", "1");
    up.setAttribute("aria-pressed", rating === 1 ? "true" : "false");
    var down = el("button", "chat__tool", t.notUseful);
    down.type = "button";
    down.setAttribute("data-chat-rate", "-1");
    down.setAttribute("aria-pressed", rating === -1 ? "true" : "false");
    tools.appendChild(copy);
    tools.appendChild(up);
    tools.appendChild(down);
    article.appendChild(tools);
  };

  Chat.prototype.onLogClick = function (event) {
    var button = event.target.closest("button");
    if (!button) return;
    var article = button.closest("[data-message-id]");
    if (!article) return;
    if (button.hasAttribute("data-chat-copy")) {
      var text = article.getAttribute("data-text") || article.querySelector(".chat__text").textContent;
      if (navigator.clipboard) {
        navigator.clipboard.writeText(text).then(function () {
          button.textContent = t.copied;
          window.setTimeout(function () { button.textContent = t.copy; }, 2000);
        });
      }
    } else if (button.hasAttribute("data-chat-rate")) {
      this.rate(article, parseInt(button.getAttribute("data-chat-rate"), 10), "");
    } else if (button.hasAttribute("data-chat-comment-send")) {
      var field = article.querySelector("[data-chat-comment]");
      this.rate(article, -1, field ? field.value : "");
    }
  };

  Chat.prototype.rate = function (article, rating, comment) {
    var id = article.getAttribute("data-message-id");
    this.request("POST", API + "/messages/" + id + "/feedback", { rating: rating, comment: comment })
      .then(readJson)
      .then(function (pair) {
        var response = pair[0], data = pair[1];
        var status = article.querySelector(".chat__feedback-status");
        if (!status) {
          status = el("p", "chat__feedback-status");
          status.setAttribute("role", "status");
          article.appendChild(status);
        }
        if (!response.ok) { status.textContent = data.detail || t.network; return; }
        article.querySelectorAll("[data-chat-rate]").forEach(function (b) {
          b.setAttribute("aria-pressed", String(parseInt(b.getAttribute("data-chat-rate"), 10) === rating));
        });
        status.textContent = comment ? t.commentThanks : t.thanks;
        if (comment) {
          var sent = article.querySelector(".chat__comment");
          if (sent) sent.remove();
        }
        if (rating === -1 && !comment && !article.querySelector("[data-chat-comment]")) {
          var box = el("div", "chat__comment");
          var fieldId = "chat-comment-" + id;
          var label = el("label", "", t.commentLabel);
          label.htmlFor = fieldId;
          var area = el("textarea");
          area.id = fieldId;
          area.rows = 2;
          area.maxLength = 2000;
          area.setAttribute("data-chat-comment", "");
          var send = el("button", "chat__tool", t.send);
          send.type = "button";
          send.setAttribute("data-chat-comment-send", "");
          box.appendChild(label);
          box.appendChild(area);
          box.appendChild(send);
          article.appendChild(box);
          area.focus();
        }
      })
      .catch(function () { /* feedback is optional; a failure costs the visitor nothing */ });
  };

  Chat.prototype.busy = function (on) {
    this.sendButton.disabled = on;
    this.stopButton.hidden = !on;
    if (on) this.stopButton.focus();
  };

  Chat.prototype.showError = function (message) {
    this.error.textContent = message || "";
  };

  Chat.prototype.ensureConversation = function () {
    var id = this.conversationId();
    if (id) return Promise.resolve(id);
    var self = this;
    return this.request("POST", API + "/conversations").then(function (response) {
      return response.json().then(function (data) {
        if (!response.ok) throw new Error(data.detail || t.network);
        self.remember(data.id);
        return data.id;
      });
    });
  };

  Chat.prototype.ask = function () {
    if (this.controller) return;
    var question = this.input.value.trim();
    if (!question) { this.showError(t.empty); this.input.focus(); return; }
    this.showError("");
    var self = this;
    var controller = new AbortController();
    this.controller = controller;
    this.busy(true);
    var hello = this.log.querySelector(".chat__hello");
    if (hello) hello.remove();
    var questionNode = null, answer = null;
    this.ensureConversation()
      .then(function (id) {
        return self.request("POST", API + "/conversations/" + encodeURIComponent(id) + "/messages",
          { content: question, timezone: visitorTimezone() }, "text/event-stream", controller.signal).then(function (response) {
          if (response.status === 404) { self.forget(); }
          if (!response.ok) {
            return readJson(response).then(function (pair) { throw new Error(pair[1].detail || t.network); });
          }
          questionNode = self.addQuestion(question);
          self.input.value = "";
          if (!self.isPage) self.fitInput();
          answer = self.addAnswer("", true);
          self.reveal(answer);
          return self.readStream(response, answer);
        });
      })
      .catch(function (error) {
        if (answer) self.stopTyping(answer);
        if (error.name === "AbortError") {
          if (answer) {
            answer.appendChild(el("p", "chat__note", t.stopped));
            var live = answer.querySelector(".chat__streaming");
            if (live) live.classList.remove("chat__streaming");
          }
          return;
        }
        // Nothing the visitor typed is lost: the question stays in the field when it was not taken.
        if (!questionNode) self.input.value = question;
        if (answer) {
          var note = el("p", "chat__note chat__note--error", error.message || t.network);
          note.setAttribute("role", "alert");
          answer.appendChild(note);
        } else {
          self.showError(error.message || t.network);
        }
      })
      .then(function () {
        self.controller = null;
        self.busy(false);
        // Focus goes back to the question field unless the visitor moved on to an inline form meanwhile.
        if (!document.activeElement || document.activeElement === document.body || document.activeElement === self.stopButton || document.activeElement === self.sendButton) {
          self.input.focus();
        }
      });
  };

  Chat.prototype.readStream = function (response, answer) {
    var self = this;
    var reader = response.body.getReader();
    var decoder = new TextDecoder();
    var buffer = "";
    var live = answer.querySelector(".chat__streaming");
    var finished = false;

    function handle(frame) {
      var name = "message", data = "";
      frame.split("\n").forEach(function (line) {
        if (line.indexOf("event:") === 0) name = line.slice(6).trim();
        else if (line.indexOf("data:") === 0) data += line.slice(5).trim();
      });
      if (!data) return;
      var payload;
      try { payload = JSON.parse(data); } catch (e) { return; }
      if (name === "meta") {
        if (payload.provider && !answer.querySelector(".chat__who")) {
          answer.insertBefore(el("p", "chat__who", t.who + payload.provider), answer.querySelector(".chat__text"));
        }
      } else if (name === "token") {
        self.stopTyping(answer);
        live.textContent += payload.text;
        self.keepInView(answer);
      } else if (name === "done") {
        finished = true;
        self.fillAnswer(answer, payload);
      } else if (name === "error") {
        finished = true;
        self.stopTyping(answer);
        live.classList.remove("chat__streaming");
        var note = el("p", "chat__note chat__note--error", payload.message);
        note.setAttribute("role", "alert");
        answer.appendChild(note);
      } else if (payload && payload.type === name) {
        // A typed event (trainings, slots, form…): drawn at once; unknown types are skipped by addAction.
        self.stopTyping(answer);
        self.addAction(answer, payload);
        self.keepInView(answer);
      }
    }

    function pump() {
      return reader.read().then(function (chunk) {
        if (chunk.done) {
          if (!finished) throw new Error(t.network);
          return;
        }
        buffer += decoder.decode(chunk.value, { stream: true });
        var frames = buffer.split("\n\n");
        buffer = frames.pop();
        frames.forEach(handle);
        return pump();
      });
    }
    return pump();
  };

  // --- The widget ------------------------------------------------------------------------------------------------

  function remembered(key) {
    try { return window.localStorage.getItem(key); } catch (e) { return null; }
  }

  function store(key, value) {
    try {
      if (value) window.localStorage.setItem(key, value);
      else window.localStorage.removeItem(key);
    } catch (e) { /* private mode */ }
  }

  function setUpWidget(widget) {
    var toggle = widget.querySelector("[data-chat-toggle]");
    var panel = widget.querySelector("[data-chat]");
    var close = widget.querySelector("[data-chat-close]");
    var chat = new Chat(panel);
    chat.linkFullPage();
    // The panel is full screen on phones (chat.css): then it holds the focus, like a dialog.
    var phone = window.matchMedia ? window.matchMedia("(max-width: 40rem)") : { matches: false };
    widget.hidden = false;
    function open(focus) {
      panel.hidden = false;
      toggle.setAttribute("aria-expanded", "true");
      document.documentElement.classList.add("chat-open");
      store(OPEN_KEY, "1");
      chat.restore();
      chat.keepInView(chat.log.lastElementChild);
      if (focus) chat.input.focus();
    }
    function shut() {
      panel.hidden = true;
      toggle.setAttribute("aria-expanded", "false");
      document.documentElement.classList.remove("chat-open");
      store(OPEN_KEY, "");
      toggle.focus();
    }
    toggle.addEventListener("click", function () { if (panel.hidden) open(true); else shut(); });
    close.addEventListener("click", shut);
    panel.addEventListener("keydown", function (event) {
      if (event.key === "Escape") {
        shut();
      } else if (event.key === "Tab" && phone.matches) {
        var focusable = Array.prototype.filter.call(
          panel.querySelectorAll("a[href], button:not([disabled]), input, textarea, summary, select"),
          function (node) { return node.offsetParent !== null; }
        );
        if (!focusable.length) return;
        var first = focusable[0], last = focusable[focusable.length - 1];
        if (event.shiftKey && document.activeElement === first) { event.preventDefault(); last.focus(); }
        else if (!event.shiftKey && document.activeElement === last) { event.preventDefault(); first.focus(); }
      }
    });
    // The widget was open on the previous page: open it again, without taking the focus from the page.
    if (remembered(OPEN_KEY) === "1") open(false);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var page = document.querySelector("[data-chat-page]");
    if (page) {
      var chat = new Chat(page);
      if (chat.conversationField.value) chat.remember(chat.conversationField.value);
      return;  // the page is the chat: no widget on top of it
    }
    var widget = document.querySelector("[data-chat-widget]");
    if (widget) setUpWidget(widget);
  });
})();
