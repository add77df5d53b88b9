from django.contrib import admin, messages
from django.db import models
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import Event, Registration
from .services.registrations import SCHEDULE_FIELDS, event_schedule_change, event_waitlist_fill


class RegistrationInline(admin.TabularInline):
    """Who registered, read only: registrations change through the registrants' links (and the back-office),
    so that seats, the waiting list and the e-mails stay consistent."""

    model = Registration
    extra = 0
    can_delete = False
    show_change_link = False
    fields = [
        "name",
        "email",
        "company",
        "status",
        "seat",
        "created_at",
        "promoted_at",
        "cancelled_at",
        "attended",
    ]
    readonly_fields = fields
    ordering = ["status", "seat", "created_at"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "starts_at", "seats", "confirmed", "waitlisted", "is_published"]
    list_filter = ["kind", "is_published"]
    search_fields = ["title", "summary", "speaker"]
    date_hierarchy = "starts_at"
    prepopulated_fields = {"slug": ["title"]}
    raw_id_fields = ["training"]
    readonly_fields = ["followup_sent_at"]
    # A link typed without its scheme is taken as https (Django 6's default).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    inlines = [RegistrationInline]
    fieldsets = [
        (None, {"fields": ["title", "slug", "kind", "summary", "description_markdown", "is_published"]}),
        (
            _("Quand et où"),
            {"fields": ["starts_at", "duration_minutes", "seats", "speaker", "place", "join_url"]},
        ),
        (_("Après l'événement"), {"fields": ["replay_url", "training", "followup_sent_at"]}),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                confirmed_count=Count(
                    "registrations", filter=Q(registrations__status=Registration.Status.CONFIRMED)
                ),
                waitlisted_count=Count(
                    "registrations", filter=Q(registrations__status=Registration.Status.WAITLISTED)
                ),
            )
        )

    @admin.display(description=_("inscrits"), ordering="confirmed_count")
    def confirmed(self, obj):
        return obj.confirmed_count

    @admin.display(description=_("liste d'attente"), ordering="waitlisted_count")
    def waitlisted(self, obj):
        return obj.waitlisted_count

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # A moved event, or a new place or link: the registrants get the new details and their calendar follows.
        if change and set(SCHEDULE_FIELDS) & set(form.changed_data):
            told = event_schedule_change(event=obj)
            if told:
                self.message_user(
                    request,
                    ngettext(
                        "%(n)d personne inscrite reçoit les nouvelles informations et l'invitation mise à jour.",
                        "%(n)d personnes inscrites reçoivent les nouvelles informations et l'invitation mise à jour.",
                        told,
                    )
                    % {"n": told},
                    messages.SUCCESS,
                )
        # Seats added to a full event go to the waiting list first, in order.
        if change and "seats" in form.changed_data:
            promoted = event_waitlist_fill(event=obj)
            if promoted:
                self.message_user(
                    request,
                    ngettext(
                        "%(n)d personne de la liste d'attente a reçu une place (un e-mail lui est envoyé).",
                        "%(n)d personnes de la liste d'attente ont reçu une place (un e-mail leur est envoyé).",
                        len(promoted),
                    )
                    % {"n": len(promoted)},
                    messages.SUCCESS,
                )
