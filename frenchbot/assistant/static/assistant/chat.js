/* The bot's chat: the widget on every page and the full page /assistant/.
 * Answers stream over Server-Sent Events read from a fetch() body (EventSource cannot POST).
 * Text arrives as plain text while it streams; the final answer replaces it with the server's sanitised HTML.
 * Without JavaScript the same form posts to /assistant/ and the answer comes back in the page. */
(function () {
  "use strict";

  var STORAGE_KEY = "fb-conversation";
  var API = "/api/assistant";
  var T = {
    fr: {
      you: "Vous", bot: "The French Bot", who: "Réponse de l'IA · ", sources: "Sources",
      next: "Pour aller plus loin", copy: "Copier", copied: "Copié", useful: "Utile", notUseful: "Pas utile",
      thanks: "Merci pour votre avis.", commentThanks: "Merci\u00a0: votre commentaire est transmis à l'équipe.", commentLabel: "Qu'est-ce qui n'allait pas\u00a0? (facultatif)",
      send: "Envoyer l'avis", stopped: "Réponse interrompue.", network: "La connexion a été coupée. Réessayez dans un instant.",
      empty: "Posez une question\u00a0: le champ est vide.", writing: "Le bot rédige sa réponse…"
    },
    en: {
      you: "You", bot: "The French Bot", who: "AI answer · ", sources: "Sources",
      next: "Next steps", copy: "Copy", copied: "Copied", useful: "Useful", notUseful: "Not useful",
      thanks: "Thank you for your feedback.", commentThanks: "Thank you: your comment was passed on to the team.", commentLabel: "What was wrong? (optional)",
      send: "Send feedback", stopped: "Answer stopped.", network: "The connection was lost. Please try again.",
      empty: "Please type a question.", writing: "The bot is writing its answer…"
    }
  };
  var lang = (document.documentElement.lang || "fr").slice(0, 2);
  var t = T[lang] || T.fr;

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function csrfToken(form) {
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
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
    this.stopButton.addEventListener("click", function () {
      if (self.controller) self.controller.abort();
    });
    this.log.addEventListener("click", function (event) { self.onLogClick(event); });
  }

  Chat.prototype.conversationId = function () {
    var field = (this.conversationField && this.conversationField.value) || "";
    // The full page shows one conversation (the one in its address); the widget resumes the last one.
    if (this.isPage) return field;
    try { return field || window.localStorage.getItem(STORAGE_KEY) || ""; } catch (e) { return field; }
  };

  Chat.prototype.remember = function (id) {
    if (this.conversationField) this.conversationField.value = id;
    try { window.localStorage.setItem(STORAGE_KEY, id); } catch (e) { /* private mode */ }
  };

  Chat.prototype.forget = function () {
    if (this.conversationField) this.conversationField.value = "";
    try { window.localStorage.removeItem(STORAGE_KEY); } catch (e) { /* private mode */ }
  };

  Chat.prototype.request = function (method, url, body, accept) {
    return fetch(url, {
      method: method,
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        "Accept": accept || "application/json",
        "X-CSRFToken": csrfToken(this.form)
      },
      body: body ? JSON.stringify(body) : undefined,
      signal: this.controller ? this.controller.signal : undefined
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
        if (!data || !data.messages.length) return;
        self.log.textContent = "";
        data.messages.forEach(function (message) {
          if (message.role === "user") self.addQuestion(message.content);
          else self.fillAnswer(self.addAnswer(message.provider), message);
        });
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

  Chat.prototype.addAnswer = function (provider) {
    var article = el("article", "chat__message chat__message--assistant");
    article.appendChild(el("h3", "visually-hidden", t.bot));
    if (provider) article.appendChild(el("p", "chat__who", t.who + provider));
    var text = el("div", "chat__text");
    var live = el("p", "chat__streaming");
    live.setAttribute("aria-label", t.writing);
    text.appendChild(live);
    article.appendChild(text);
    this.log.appendChild(article);
    this.scroll();
    return article;
  };

  Chat.prototype.scroll = function () {
    this.log.scrollTop = this.log.scrollHeight;
  };

  Chat.prototype.fillAnswer = function (article, data) {
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
    article.setAttribute("data-text", data.text || data.content || "");
    if (data.status === "stopped") article.appendChild(el("p", "chat__note", t.stopped));
    if (data.error) {
      var note = el("p", "chat__note chat__note--error", data.error);
      note.setAttribute("role", "alert");
      article.appendChild(note);
    }
    if (data.sources && data.sources.length) {
      var box = el("div", "chat__sources");
      box.appendChild(el("h4", "", t.sources));
      var list = el("ul");
      data.sources.forEach(function (source) {
        var item = el("li");
        var link = el("a", "chat__source");
        link.href = source.url;
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
        var item = el("li");
        var link = el("a", "button button--small" + (step.kind === "audit" ? "" : " button--ghost"), step.label);
        link.href = step.url;
        item.appendChild(link);
        steps.appendChild(item);
      });
      article.appendChild(steps);
    }
    if ((data.id || data.message_id) && (data.text || data.content) && data.status !== "error") {
      this.addTools(article, data.rating);
    }
    this.scroll();
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
    var self = this;
    var id = article.getAttribute("data-message-id");
    this.request("POST", API + "/messages/" + id + "/feedback", { rating: rating, comment: comment })
      .then(function (response) { return response.json().then(function (data) { return [response, data]; }); })
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
          var field = el("textarea");
          field.id = fieldId;
          field.rows = 2;
          field.maxLength = 2000;
          field.setAttribute("data-chat-comment", "");
          var send = el("button", "button button--small button--ghost", t.send);
          send.type = "button";
          send.setAttribute("data-chat-comment-send", "");
          box.appendChild(label);
          box.appendChild(field);
          box.appendChild(send);
          article.appendChild(box);
          field.focus();
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
    this.controller = new AbortController();
    this.busy(true);
    var hello = this.log.querySelector(".chat__hello");
    if (hello) hello.remove();
    var questionNode = null, answer = null;
    this.ensureConversation()
      .then(function (id) {
        return self.request("POST", API + "/conversations/" + encodeURIComponent(id) + "/messages",
          { content: question }, "text/event-stream").then(function (response) {
          if (response.status === 404) { self.forget(); }
          if (!response.ok) {
            return response.json().then(function (data) { throw new Error(data.detail || t.network); });
          }
          questionNode = self.addQuestion(question);
          self.input.value = "";
          answer = self.addAnswer("");
          return self.readStream(response, answer);
        });
      })
      .catch(function (error) {
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
        self.input.focus();
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
      var payload = JSON.parse(data);
      if (name === "meta") {
        if (payload.provider) answer.insertBefore(el("p", "chat__who", t.who + payload.provider), answer.querySelector(".chat__text"));
      } else if (name === "token") {
        live.textContent += payload.text;
        self.scroll();
      } else if (name === "done") {
        finished = true;
        self.fillAnswer(answer, payload);
      } else if (name === "error") {
        finished = true;
        live.classList.remove("chat__streaming");
        var note = el("p", "chat__note chat__note--error", payload.message);
        note.setAttribute("role", "alert");
        answer.appendChild(note);
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

  function setUpWidget(widget) {
    var toggle = widget.querySelector("[data-chat-toggle]");
    var panel = widget.querySelector("[data-chat]");
    var close = widget.querySelector("[data-chat-close]");
    var chat = new Chat(panel);
    widget.hidden = false;
    function open() {
      panel.hidden = false;
      toggle.setAttribute("aria-expanded", "true");
      chat.restore();
      chat.input.focus();
    }
    function shut() {
      panel.hidden = true;
      toggle.setAttribute("aria-expanded", "false");
      toggle.focus();
    }
    toggle.addEventListener("click", function () { if (panel.hidden) open(); else shut(); });
    close.addEventListener("click", shut);
    panel.addEventListener("keydown", function (event) {
      if (event.key === "Escape") shut();
    });
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
