"""Under /formations/. Pages of one training carry its slug; a step's page its id (and a lesson its slug too)."""

from django.urls import path

from . import views, views_assessments, views_certificates, views_companies

app_name = "courses"

urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("mes-formations/", views.dashboard, name="dashboard"),
    path("code/", views.enrol_code, name="enrol_code"),
    path("entreprise/<int:company_id>/", views_companies.company_detail, name="company"),
    path("invitation/<str:token>/", views_companies.seat_accept, name="seat_accept"),
    path("<slug:slug>/", views.training, name="training"),
    path("<slug:slug>/reprendre/", views.resume, name="resume"),
    path("<slug:slug>/progression/", views.progress, name="progress"),
    # Before the lesson's own address, whose last segment (a slug) would match « terminer » too.
    path("<slug:slug>/lecons/<int:lesson_id>/terminer/", views.lesson_complete, name="lesson_complete"),
    path("<slug:slug>/lecons/<int:lesson_id>/<slug:lesson_slug>/", views.lesson, name="lesson"),
    path("<slug:slug>/lecons/<int:lesson_id>/images/<slug:name>", views.lesson_image, name="lesson_image"),
    path("<slug:slug>/ressources/<int:resource_id>/", views.resource_download, name="resource"),
    path("<slug:slug>/quiz/<int:quiz_id>/", views_assessments.quiz, name="quiz"),
    path("<slug:slug>/exercices/<int:exercise_id>/", views_assessments.exercise, name="exercise"),
    path("<slug:slug>/certificat/", views_certificates.certificate_page, name="certificate"),
    path("<slug:slug>/certificat.pdf", views_certificates.certificate_pdf, name="certificate_pdf"),
]
