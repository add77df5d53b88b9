"""The sessions' public pages: registration, the learner's page of their session (positioning, surveys,
documents), signing a half-day, the company's convention; and complaints at /reclamation/."""

from django.urls import path

from .views import complaints, conventions, learners, signing

app_name = "sessions"

urlpatterns = [
    path("sessions/<int:session_id>/inscription/", learners.register, name="register"),
    path("sessions/ma-session/<str:token>/", learners.learner, name="learner"),
    path("sessions/ma-session/<str:token>/positionnement/", learners.positioning, name="positioning"),
    path("sessions/ma-session/<str:token>/satisfaction/<str:kind>/", learners.survey, name="survey"),
    path("sessions/ma-session/<str:token>/convocation.ics", learners.convocation_ics, name="ics"),
    path(
        "sessions/ma-session/<str:token>/certificat-de-realisation.pdf",
        learners.completion_pdf,
        name="completion_pdf",
    ),
    path("sessions/emargement/<str:token>/", signing.sign, name="sign"),
    path("sessions/convention/<str:token>/", conventions.convention, name="convention"),
    path("sessions/convention/<str:token>/convention.pdf", conventions.convention_pdf, name="convention_pdf"),
    path("reclamation/", complaints.complaint, name="complaint"),
]
