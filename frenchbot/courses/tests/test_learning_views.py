"""The learner's pages through the test client: who sees what, enrolment by code, progress, lessons, files."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from frenchbot.courses.models import (
    AccessCode,
    Certificate,
    Enrolment,
    LessonCompletion,
    LessonImage,
    QuizAttempt,
    Resource,
)
from frenchbot.courses.selectors.trainings import video_embed_url

from .factories import (
    AccessCodeFactory,
    CompanyFactory,
    EnrolmentFactory,
    LearnerFactory,
    LessonFactory,
    ModuleFactory,
    QuizFactory,
    TrainingFactory,
)

pytestmark = pytest.mark.django_db
NBSP = "\u00a0"
LOCKED = "Cette leçon est réservée aux personnes inscrites à la formation."


@pytest.fixture
def course():
    """A training of two modules: a preview lesson and a lesson, then a lesson and a quiz."""
    training = TrainingFactory(title="Écrire de bons prompts", slug="bons-prompts")
    first = ModuleFactory(training=training, title="Les bases", order=1)
    second = ModuleFactory(training=training, title="Aller plus loin", order=2)
    lessons = [
        LessonFactory(
            module=first,
            order=1,
            title="Pourquoi un prompt",
            slug="pourquoi",
            is_preview=True,
            body="## Un aperçu\n\nLe prompt est la consigne donnée à l'IA.",
        ),
        LessonFactory(
            module=first,
            order=2,
            title="Le rôle",
            slug="role",
            body="## Le rôle\n\nLe secret des formateurs : un rôle précis change tout.",
        ),
        LessonFactory(module=second, order=1, title="Le format", slug="format"),
    ]
    quiz = QuizFactory(module=second, title="Quiz final", order=50)
    return {"training": training, "lessons": lessons, "quiz": quiz}


def _staff():
    return get_user_model().objects.create_user("equipe", "equipe@exemple.fr", "x", is_staff=True)


def _client(user=None, **kwargs) -> Client:
    client = Client(**kwargs)
    if user is not None:
        client.force_login(user)
    return client


def _enrolled(training) -> tuple[Client, Enrolment]:
    enrolment = EnrolmentFactory(training=training)
    return _client(enrolment.user), enrolment


def _resource(lesson, content=b"Modele de prompt") -> Resource:
    resource = Resource(lesson=lesson, title="Fiche des prompts")
    resource.file.save("fiche-prompts.txt", ContentFile(content), save=True)
    return resource


# ---------------------------------------------------------------------------------------------------------------
# Catalogue and training page


def test_the_catalogue_lists_published_trainings_and_filters_by_audience():
    TrainingFactory(title="ChatGPT pour tous", audience="individual", price_text="290 € TTC")
    TrainingFactory(title="L'IA pour votre PME", audience="business")
    TrainingFactory(title="Brouillon secret", is_published=False)

    page = Client().get(reverse("courses:catalogue")).content.decode()
    assert "ChatGPT pour tous" in page and "L&#x27;IA pour votre PME" in page and "290 € TTC" in page
    assert "Brouillon secret" not in page

    business = Client().get(reverse("courses:catalogue"), {"public": "entreprise"}).content.decode()
    assert "L&#x27;IA pour votre PME" in business and "ChatGPT pour tous" not in business
    assert 'href="/formations/?public=entreprise" aria-current="page"' in business


def test_the_training_page_shows_the_programme_and_how_to_start(course):
    response = Client().get(reverse("courses:training", args=["bons-prompts"]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Écrire de bons prompts" in page and "Débutant" in page and f"7{NBSP}h" in page
    assert f"Module 1{NBSP}: Les bases" in page and "Quiz final" in page
    # Only the preview lesson is a link for a visitor who does not follow the training.
    assert f'href="{course["lessons"][0].get_absolute_url()}"' in page
    assert f'href="{course["lessons"][1].get_absolute_url()}"' not in page
    assert f'action="{reverse("courses:enrol_code")}"' in page
    assert f'href="{reverse("booking:start")}"' in page


def test_a_learner_sees_their_progress_and_continue_on_the_training_page(course):
    client, enrolment = _enrolled(course["training"])
    LessonCompletion.objects.create(enrolment=enrolment, lesson=course["lessons"][0])
    page = client.get(reverse("courses:training", args=["bons-prompts"])).content.decode()
    assert f"25{NBSP}% terminé{NBSP}: 1 étape sur 4." in page
    assert "Continuer" in page and reverse("courses:resume", args=["bons-prompts"]) in page
    assert f'action="{reverse("courses:enrol_code")}"' not in page


def test_a_business_training_speaks_of_company_seats():
    training = TrainingFactory(audience="business")
    page = Client().get(training.get_absolute_url()).content.decode()
    assert "Votre entreprise achète un nombre de places" in page


def test_a_draft_training_is_a_404_except_for_the_team():
    training = TrainingFactory(is_published=False)
    assert Client().get(training.get_absolute_url()).status_code == 404
    learner = EnrolmentFactory(training=training).user
    assert _client(learner).get(training.get_absolute_url()).status_code == 404
    response = _client(_staff()).get(training.get_absolute_url())
    assert response.status_code == 200 and "Brouillon" in response.content.decode()


def test_a_signed_in_learner_is_never_served_nor_stores_the_shared_copy(course, settings):
    settings.PAGE_CACHE_SECONDS = 300
    url = reverse("courses:training", args=["bons-prompts"])
    learner_client, _ = _enrolled(course["training"])

    assert "Votre progression" in learner_client.get(url).content.decode()
    anonymous_page = Client().get(url).content.decode()  # rendered afresh: the learner's page was not stored
    assert "Votre progression" not in anonymous_page

    # Renamed behind the cache's back: anonymous visitors get the shared copy, the learner a fresh page.
    type(course["training"]).objects.filter(pk=course["training"].pk).update(title="Nouveau titre")
    assert "Nouveau titre" not in Client().get(url).content.decode()
    learner_page = learner_client.get(url).content.decode()
    assert "Nouveau titre" in learner_page and "Votre progression" in learner_page


# ---------------------------------------------------------------------------------------------------------------
# Enrolment by code


def test_a_code_enrols_and_leads_to_the_first_step(course):
    AccessCodeFactory(training=course["training"], code="PROMPTS234")
    learner = LearnerFactory()
    client = _client(learner)

    response = client.post(reverse("courses:enrol_code"), {"code": "prompts-234"}, follow=True)

    assert response.redirect_chain[0] == (reverse("courses:resume", args=["bons-prompts"]), 302)
    assert response.redirect_chain[-1][0] == course["lessons"][0].get_absolute_url()
    assert f"Bienvenue dans la formation «{NBSP}Écrire de bons prompts{NBSP}»" in response.content.decode()
    assert Enrolment.objects.filter(user=learner, training=course["training"], is_active=True).exists()


def test_a_refused_code_is_shown_again_with_the_reason():
    client = _client(LearnerFactory())
    response = client.post(reverse("courses:enrol_code"), {"code": "MAUVAIS-CODE"})
    page = response.content.decode()
    assert response.status_code == 422
    assert 'value="MAUVAIS-CODE"' in page
    assert "Ce code d&#x27;accès est inconnu." in page
    assert 'aria-invalid="true"' in page


def test_an_already_enrolled_learner_is_told_and_the_code_is_kept(course):
    access_code = AccessCodeFactory(training=course["training"], max_uses=3)
    client, _ = _enrolled(course["training"])
    response = client.post(reverse("courses:enrol_code"), {"code": access_code.code})
    assert response.status_code == 422
    assert "Vous suivez déjà cette formation" in response.content.decode()
    assert AccessCode.objects.get(pk=access_code.pk).uses == 0


def test_an_anonymous_visitor_signs_in_first_and_finds_the_code_waiting(course):
    AccessCodeFactory(training=course["training"], code="PROMPTS234")
    client = Client()
    response = client.post(reverse("courses:enrol_code"), {"code": "PROMPTS234"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert not Enrolment.objects.exists()

    client.force_login(LearnerFactory())
    page = client.get(reverse("courses:enrol_code")).content.decode()
    assert 'value="PROMPTS234"' in page


def test_code_tries_are_rate_limited(settings):
    settings.COURSES_CODE_RATE_LIMIT = 2
    client = _client(LearnerFactory())
    statuses = [
        client.post(reverse("courses:enrol_code"), {"code": f"ESSAI{n}"}).status_code for n in range(3)
    ]
    assert statuses == [422, 422, 429]
    assert (
        "essayé beaucoup de codes"
        in client.post(reverse("courses:enrol_code"), {"code": "X"}).content.decode()
    )


def test_enrolling_needs_the_csrf_token():
    client = _client(LearnerFactory(), enforce_csrf_checks=True)
    assert client.post(reverse("courses:enrol_code"), {"code": "ABC"}).status_code == 403


# ---------------------------------------------------------------------------------------------------------------
# Lessons


def test_an_anonymous_visitor_reads_a_preview_lesson_and_is_invited_to_enrol(course):
    response = Client().get(course["lessons"][0].get_absolute_url())
    page = response.content.decode()
    assert response.status_code == 200
    assert "Le prompt est la consigne donnée à l'IA." in page
    assert "Envie d'aller plus loin" in page and reverse("courses:enrol_code") in page
    assert "Marquer comme terminée" not in page


@pytest.mark.parametrize("who", ["anonymous", "stranger"])
def test_a_reserved_lesson_shows_the_enrol_prompt_with_a_403(course, who):
    client = Client() if who == "anonymous" else _client(LearnerFactory())
    response = client.get(course["lessons"][1].get_absolute_url())
    page = response.content.decode()
    assert response.status_code == 403
    assert LOCKED in page
    assert "Le secret des formateurs" not in page
    assert reverse("courses:enrol_code") in page and reverse("booking:start") in page


def test_an_enrolled_learner_reads_the_lesson_and_it_becomes_the_resume_point(course):
    client, enrolment = _enrolled(course["training"])
    lesson = course["lessons"][1]
    response = client.get(lesson.get_absolute_url())
    page = response.content.decode()
    assert response.status_code == 200
    assert "Le secret des formateurs" in page and "Marquer comme terminée" in page
    assert f'href="{course["lessons"][0].get_absolute_url()}" rel="prev"' in page
    assert f'href="{course["lessons"][2].get_absolute_url()}" rel="next"' in page
    assert Enrolment.objects.get(pk=enrolment.pk).last_lesson == lesson


def test_the_team_reads_every_lesson_and_drafts_are_marked(course):
    draft = LessonFactory(module=course["lessons"][0].module, is_published=False, title="Pas encore prête")
    client = _client(_staff())
    assert client.get(course["lessons"][1].get_absolute_url()).status_code == 200
    response = client.get(draft.get_absolute_url())
    assert response.status_code == 200 and "Brouillon" in response.content.decode()


def test_drafts_are_404_for_learners(course):
    client, _ = _enrolled(course["training"])
    draft = LessonFactory(module=course["lessons"][0].module, is_published=False)
    hidden_module = ModuleFactory(training=course["training"], is_published=False)
    in_hidden_module = LessonFactory(module=hidden_module, is_preview=True)
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.get(in_hidden_module.get_absolute_url()).status_code == 404
    assert Client().get(in_hidden_module.get_absolute_url()).status_code == 404


def test_a_lesson_under_another_slug_redirects_and_an_unknown_one_is_a_404(course):
    lesson = course["lessons"][0]
    response = Client().get(reverse("courses:lesson", args=["bons-prompts", lesson.pk, "ancien-nom"]))
    assert response.status_code == 301 and response["Location"] == lesson.get_absolute_url()
    assert (
        Client().get(reverse("courses:lesson", args=["autre-formation", lesson.pk, "pourquoi"])).status_code
        == 404
    )


def test_a_youtube_or_vimeo_video_plays_in_the_lesson_and_other_links_stay_links(course):
    lesson = course["lessons"][0]
    lesson.video_url = "https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=42"
    lesson.save()
    response = Client().get(lesson.get_absolute_url())
    page = response.content.decode()
    assert '<iframe src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"' in page
    assert 'href="https://www.youtube.com/watch?v=dQw4w9WgXcQ&amp;t=42"' in page
    # Frames are allowed on this page, and only from the two players.
    assert response["Content-Security-Policy"].endswith(
        "frame-src https://www.youtube-nocookie.com https://player.vimeo.com"
    )

    lesson.video_url = "https://peertube.example.org/w/9c9de5e8"
    lesson.save()
    response = Client().get(lesson.get_absolute_url())
    assert "<iframe" not in response.content.decode()
    assert 'href="https://peertube.example.org/w/9c9de5e8"' in response.content.decode()
    assert "frame-src" not in response["Content-Security-Policy"]


@pytest.mark.parametrize(
    ("url", "embed"),
    [
        ("https://youtu.be/dQw4w9WgXcQ", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"),
        ("https://m.youtube.com/shorts/dQw4w9WgXcQ", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"),
        ("https://vimeo.com/76979871", "https://player.vimeo.com/video/76979871"),
        ("http://www.youtube.com/watch?v=dQw4w9WgXcQ", ""),
        ("https://www.youtube.com/watch?v=trop-court", ""),
        ("https://evil.example/youtube.com/watch?v=dQw4w9WgXcQ", ""),
        ("", ""),
    ],
)
def test_video_links_become_players_only_when_recognised(url, embed):
    assert video_embed_url(url) == embed


# ---------------------------------------------------------------------------------------------------------------
# Completing, resuming, progress


def test_marking_a_lesson_done_records_it_and_goes_on_to_the_next_step(course):
    client, enrolment = _enrolled(course["training"])
    first, second = course["lessons"][0], course["lessons"][1]
    url = reverse("courses:lesson_complete", args=["bons-prompts", first.pk])

    response = client.post(url)
    assert response.status_code == 302 and response["Location"] == second.get_absolute_url()
    assert client.post(url).status_code == 302  # twice is harmless
    assert LessonCompletion.objects.filter(enrolment=enrolment).count() == 1
    page = client.get(first.get_absolute_url()).content.decode()
    assert "Vous avez terminé cette leçon." in page and "Marquer comme terminée" not in page


def test_marking_done_needs_an_enrolment_a_post_and_the_csrf_token(course):
    lesson = course["lessons"][0]
    url = reverse("courses:lesson_complete", args=["bons-prompts", lesson.pk])
    assert _client(LearnerFactory()).post(url).status_code == 403
    assert Client().post(url).status_code == 302  # to the sign-in page
    client, enrolment = _enrolled(course["training"])
    # A GET (a link followed, a page reloaded) changes nothing and leads back to the lesson.
    assert client.get(url)["Location"] == lesson.get_absolute_url()
    strict = _client(enrolment.user, enforce_csrf_checks=True)
    assert strict.post(url).status_code == 403
    assert not LessonCompletion.objects.exists()


def test_finishing_the_training_leads_to_the_certificate(course):
    client, enrolment = _enrolled(course["training"])
    course["quiz"].is_required = False
    course["quiz"].save()
    for lesson in course["lessons"][:2]:
        LessonCompletion.objects.create(enrolment=enrolment, lesson=lesson)
    response = client.post(reverse("courses:lesson_complete", args=["bons-prompts", course["lessons"][2].pk]))
    assert response["Location"] == reverse("courses:certificate", args=["bons-prompts"])
    assert Certificate.objects.filter(enrolment=enrolment).exists()


def test_resume_goes_to_the_next_step(course):
    client, enrolment = _enrolled(course["training"])
    resume = reverse("courses:resume", args=["bons-prompts"])
    assert client.get(resume)["Location"] == course["lessons"][0].get_absolute_url()

    LessonCompletion.objects.create(enrolment=enrolment, lesson=course["lessons"][1])
    Enrolment.objects.filter(pk=enrolment.pk).update(last_lesson=course["lessons"][1])
    assert client.get(resume)["Location"] == course["lessons"][2].get_absolute_url()

    for lesson in (course["lessons"][0], course["lessons"][2]):
        LessonCompletion.objects.create(enrolment=enrolment, lesson=lesson)
    course["quiz"].delete()
    assert client.get(resume)["Location"] == reverse("courses:progress", args=["bons-prompts"])


def test_resume_sends_a_visitor_who_does_not_follow_the_training_to_its_page(course):
    response = _client(LearnerFactory()).get(reverse("courses:resume", args=["bons-prompts"]))
    assert response["Location"] == course["training"].get_absolute_url()


def test_the_progress_page_counts_per_module_and_what_remains(course):
    client, enrolment = _enrolled(course["training"])
    LessonCompletion.objects.create(enrolment=enrolment, lesson=course["lessons"][0])
    LessonCompletion.objects.create(enrolment=enrolment, lesson=course["lessons"][2])
    response = client.get(reverse("courses:progress", args=["bons-prompts"]))
    page = response.content.decode()
    assert response.status_code == 200
    assert f"50{NBSP}% terminé{NBSP}: 2 étapes sur 4." in page
    assert page.count('<p class="outline__count">1 étape sur 2</p>') == 2
    assert f"Il vous reste 2 étapes obligatoires pour obtenir votre certificat{NBSP}:" in page
    remaining = page[page.index("progress-certificate__remaining") : page.index('id="par-module"')]
    assert "Le rôle" in remaining and "Quiz final" in remaining and "Le format" not in remaining
    assert page.count("Terminée") == 2 and page.count("À faire") == 2


def test_the_progress_page_is_for_learners_only(course):
    assert Client().get(reverse("courses:progress", args=["bons-prompts"])).status_code == 302
    response = _client(LearnerFactory()).get(reverse("courses:progress", args=["bons-prompts"]))
    assert response["Location"] == course["training"].get_absolute_url()


# ---------------------------------------------------------------------------------------------------------------
# Dashboard


def test_the_dashboard_lists_trainings_progress_certificates_and_companies(course):
    client, enrolment = _enrolled(course["training"])
    finished = EnrolmentFactory(user=enrolment.user, training=TrainingFactory(title="Formation finie"))
    Certificate.objects.create(
        enrolment=finished,
        learner_name="Claire",
        training_title="Formation finie",
        hours=7,
        issued_on="2026-11-27",
    )
    company = CompanyFactory(manager=enrolment.user, name="Boulangerie Dupont")
    LessonCompletion.objects.create(enrolment=enrolment, lesson=course["lessons"][0])

    page = client.get(reverse("courses:dashboard")).content.decode()

    assert f"25{NBSP}% terminé{NBSP}: 1 étape sur 4." in page
    assert "Reprendre où vous en étiez" in page and reverse("courses:resume", args=["bons-prompts"]) in page
    assert reverse("courses:certificate", args=[finished.training.slug]) in page
    assert reverse("courses:certificate", args=["bons-prompts"]) not in page
    assert reverse("courses:company", args=[company.pk]) in page and "Boulangerie Dupont" in page


def test_the_dashboard_needs_an_account():
    response = Client().get(reverse("courses:dashboard"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


# ---------------------------------------------------------------------------------------------------------------
# Files


def test_a_reserved_file_goes_to_learners_only(course):
    resource = _resource(course["lessons"][1])
    url = reverse("courses:resource", args=["bons-prompts", resource.pk])
    client, _ = _enrolled(course["training"])

    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"Modele de prompt"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "private" in response["Cache-Control"]

    assert Client().get(url).status_code == 403
    assert _client(LearnerFactory()).get(url).status_code == 403
    assert client.get(reverse("courses:resource", args=["autre", resource.pk])).status_code == 404


def test_a_preview_lessons_file_is_open_to_all(course):
    resource = _resource(course["lessons"][0])
    response = Client().get(reverse("courses:resource", args=["bons-prompts", resource.pk]))
    assert response.status_code == 200


def test_the_lesson_lists_its_files_through_the_guarded_address(course):
    resource = _resource(course["lessons"][1])
    client, _ = _enrolled(course["training"])
    page = client.get(course["lessons"][1].get_absolute_url()).content.decode()
    assert reverse("courses:resource", args=["bons-prompts", resource.pk]) in page
    assert resource.file.url not in page


def test_a_reserved_lessons_image_goes_to_learners_only_and_is_not_under_media(course):
    lesson = course["lessons"][1]
    image = LessonImage(lesson=lesson, name="tableau", alt="Le tableau de bord")
    image.image.save("tableau.png", ContentFile(b"\x89PNG image"), save=True)
    url = reverse("courses:lesson_image", args=["bons-prompts", lesson.pk, "tableau"])
    client, _ = _enrolled(course["training"])

    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"\x89PNG image"
    assert response["Content-Type"] == "image/png"
    assert "private" in response["Cache-Control"]
    assert Client().get(url).status_code == 404
    assert _client(LearnerFactory()).get(url).status_code == 404
    # The file lives in the private storage, outside MEDIA_ROOT: nothing of it is reachable under /media/.
    assert storages["private"].exists(image.image.name)
    assert not storages["default"].exists(image.image.name)
    assert Client().get(f"/media/{image.image.name}").status_code == 404


def test_the_dashboard_reads_the_same_number_of_queries_for_one_training_or_four():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from .factories import EnrolmentFactory, LessonFactory, ModuleFactory, QuizFactory

    learner = LearnerFactory()
    client = _client(learner)

    def follow_one_more():
        module = ModuleFactory()
        LessonFactory(module=module)
        QuizFactory(module=module)
        EnrolmentFactory(user=learner, training=module.training)

    follow_one_more()
    with CaptureQueriesContext(connection) as one:
        assert client.get(reverse("courses:dashboard")).status_code == 200
    for _ in range(3):
        follow_one_more()
    with CaptureQueriesContext(connection) as four:
        page = client.get(reverse("courses:dashboard")).content.decode()
    assert page.count("Reprendre") >= 4
    assert len(four) == len(one)


# ---------------------------------------------------------------------------------------------------------------
# The programme's skeleton kept per content version, each learner's marks put in at every request


@pytest.fixture
def fragments_on(settings):
    settings.FRAGMENT_CACHE_SECONDS = 60


def _marks(page: str) -> dict[str, bool]:
    """Title of each step of the programme on `page` → whether it is marked as done."""
    programme = page[page.index('<ol class="outline">') :]
    steps = re.findall(r'<li class="step step--\w+( step--done)?">(.*?)</li>', programme, re.DOTALL)
    marks = {}
    for done, inner in steps:
        title = re.search(r'class="step__title"[^>]*>([^<]*)<', inner).group(1)
        state = re.search(r'<span class="step__state">(.*?)</span>\s*</span>', inner, re.DOTALL)
        assert bool(done) == ("Terminée" in state.group(1)), inner  # the class and the words agree
        marks[title] = bool(done)
    return marks


def _to_do(page: str) -> str:
    """The list of required steps still to do on the progress page."""
    return page[page.index("progress-certificate__remaining") : page.index('id="par-module"')]


def test_a_completed_step_shows_done_on_the_next_page_and_each_learner_sees_their_own_marks(
    fragments_on, course
):
    training, (first, second, third) = course["training"], course["lessons"]
    progress_url = reverse("courses:progress", args=["bons-prompts"])
    alice, alice_enrolment = _enrolled(training)
    bob, _ = _enrolled(training)
    nothing_done = {"Pourquoi un prompt": False, "Le rôle": False, "Le format": False, "Quiz final": False}
    # Both read the pages first: the programmes are rendered once and kept.
    for client in (alice, bob):
        assert _marks(client.get(second.get_absolute_url()).content.decode()) == nothing_done
        assert _marks(client.get(progress_url).content.decode()) == nothing_done

    response = alice.post(reverse("courses:lesson_complete", args=["bons-prompts", first.pk]))
    assert response.status_code == 302

    alice_lesson = alice.get(first.get_absolute_url()).content.decode()
    assert "Vous avez terminé cette leçon." in alice_lesson
    assert _marks(alice_lesson) == {**nothing_done, "Pourquoi un prompt": True}
    alice_progress = alice.get(progress_url).content.decode()
    assert _marks(alice_progress) == {**nothing_done, "Pourquoi un prompt": True}
    assert f"25{NBSP}% terminé{NBSP}: 1 étape sur 4." in alice_progress
    assert '<p class="outline__count">1 étape sur 2</p>' in alice_progress
    assert "Pourquoi un prompt" not in _to_do(alice_progress) and "Le rôle" in _to_do(alice_progress)

    bob_lesson = bob.get(first.get_absolute_url()).content.decode()
    assert "Marquer comme terminée" in bob_lesson and "Vous avez terminé cette leçon." not in bob_lesson
    assert _marks(bob_lesson) == nothing_done
    bob_progress = bob.get(progress_url).content.decode()
    assert _marks(bob_progress) == nothing_done
    assert f"0{NBSP}% terminé{NBSP}: 0 étape sur 4." in bob_progress
    assert '<p class="outline__count">1 étape sur 2</p>' not in bob_progress
    assert "Pourquoi un prompt" in _to_do(bob_progress) and "Il vous reste 4 étapes" in bob_progress

    # A quiz counts once passed, not before; the page on screen is not a link, the others are.
    QuizAttempt.objects.create(
        enrolment=alice_enrolment, quiz=course["quiz"], number=1, score=20, passed=False
    )
    assert _marks(alice.get(progress_url).content.decode())["Quiz final"] is False
    QuizAttempt.objects.create(
        enrolment=alice_enrolment, quiz=course["quiz"], number=2, score=90, passed=True
    )
    page = alice.get(third.get_absolute_url()).content.decode()
    assert _marks(page) == {**nothing_done, "Pourquoi un prompt": True, "Quiz final": True}
    assert '<span class="step__title" aria-current="page">Le format</span>' in page
    assert f'href="{first.get_absolute_url()}">Pourquoi un prompt</a>' in page
    assert _marks(bob.get(third.get_absolute_url()).content.decode()) == nothing_done


def test_with_fragments_kept_drafts_stay_for_the_team_and_unknown_lessons_are_404(fragments_on, course):
    draft = LessonFactory(module=course["lessons"][0].module, is_published=False, title="Pas encore prête")
    learner, _ = _enrolled(course["training"])
    staff = _client(_staff())
    for _ in range(2):  # the second time from what was kept
        assert learner.get(course["lessons"][1].get_absolute_url()).status_code == 200
        assert learner.get(draft.get_absolute_url()).status_code == 404
        response = staff.get(draft.get_absolute_url())
        assert response.status_code == 200 and "Brouillon" in response.content.decode()
        other = reverse("courses:lesson", args=["autre-formation", course["lessons"][1].pk, "role"])
        assert learner.get(other).status_code == 404
        moved = reverse("courses:lesson", args=["bons-prompts", course["lessons"][1].pk, "ancien-nom"])
        assert learner.get(moved)["Location"] == course["lessons"][1].get_absolute_url()


@pytest.mark.parametrize("kept", [False, True])
def test_the_progress_page_offers_the_certificate_only_while_it_is_valid(course, settings, kept):
    settings.FRAGMENT_CACHE_SECONDS = 60 if kept else 0
    client, enrolment = _enrolled(course["training"])
    url = reverse("courses:progress", args=["bons-prompts"])
    ready = "votre certificat est prêt"
    assert ready not in client.get(url).content.decode()
    certificate = Certificate.objects.create(
        enrolment=enrolment,
        learner_name="Claire Martin",
        training_title=course["training"].title,
        hours=7,
        issued_on="2026-01-05",
    )
    assert ready in client.get(url).content.decode()
    certificate.revoked_at = timezone.now()
    certificate.save()
    assert ready not in client.get(url).content.decode()
