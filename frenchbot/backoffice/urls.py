from django.urls import path

from . import views

app_name = "backoffice"

urlpatterns = [
    path("", views.board, name="board"),
    path("prospects/", views.lead_list, name="lead_list"),
    path("prospects/export.csv", views.lead_export, name="lead_export"),
    path("prospects/<int:lead_id>/", views.lead_detail, name="lead_detail"),
    path("prospects/<int:lead_id>/statut/", views.lead_status, name="lead_status"),
    path("prospects/<int:lead_id>/note/", views.lead_note, name="lead_note"),
    path("prospects/<int:lead_id>/prochaine-action/", views.lead_next_action, name="lead_next_action"),
    path("rendez-vous/", views.bookings, name="bookings"),
]

urlpatterns += [
    path("questions-sans-reponse/", views.unanswered, name="unanswered"),
    path("questions-sans-reponse/rediger/", views.unanswered_faq, name="unanswered_faq"),
    path("questions-sans-reponse/ignorer/", views.unanswered_dismiss, name="unanswered_dismiss"),
]
