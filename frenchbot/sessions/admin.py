"""The team schedules sessions here: the training, the half-days, the trainer, the seats; and registers a
company's learners (each gets their convocation once saved). Attendance, surveys and complaints are kept by
their own screens (the back-office), so they are read-only here."""

from django.contrib import admin
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from .models import (
    Complaint,
    Convention,
    HalfDay,
    IndicatorSnapshot,
    Registration,
    SurveyResponse,
    TrainingSession,
)


class HalfDayInline(admin.TabularInline):
    model = HalfDay
    extra = 2
    fields = ["date", "period", "starts_at", "ends_at", "countersigned_at"]
    readonly_fields = ["countersigned_at"]


class RegistrationInline(admin.TabularInline):
    """A company's seats are entered here (name, e-mail, company, its convention); the convocation goes once the
    session is saved. Learners who register themselves appear here too."""

    model = Registration
    extra = 0
    fields = ["name", "email", "company", "convention", "status", "positioning_at", "convocation_sent_at"]
    readonly_fields = ["positioning_at", "convocation_sent_at"]
    raw_id_fields = ["convention"]


@admin.register(TrainingSession)
class TrainingSessionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "kind", "format", "trainer", "seats", "is_published", "cancelled_at"]
    list_filter = ["kind", "format", "is_published", "training"]
    search_fields = ["training__title", "company_name", "place"]
    raw_id_fields = ["training", "trainer"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    inlines = [HalfDayInline, RegistrationInline]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "training",
                    "kind",
                    "company_name",
                    "trainer",
                    "seats",
                    "price_text",
                    "is_published",
                ]
            },
        ),
        (_("Où"), {"fields": ["format", "place", "remote_link", "practical_info"]}),
        (_("Annulation"), {"fields": ["cancelled_at"]}),
    ]

    def save_formset(self, request, form, formset, change):
        new = [obj for obj in formset.save(commit=False) if isinstance(obj, Registration) and obj.pk is None]
        super().save_formset(request, form, formset, change)
        if new:
            from . import tasks

            ids = [registration.pk for registration in new]
            transaction.on_commit(lambda: [tasks.send_convocation.enqueue(registration_id=pk) for pk in ids])


@admin.register(Convention)
class ConventionAdmin(admin.ModelAdmin):
    list_display = ["number", "version", "company_name", "session", "signed_at", "replaced_at"]
    search_fields = ["number", "company_name", "contact_email"]
    readonly_fields = [field.name for field in Convention._meta.fields]

    def has_add_permission(self, request):
        # Written from the session's page in the back-office, which versions them.
        return False


@admin.register(SurveyResponse)
class SurveyResponseAdmin(admin.ModelAdmin):
    list_display = ["session", "kind", "rating", "objectives_met", "would_recommend", "created_at"]
    list_filter = ["kind"]
    readonly_fields = [field.name for field in SurveyResponse._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(Complaint)
class ComplaintAdmin(admin.ModelAdmin):
    list_display = ["reference", "subject", "status", "created_at", "answered_at", "closed_at"]
    list_filter = ["status", "role"]
    search_fields = ["reference", "subject", "email", "name"]
    readonly_fields = [field.name for field in Complaint._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(IndicatorSnapshot)
class IndicatorSnapshotAdmin(admin.ModelAdmin):
    list_display = ["training", "computed_on", "learners", "completion_rate", "success_rate", "satisfaction"]
    readonly_fields = [field.name for field in IndicatorSnapshot._meta.fields]

    def has_add_permission(self, request):
        return False
