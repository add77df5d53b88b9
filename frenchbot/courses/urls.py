"""Under /formations/. Pages of one training carry its slug; a step's page its id (and a lesson its slug too)."""

from django.urls import path

from .views import assessments, catalogue, certificates, companies, learning

app_name = "courses"

urlpatterns = [
    path("", catalogue.catalogue, name="catalogue"),
    path("mes-formations/", learning.dashboard, name="dashboard"),
    path("code/", catalogue.enrol_code, name="enrol_code"),
    path("entreprise/<int:company_id>/", companies.company_detail, name="company"),
    path("invitation/<str:token>/", companies.seat_accept, name="seat_accept"),
    path("<slug:slug>/", catalogue.training, name="training"),
    path("<slug:slug>/reprendre/", learning.resume, name="resume"),
    path("<slug:slug>/progression/", learning.progress, name="progress"),
    # Before the lesson's own address, whose last segment (a slug) would match « terminer » too.
    path("<slug:slug>/lecons/<int:lesson_id>/terminer/", learning.lesson_complete, name="lesson_complete"),
    path("<slug:slug>/lecons/<int:lesson_id>/<slug:lesson_slug>/", learning.lesson, name="lesson"),
    path("<slug:slug>/lecons/<int:lesson_id>/images/<slug:name>", learning.lesson_image, name="lesson_image"),
    path("<slug:slug>/ressources/<int:resource_id>/", learning.resource_download, name="resource"),
    path("<slug:slug>/quiz/<int:quiz_id>/", assessments.quiz, name="quiz"),
    path("<slug:slug>/exercices/<int:exercise_id>/", assessments.exercise, name="exercise"),
    path("<slug:slug>/certificat/", certificates.certificate_page, name="certificate"),
    path("<slug:slug>/certificat.pdf", certificates.certificate_pdf, name="certificate_pdf"),
]
