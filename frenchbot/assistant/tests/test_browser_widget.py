"""The widget's drawing of the bot's actions, in a real browser, against a scripted API (the contract of the
`trainings`, `slots` and `form` events and of the booking and handoff answers): what the visitor sees and keeps
when a slot is taken, an e-mail refused, a form sent; restoring a conversation; the widget on a phone; axe.

The API is answered by the test (Playwright's request routing) so that every answer of the contract, refusals
included, is shown without depending on the calendar; test_browser_journey.py runs the real thing end to end."""

import json
import re

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CONVERSATION = "5b0f6a3e-2d4c-4c1e-9a57-0c1d2e3f4a5b"
BOOKING_URL = f"/api/assistant/conversations/{CONVERSATION}/booking"
HANDOFF_URL = f"/api/assistant/conversations/{CONVERSATION}/handoff"
CONSENT = "J'accepte que The French Bot utilise ces données pour organiser ce rendez-vous."


def _slot(day, hour):
    return {
        "start": f"2026-12-{day:02d}T{hour:02d}:00:00+01:00",
        "end": f"2026-12-{day:02d}T{hour:02d}:30:00+01:00",
        "label": f"mardi {day} décembre à {hour} h",
    }


SLOTS = {
    "type": "slots",
    "event_type": "appel-audit-offert",
    "title": "Appel d'audit offert (30 min)",
    "timezone": "Europe/Paris",
    "timezone_label": "heure de Paris",
    "slots": [_slot(8, h) for h in (9, 10, 11, 14, 15, 16, 17)],
    "url": "/rendez-vous/appel-audit-offert/",
    "submit": BOOKING_URL,
    "consent_text": CONSENT,
}
TRAININGS = {
    "type": "trainings",
    "trainings": [
        {
            "title": "ChatGPT au quotidien",
            "url": "/formations/chatgpt-au-quotidien/",
            "audience": "Indépendants et salariés",
            "duration": "7 heures",
            "price": "290 € TTC",
            "summary": "Rédiger, résumer et chercher plus vite.",
        }
    ],
}
HANDOFF = {
    "type": "form",
    "form": "handoff",
    "submit": HANDOFF_URL,
    "consent_text": "J'accepte que l'équipe me recontacte à ce sujet.",
    "submit_label": "Envoyer à l'équipe",
    "fields": [
        {"name": "name", "label": "Votre nom", "type": "text", "required": True},
        {"name": "email", "label": "Votre e-mail", "type": "email", "required": True},
        {"name": "message", "label": "Votre message (facultatif)", "type": "textarea", "required": False},
    ],
}


def _message(pk, content, actions=(), role="assistant", html=None):
    return {
        "id": pk,
        "role": role,
        "content": content,
        "html": html or (f"<p>{content}</p>" if role == "assistant" else ""),
        "status": "complete",
        "error": "",
        "sources": [],
        "suggestions": [],
        "provider": "Extractif" if role == "assistant" else "",
        "actions": list(actions),
        "unanswered": False,
        "rating": None,
    }


def _stream(text, actions):
    frames = [("meta", {"provider": "Extractif"}), ("token", {"text": text})]
    frames += [(action["type"], action) for action in actions]
    frames.append(
        (
            "done",
            {
                "message_id": 2,
                "text": text,
                "html": f"<p>{text}</p>",
                "status": "complete",
                "sources": [],
                "suggestions": [],
                "provider": "Extractif",
                "error": "",
                "actions": actions,
                "unanswered": False,
            },
        )
    )
    return "".join(
        f"event: {name}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n" for name, data in frames
    )


