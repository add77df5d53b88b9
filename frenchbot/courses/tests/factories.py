"""Factories of the trainings' tests (shared by every test module of courses and accounts)."""

import decimal

import factory
from django.contrib.auth import get_user_model

from frenchbot.courses.models import (
    AccessCode,
    Company,
    Enrolment,
    Lesson,
    Module,
    PromptExercise,
    Quiz,
    QuizChoice,
    QuizQuestion,
    RubricCriterion,
    Seat,
    Training,
)


class LearnerFactory(factory.django.DjangoModelFactory):
    """A learner whose e-mail address is verified (allauth's EmailAddress), able to sign in."""

    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"apprenant{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@exemple.fr")
    first_name = "Claire"
    last_name = factory.Sequence(lambda n: f"Martin{n}")
    password = factory.PostGenerationMethodCall("set_password", "motdepasse-solide-42")

    @factory.post_generation
    def verified(self, create, extracted, **kwargs):
        if not create:
            return
        self.save()
        if extracted is False:
            return
        from allauth.account.models import EmailAddress

        EmailAddress.objects.update_or_create(
            user=self, email=self.email, defaults={"verified": True, "primary": True}
        )


class TrainingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Training

    slug = factory.Sequence(lambda n: f"formation-{n}")
    title = factory.Sequence(lambda n: f"Formation {n}")
    summary = "Une formation courte pour utiliser l'IA au travail."
    audience = "individual"
    level = "beginner"
    duration_hours = decimal.Decimal("7.0")
    outcomes = "Écrire un bon prompt\nVérifier une réponse"
    price_text = "290 € TTC"
    is_published = True


class ModuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Module

    training = factory.SubFactory(TrainingFactory)
    title = factory.Sequence(lambda n: f"Module {n}")
    order = factory.Sequence(lambda n: n)


class LessonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lesson

    module = factory.SubFactory(ModuleFactory)
    title = factory.Sequence(lambda n: f"Leçon {n}")
    slug = factory.Sequence(lambda n: f"lecon-{n}")
    body = "## Le rôle\n\nDonnez un rôle à l'assistant : « Tu es un juriste spécialisé en droit du travail. »"
    order = factory.Sequence(lambda n: n)


class QuizFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Quiz

    module = factory.SubFactory(ModuleFactory)
    title = factory.Sequence(lambda n: f"Quiz {n}")
    order = 50
    pass_mark = 70


class QuizQuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = QuizQuestion

    quiz = factory.SubFactory(QuizFactory)
    text = factory.Sequence(lambda n: f"Question {n} ?")
    kind = "single"
    explanation = "Parce que le contexte guide la réponse."
    order = factory.Sequence(lambda n: n)


class QuizChoiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = QuizChoice

    question = factory.SubFactory(QuizQuestionFactory)
    text = factory.Sequence(lambda n: f"Réponse {n}")
    is_correct = False
    order = factory.Sequence(lambda n: n)


class PromptExerciseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PromptExercise

    module = factory.SubFactory(ModuleFactory)
    title = factory.Sequence(lambda n: f"Exercice {n}")
    task = "Écrivez un prompt qui fait rédiger à l'IA une réponse à un client mécontent."
    order = 60


class RubricCriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RubricCriterion

    exercise = factory.SubFactory(PromptExerciseFactory)
    label = "Donne un rôle à l'IA"
    rule = "contains_any"
    values = "tu es\nvous êtes\nen tant que\nagis comme"
    feedback_ok = "Vous donnez un rôle à l'IA."
    feedback_missing = "Donnez un rôle à l'IA : « Tu es… »."
    order = factory.Sequence(lambda n: n)


class AccessCodeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AccessCode

    training = factory.SubFactory(TrainingFactory)
    max_uses = 1


class EnrolmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrolment

    user = factory.SubFactory(LearnerFactory)
    training = factory.SubFactory(TrainingFactory)
    source = Enrolment.Source.STAFF


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Company

    name = factory.Sequence(lambda n: f"PME {n}")
    manager = factory.SubFactory(LearnerFactory)
    training = factory.SubFactory(TrainingFactory, audience="business")
    seats = 3


class SeatFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Seat

    company = factory.SubFactory(CompanyFactory)
    email = factory.Sequence(lambda n: f"collegue{n}@pme.fr")


# --- What a learner did, and what they earned (added with the certificates) ----------------------------------


class LessonCompletionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "courses.LessonCompletion"

    enrolment = factory.SubFactory(EnrolmentFactory)
    lesson = factory.SubFactory(
        LessonFactory, module__training=factory.SelfAttribute("...enrolment.training")
    )


class QuizAttemptFactory(factory.django.DjangoModelFactory):
    """A passed attempt unless told otherwise."""

    class Meta:
        model = "courses.QuizAttempt"

    enrolment = factory.SubFactory(EnrolmentFactory)
    quiz = factory.SubFactory(QuizFactory, module__training=factory.SelfAttribute("...enrolment.training"))
    number = factory.Sequence(lambda n: n + 1)
    answers = factory.LazyFunction(dict)
    score = 100
    passed = True


class ExerciseSubmissionFactory(factory.django.DjangoModelFactory):
    """A passed submission unless told otherwise."""

    class Meta:
        model = "courses.ExerciseSubmission"

    enrolment = factory.SubFactory(EnrolmentFactory)
    exercise = factory.SubFactory(
        PromptExerciseFactory, module__training=factory.SelfAttribute("...enrolment.training")
    )
    prompt = "Tu es un conseiller clientèle. Réponds poliment à ce client mécontent, en cinq lignes."
    results = factory.LazyFunction(list)
    passed = True


class CertificateFactory(factory.django.DjangoModelFactory):
    """A certificate issued directly (tests of the pages); the service issues them in real use."""

    class Meta:
        model = "courses.Certificate"

    enrolment = factory.SubFactory(EnrolmentFactory)
    learner_name = factory.LazyAttribute(lambda o: o.enrolment.user.get_full_name())
    training_title = factory.LazyAttribute(lambda o: o.enrolment.training.title)
    hours = factory.LazyAttribute(lambda o: o.enrolment.training.duration_hours)
    issued_on = factory.LazyFunction(lambda: _today())


def _today():
    from django.utils import timezone

    return timezone.localdate()
