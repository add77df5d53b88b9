"""Factories of the sessions' tests (each small; others append theirs)."""

import factory

from frenchbot.sessions.models import Complaint


class ComplaintFactory(factory.django.DjangoModelFactory):
    """A complaint as received (status « Reçue »); its reference is outside any real year's sequence."""

    class Meta:
        model = Complaint

    reference = factory.Sequence(lambda n: f"R-2000-{n:04d}")
    name = "Claire Martin"
    email = factory.Sequence(lambda n: f"reclamation{n}@exemple.fr")
    role = Complaint.Role.LEARNER
    subject = "Convocation reçue trop tard"
    body = "La convocation est arrivée la veille de la session."


# --- Sessions, half-days, registrations, attendance, surveys (added with the indicators) ----------------------


def _in_three_weeks():
    import datetime

    from django.utils import timezone

    return timezone.localdate() + datetime.timedelta(days=21)


def _time(hour: int, minute: int = 0):
    import datetime

    return datetime.time(hour, minute)


class TrainerFactory(factory.django.DjangoModelFactory):
    """A staff member who trains sessions."""

    class Meta:
        model = "auth.User"
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"formateur{n}")
    first_name = "Camille"
    last_name = factory.Sequence(lambda n: f"Formatrice{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@exemple.fr")
    is_staff = True


class TrainingSessionFactory(factory.django.DjangoModelFactory):
    """An inter-company session in person, published, 8 seats; give it half-days (HalfDayFactory)."""

    class Meta:
        model = "training_sessions.TrainingSession"

    training = factory.SubFactory("frenchbot.courses.tests.factories.TrainingFactory")
    trainer = factory.SubFactory(TrainerFactory)
    place = "12 rue de l'Exemple, 75011 Paris"
    seats = 8


class HalfDayFactory(factory.django.DjangoModelFactory):
    """A morning three weeks from today unless told otherwise."""

    class Meta:
        model = "training_sessions.HalfDay"

    session = factory.SubFactory(TrainingSessionFactory)
    date = factory.LazyFunction(_in_three_weeks)
    period = "am"
    starts_at = factory.LazyFunction(lambda: _time(9))
    ends_at = factory.LazyFunction(lambda: _time(12, 30))


class RegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "training_sessions.Registration"

    session = factory.SubFactory(TrainingSessionFactory)
    name = factory.Sequence(lambda n: f"Stagiaire {n}")
    email = factory.Sequence(lambda n: f"stagiaire{n}@exemple.fr")


class AttendanceFactory(factory.django.DjangoModelFactory):
    """Present on a half-day of the registration's session."""

    class Meta:
        model = "training_sessions.Attendance"

    registration = factory.SubFactory(RegistrationFactory)
    half_day = factory.SubFactory(HalfDayFactory, session=factory.SelfAttribute("..registration.session"))
    status = "present"


class SurveyResponseFactory(factory.django.DjangoModelFactory):
    """A hot survey answer of a registration."""

    class Meta:
        model = "training_sessions.SurveyResponse"

    registration = factory.SubFactory(RegistrationFactory)
    session = factory.SelfAttribute("registration.session")
    kind = "hot"
    rating = 5
    objectives_met = 5
    would_recommend = True