class FakeApi:
    """Answers the bot's API as the contract says: `answers` are the streams of the next questions, `replies`
    the next answers of the booking and handoff endpoints (status, body); every request is kept in `seen`."""

    def __init__(self, page, answers=(), replies=(), conversation=None):
        self.answers = list(answers)
        self.replies = list(replies)
        self.conversation = conversation
        self.seen = []
        page.route(re.compile(r".*/api/assistant/.*"), self.handle)

    def handle(self, route):
        request = route.request
        path = request.url.split("/api/assistant", 1)[1]
        body = request.post_data_json if request.method == "POST" else None
        self.seen.append((request.method, path, body))
        if request.method == "POST" and path == "/conversations":
            return route.fulfill(status=201, json={"id": CONVERSATION, "title": "", "messages": []})
        if request.method == "GET" and path == f"/conversations/{CONVERSATION}":
            if self.conversation is None:
                return route.fulfill(status=404, json={"detail": "Conversation introuvable."})
            return route.fulfill(json={"id": CONVERSATION, "title": "", "messages": self.conversation})
        if path.endswith("/messages"):
            return route.fulfill(
                status=200,
                content_type="text/event-stream; charset=utf-8",
                body=_stream(*self.answers.pop(0)),
            )
        if path.endswith("/booking") or path.endswith("/handoff"):
            status, data = self.replies.pop(0)
            return route.fulfill(status=status, json=data)
        return route.fulfill(status=404, json={"detail": "?"})

    def posted(self, suffix):
        return [body for method, path, body in self.seen if method == "POST" and path.endswith(suffix)]


def _context(browser, base_url, **options):
    context = browser.new_context(base_url=base_url, locale="fr-FR", timezone_id="Indian/Reunion", **options)
    context.set_default_timeout(8_000)
    return context


@pytest.fixture
def context(_browser, live_server):
    context = _context(_browser, live_server.url, bypass_csp=True)
    yield context
    context.close()


def _ask(page, question):
    page.get_by_label("Votre question").fill(question)
    page.get_by_role("button", name="Envoyer").click()


def _watch_typing(page):
    # The typing indicator lives a few milliseconds here: a watcher notes what it said when it appeared.
    page.evaluate(
        """() => { window.typingSeen = [];
        new MutationObserver(() => { const t = document.querySelector('#chat-panel .chat__typing');
          if (t) window.typingSeen.push(t.getAttribute('role') + ':' + t.textContent); })
        .observe(document.body, {childList: true, subtree: true}); }"""
    )


