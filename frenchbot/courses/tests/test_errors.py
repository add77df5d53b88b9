"""The trainings' refusals are the project's domain error: the same message, field, code and HTTP status."""

import pytest

from frenchbot.core.errors import DomainError
from frenchbot.courses.errors import AssessmentError, CourseError, SeatError
from frenchbot.courses.services.enrolment import enrolment_by_code

from .factories import LearnerFactory

pytestmark = pytest.mark.django_db


def test_every_refusal_of_the_trainings_is_a_domain_error():
    assert issubclass(CourseError, DomainError)
    assert issubclass(AssessmentError, CourseError)
    assert issubclass(SeatError, CourseError)


def test_a_refusal_keeps_its_field_and_code_and_maps_them_to_http():
    with pytest.raises(CourseError) as caught:
        enrolment_by_code(user=LearnerFactory(), code="INCONNU")
    assert (caught.value.field, caught.value.code, caught.value.http_status) == ("code", "unknown", 422)
    assert caught.value.as_json()["detail"] == caught.value.message
    assert SeatError("Introuvable.", code="not_found").http_status == 404
    assert AssessmentError("Interdit.", code="forbidden").http_status == 403
    errors = {7: "Choisissez une réponse."}
    assert AssessmentError("À compléter.", errors=errors).errors == errors
