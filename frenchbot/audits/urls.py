from django.urls import path

from . import views

app_name = "audits"

urlpatterns = [
    path("", views.start, name="start"),
    path("resultat/<uuid:audit_id>/", views.result, name="result"),
    path("resultat/<uuid:audit_id>/rapport.pdf", views.report_pdf, name="report_pdf"),
    path("<slug:slug>/", views.questionnaire, name="questionnaire"),
]