def test_cards_then_a_slot_booked_after_a_taken_slot_and_a_refused_e_mail(context):
    page = context.new_page()
    confirmation = _message(
        3,
        "C'est réservé : mardi 8 décembre à 16 h. [Voir ou modifier le rendez-vous](/rendez-vous/gerer/abc/)",
        html="<p>C'est réservé : mardi 8 décembre à 16 h. "
        '<a href="/rendez-vous/gerer/abc/">Voir ou modifier le rendez-vous</a></p>',
    )
    api = FakeApi(
        page,
        answers=[
            ("Voici nos formations.", [TRAININGS, {"type": "newsletter", "list": "?"}]),
            ("Voici les prochains créneaux libres.", [SLOTS]),
        ],
        replies=[
            (422, {"detail": "Cette adresse e-mail n'est pas valide.", "field": "email", "code": "invalid"}),
            (
                409,
                {
                    "detail": "Ce créneau vient d'être pris : choisissez-en un autre.",
                    "field": "start",
                    "code": "taken",
                    "slots": [_slot(8, 16), _slot(9, 10)],
                },
            ),
            (
                201,
                {
                    "booking": {**_slot(8, 16), "manage_url": "/rendez-vous/gerer/abc/"},
                    "message": confirmation,
                },
            ),
        ],
    )
    page.goto("/")
    page.get_by_role("button", name="Une question\u00a0?").click()
    panel = page.locator("#chat-panel")
    _watch_typing(page)
    _ask(page, "Quelles formations proposez-vous ?")
    card = panel.get_by_role("list", name="Nos formations").get_by_role("listitem")
    card.wait_for()
    assert "ChatGPT au quotidien" in card.inner_text() and "290 € TTC" in card.inner_text()
    assert card.get_by_role("link").get_attribute("href") == "/formations/chatgpt-au-quotidien/"
    assert page.evaluate("window.typingSeen")[0] == "status:Le bot écrit…"
    # The question carries the visitor's time zone; an action type the widget does not know is left out.
    assert api.posted("/messages")[0] == {
        "content": "Quelles formations proposez-vous ?",
        "timezone": "Indian/Reunion",
    }
    assert panel.locator(".chat__offers > *").count() == 1

    _ask(page, "Je voudrais prendre rendez-vous")
    slots = panel.get_by_role("region", name="Appel d'audit offert (30 min) (heure de Paris)")
    slots.wait_for()
    chips = slots.get_by_role("list").get_by_role("button")
    assert chips.count() == 6  # a handful, not the whole calendar
    assert slots.get_by_role("link", name="Voir tous les créneaux").get_attribute("href") == SLOTS["url"]
    chips.filter(has_text="mardi 8 décembre à 10 h").click()
    assert slots.get_by_text("Créneau choisi\u00a0: mardi 8 décembre à 10 h").is_visible()
    assert page.evaluate("document.activeElement.name") == "name"
    slots.get_by_label("Votre nom").fill("Léa Martin")
    slots.get_by_label("Votre e-mail").fill("lea@exemple")
    slots.get_by_label(CONSENT).check()
    slots.get_by_role("button", name="Réserver ce créneau").click()
    # Refused e-mail: said next to the field, announced, nothing typed is lost.
    email = slots.get_by_label("Votre e-mail")
    slots.locator(".chat__field-error", has_text="Cette adresse e-mail n'est pas valide.").wait_for()
    assert email.get_attribute("aria-invalid") == "true"
    assert page.evaluate("document.activeElement.name") == "email"
    assert slots.get_by_role("alert").filter(has_text="Cette adresse e-mail").count() >= 1
    email.fill("lea@exemple.fr")
    slots.get_by_role("button", name="Réserver ce créneau").click()
    # Taken meanwhile: the message, fresh chips, and the name, e-mail and consent kept.
    slots.get_by_text("Ce créneau vient d'être pris : choisissez-en un autre.").wait_for()
    assert [c.strip() for c in chips.all_inner_texts()] == [
        "mardi 8 décembre à 16 h",
        "mardi 9 décembre à 10 h",
    ]
    assert slots.get_by_label("Votre nom").input_value() == "Léa Martin"
    assert slots.get_by_label("Votre e-mail").input_value() == "lea@exemple.fr"
    assert slots.get_by_label(CONSENT).is_checked()
    chips.first.click()
    slots.get_by_role("button", name="Réserver ce créneau").click()
    # Booked: the bot's confirmation is appended, with its link, and in view.
    link = panel.get_by_role("link", name="Voir ou modifier le rendez-vous")
    link.wait_for()
    assert link.get_attribute("href") == "/rendez-vous/gerer/abc/"
    assert slots.get_by_text("Rendez-vous réservé\u00a0: mardi 8 décembre à 16 h").is_visible()
    assert page.evaluate(
        """() => { const log = document.querySelector('#chat-panel .chat__log').getBoundingClientRect();
        const last = document.querySelector('#chat-panel .chat__message:last-child').getBoundingClientRect();
        return last.top >= log.top - 1 && last.top < log.bottom; }"""
    )
    posted = api.posted("/booking")
    assert posted[0] == {
        "event_type": "appel-audit-offert",
        "start": _slot(8, 10)["start"],
        "name": "Léa Martin",
        "email": "lea@exemple",
        "consent": True,
        "timezone": "Indian/Reunion",
    }
    assert posted[-1]["start"] == _slot(8, 16)["start"] and posted[-1]["email"] == "lea@exemple.fr"


