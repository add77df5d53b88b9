from django.urls import path

from .views import complaints, events, leads, newsletter, privacy, session_documents, sessions, statistics

app_name = "backoffice"

urlpatterns = [
    path("", leads.board, name="board"),
    path("prospects/", leads.lead_list, name="lead_list"),
    path("prospects/export.csv", leads.lead_export, name="lead_export"),
    path("prospects/<int:lead_id>/", leads.lead_detail, name="lead_detail"),
    path("prospects/<int:lead_id>/statut/", leads.lead_status, name="lead_status"),
    path("prospects/<int:lead_id>/note/", leads.lead_note, name="lead_note"),
    path("prospects/<int:lead_id>/prochaine-action/", leads.lead_next_action, name="lead_next_action"),
    path("rendez-vous/", leads.bookings, name="bookings"),
    path("rendez-vous/<uuid:public_id>/presence/", leads.booking_outcome, name="booking_outcome"),
]

urlpatterns += [
    path("questions-sans-reponse/", leads.unanswered, name="unanswered"),
    path("questions-sans-reponse/rediger/", leads.unanswered_faq, name="unanswered_faq"),
    path("questions-sans-reponse/ignorer/", leads.unanswered_dismiss, name="unanswered_dismiss"),
]

urlpatterns += [
    path("lettre/", newsletter.newsletter_stats, name="newsletter"),
    path(
        "lettre/abonnes.csv", newsletter.newsletter_subscribers_export, name="newsletter_subscribers_export"
    ),
    path("lettre/lettres.csv", newsletter.newsletter_issues_export, name="newsletter_issues_export"),
    path("evenements/", events.event_list, name="events"),
    path("evenements/<int:event_id>/", events.event_detail, name="event_detail"),
    path("evenements/<int:event_id>/inscrits.csv", events.event_export, name="event_export"),
    path("evenements/<int:event_id>/presence/", events.event_attendance, name="event_attendance"),
    path("evenements/<int:event_id>/suivi/", events.event_followup, name="event_followup"),
]

urlpatterns += [
    path("statistiques/", statistics.statistics, name="statistics"),
    path("statistiques/rapport/", statistics.statistics_report, name="statistics_report"),
]

urlpatterns += [
    path("donnees-personnelles/", privacy.privacy_requests, name="privacy_requests"),
    path(
        "donnees-personnelles/<uuid:public_id>/traiter/",
        privacy.privacy_request_execute,
        name="privacy_request_execute",
    ),
    path("donnees-personnelles/registre/", privacy.privacy_register, name="privacy_register"),
    path(
        "donnees-personnelles/registre.csv", privacy.privacy_register_export, name="privacy_register_export"
    ),
]

urlpatterns += [
    path("sessions/", sessions.session_list, name="sessions"),
    path("sessions/<int:session_id>/", sessions.session_detail, name="session_detail"),
    path(
        "sessions/<int:session_id>/emargement/<int:half_day_id>/",
        sessions.half_day_signing,
        name="half_day_signing",
    ),
    path(
        "sessions/<int:session_id>/emargement/<int:half_day_id>/etat/",
        sessions.half_day_state,
        name="half_day_state",
    ),
    path(
        "sessions/<int:session_id>/emargement/<int:half_day_id>/qr.svg",
        sessions.half_day_qr,
        name="half_day_qr",
    ),
    path(
        "sessions/<int:session_id>/emargement/<int:half_day_id>/presence/",
        sessions.attendance_record,
        name="attendance_record",
    ),
    path(
        "sessions/<int:session_id>/emargement/<int:half_day_id>/contre-signature/",
        sessions.half_day_countersign,
        name="half_day_countersign",
    ),
    path(
        "sessions/<int:session_id>/feuille-emargement.pdf",
        session_documents.attendance_sheet,
        name="attendance_sheet",
    ),
    path(
        "sessions/<int:session_id>/certificats-de-realisation/<int:registration_id>.pdf",
        session_documents.completion_certificate,
        name="completion_certificate",
    ),
    path(
        "sessions/<int:session_id>/conventions/",
        session_documents.convention_create,
        name="convention_create",
    ),
    path(
        "sessions/conventions/<int:convention_id>/",
        session_documents.convention_update,
        name="convention_update",
    ),
    path(
        "sessions/conventions/<int:convention_id>/convention.pdf",
        session_documents.convention_pdf,
        name="convention_pdf",
    ),
    path("sessions/<int:session_id>/preuves.zip", session_documents.session_archive, name="session_archive"),
    path("qualiopi/preuves/", session_documents.period_archive, name="period_archive"),
    path("qualiopi/archives/<str:name>", session_documents.archive_download, name="archive_download"),
    path("reclamations/", complaints.complaint_list, name="complaints"),
    path("reclamations/<int:complaint_id>/", complaints.complaint_detail, name="complaint_detail"),
]
