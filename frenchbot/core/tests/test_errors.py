import json

from django.test import RequestFactory

from config.api import domain_error
from frenchbot.core.errors import DomainError


def test_a_refusal_says_what_and_where_in_french():
    error = DomainError("Ce créneau vient d'être réservé.", field="start", code="taken")
    assert error.message == str(error) == "Ce créneau vient d'être réservé."
    assert error.http_status == 409
    assert error.as_json() == {
        "detail": "Ce créneau vient d'être réservé.",
        "field": "start",
        "code": "taken",
    }


def test_several_refused_inputs_name_the_first_one_and_keep_every_message():
    error = DomainError(errors={12: "Choisissez une réponse.", 14: "Choisissez une réponse, une seule."})
    assert error.message == "Choisissez une réponse."
    assert error.field == "12"
    assert error.code == "invalid" and error.http_status == 422
    assert error.as_json()["errors"] == {
        "12": "Choisissez une réponse.",
        "14": "Choisissez une réponse, une seule.",
    }


def test_an_app_code_the_api_does_not_know_answers_422():
    assert DomainError("Déjà annulé.", code="cancelled").http_status == 422
    assert DomainError("Trop de demandes.", code="rate_limited").http_status == 429


def test_the_api_handler_answers_the_message_with_the_status_of_its_code():
    request = RequestFactory().post("/api/booking/bookings")
    error = DomainError("Ce créneau vient d'être réservé.", field="start", code="taken", extra={"slots": []})
    response = domain_error(request, error)
    assert response.status_code == 409
    assert response["Content-Type"].startswith("application/json")
    assert json.loads(response.content) == {
        "detail": "Ce créneau vient d'être réservé.",
        "field": "start",
        "code": "taken",
        "slots": [],
    }