def test_the_handoff_form_and_the_slots_pass_axe_and_say_what_is_wrong(context, axe):
    page = context.new_page()
    ack = _message(3, "Merci, Léa : votre message est transmis à l'équipe, qui vous répond par e-mail.")
    FakeApi(
        page,
        answers=[("Je transmets volontiers à l'équipe.", [HANDOFF, SLOTS])],
        replies=[
            (
                422,
                {
                    "detail": "Vérifiez les champs signalés.",
                    "field": "email",
                    "code": "invalid",
                    "errors": {
                        "email": "Cette adresse e-mail n'est pas valide.",
                        "consent": "Cochez la case pour que l'équipe puisse vous répondre.",
                    },
                },
            ),
            (201, {"message": ack}),
        ],
    )
    page.goto("/")
    page.get_by_role("button", name="Une question\u00a0?").click()
    panel = page.locator("#chat-panel")
    _ask(page, "Je veux parler à quelqu'un")
    form = panel.locator(".chat__handoff-form")
    form.wait_for()
    panel.locator(".chat__booking .chat__chip").first.click()  # the booking form open too
    assert axe(page) == []
    form.get_by_label("Votre nom").fill("Léa")
    form.get_by_label("Votre e-mail").fill("lea@")
    form.get_by_label("Votre message (facultatif)").fill("Votre bot ne m'aide pas.")
    form.get_by_role("button", name="Envoyer à l'équipe").click()
    form.get_by_text("Cochez la case pour que l'équipe puisse vous répondre.").wait_for()
    assert form.get_by_text("Cette adresse e-mail n'est pas valide.").is_visible()
    assert form.get_by_label("Votre message (facultatif)").input_value() == "Votre bot ne m'aide pas."
    assert axe(page) == []  # errors tied to their fields
    form.get_by_label("Votre e-mail").fill("lea@exemple.fr")
    form.get_by_label("J'accepte que l'équipe me recontacte à ce sujet.").check()
    form.get_by_role("button", name="Envoyer à l'équipe").click()
    panel.get_by_text("votre message est transmis à l'équipe, qui vous répond par e-mail.").wait_for()
    assert panel.get_by_text("Message transmis à l'équipe.").is_visible()


def test_on_a_phone_the_widget_is_the_screen_and_comes_back_after_a_reload(_browser, live_server):
    context = _context(
        _browser, live_server.url, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    older = _message(2, "Voici des créneaux.", [SLOTS])
    latest = _message(4, "Voici les créneaux de cet après-midi.", [{**SLOTS, "slots": [_slot(8, 14)]}])
    FakeApi(
        page,
        conversation=[
            _message(1, "Un rendez-vous ?", role="user"),
            older,
            _message(3, "Et cet après-midi ?", role="user"),
            latest,
        ],
    )
    page.goto("/")
    page.evaluate(f"localStorage.setItem('fb-conversation', '{CONVERSATION}')")
    page.reload()
    page.get_by_role("button", name="Une question\u00a0?").click()
    panel = page.locator("#chat-panel")
    panel.get_by_text("Voici les créneaux de cet après-midi.").wait_for()
    # Full screen, the close button in sight, the page behind does not scroll.
    box = panel.bounding_box()
    assert (box["x"], box["y"], box["width"], box["height"]) == (0, 0, 390, 844)
    close = page.get_by_role("button", name="Fermer le bot")
    assert close.is_visible() and close.bounding_box()["y"] < 60
    assert page.evaluate("getComputedStyle(document.documentElement).overflow") == "hidden"
    chip = panel.locator(".chat__chip").first
    assert chip.bounding_box()["height"] >= 44
    # Restored: offers under the last answer only (older slots may be taken since).
    assert panel.locator(".chat__booking").count() == 1
    assert panel.locator(".chat__chip--slot").all_inner_texts() == ["mardi 8 décembre à 14 h"]
    # The full page continues the same conversation (hidden on a phone, where the widget is the screen already).
    assert page.locator("[data-chat-full]").get_attribute("href") == f"/assistant/?c={CONVERSATION}"
    # The open widget and its conversation survive a reload.
    page.reload()
    panel.get_by_text("Voici les créneaux de cet après-midi.").wait_for()
    assert panel.is_visible()
    close.click()
    assert panel.is_hidden()
    assert page.evaluate("document.activeElement.getAttribute('aria-controls')") == "chat-panel"
    assert page.evaluate("getComputedStyle(document.documentElement).overflow") != "hidden"
    page.reload()
    assert page.get_by_role("button", name="Une question\u00a0?").get_attribute("aria-expanded") == "false"
    context.close()


def test_on_a_phone_the_button_leaves_the_end_of_the_page_free(_browser, live_server):
    context = _context(
        _browser, live_server.url, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.goto("/")
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    toggle = page.get_by_role("button", name="Une question\u00a0?").bounding_box()
    language = page.locator(".language-form button[type=submit]")
    box = language.bounding_box()
    # Scrolled to the end, the last control of the page sits above the floating button, and takes a tap.
    assert box["y"] + box["height"] <= toggle["y"]
    language.click(trial=True)
    context.close()
