"""Where the team writes trainings: a training holds its modules, a module its lessons, quizzes and exercises.

Saving or deleting content retires the shared copies of the public pages and the fragments kept per content
version once it is committed (`courses.signals`, for every way of saving, the list's editable columns
included): a newly published lesson shows in the programme at once.
"""

from django.contrib import admin
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from . import tasks
from .forms import AccessCodeAdminForm
from .models import (
    AccessCode,
    Certificate,
    Company,
    Enrolment,
    ExerciseSubmission,
    Lesson,
    LessonImage,
    Module,
    PromptExercise,
    Quiz,
    QuizAttempt,
    QuizChoice,
    QuizQuestion,
    Resource,
    RubricCriterion,
    Seat,
    Training,
)
from .services import certificates


class PublicContentAdmin(admin.ModelAdmin):
    """Content the public pages show (see the module's docstring for how they are refreshed)."""


class ModuleInline(admin.TabularInline):
    model = Module
    fields = ["order", "title", "is_published"]
    extra = 0
    show_change_link = True


@admin.register(Training)
class TrainingAdmin(PublicContentAdmin):
    list_display = ["title", "audience", "level", "duration_hours", "order", "is_published"]
    list_filter = ["is_published", "audience", "level"]
    list_editable = ["order", "is_published"]
    search_fields = ["title", "summary"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [ModuleInline]


class LessonInline(admin.TabularInline):
    model = Lesson
    fields = ["order", "title", "slug", "minutes", "is_preview", "is_required", "is_published"]
    prepopulated_fields = {"slug": ["title"]}
    extra = 0
    show_change_link = True


class QuizInline(admin.TabularInline):
    model = Quiz
    fields = ["order", "title", "pass_mark", "is_required", "is_published"]
    extra = 0
    show_change_link = True


class PromptExerciseInline(admin.TabularInline):
    model = PromptExercise
    fields = ["order", "title", "is_required", "is_published"]
    extra = 0
    show_change_link = True


@admin.register(Module)
class ModuleAdmin(PublicContentAdmin):
    list_display = ["title", "training", "order", "is_published"]
    list_filter = ["training", "is_published"]
    search_fields = ["title"]
    inlines = [LessonInline, QuizInline, PromptExerciseInline]


class LessonImageInline(admin.TabularInline):
    model = LessonImage
    fields = ["name", "image", "alt"]
    extra = 0


class ResourceInline(admin.TabularInline):
    model = Resource
    fields = ["order", "title", "file"]
    extra = 0


@admin.register(Lesson)
class LessonAdmin(PublicContentAdmin):
    list_display = ["title", "module", "order", "minutes", "is_preview", "is_required", "is_published"]
    list_filter = ["module__training", "is_preview", "is_published"]
    search_fields = ["title", "body"]
    prepopulated_fields = {"slug": ["title"]}
    list_select_related = ["module__training"]
    inlines = [LessonImageInline, ResourceInline]
    fieldsets = [
        (None, {"fields": ["module", "title", "slug", "order", "minutes"]}),
        (
            _("Contenu"),
            {
                "fields": ["body", "video_url"],
                "description": _(
                    "Une image ajoutée plus bas s'insère dans le texte par ![texte alternatif](image:nom)."
                ),
            },
        ),
        (_("Publication"), {"fields": ["is_preview", "is_required", "is_published"]}),
    ]


class QuizChoiceInline(admin.TabularInline):
    model = QuizChoice
    fields = ["order", "text", "is_correct"]
    extra = 0


class QuizQuestionInline(admin.StackedInline):
    model = QuizQuestion
    fields = ["order", "text", "kind", "explanation"]
    extra = 0
    show_change_link = True


@admin.register(Quiz)
class QuizAdmin(PublicContentAdmin):
    list_display = ["title", "module", "order", "pass_mark", "max_attempts", "is_required", "is_published"]
    list_filter = ["module__training", "is_published"]
    search_fields = ["title"]
    inlines = [QuizQuestionInline]


@admin.register(QuizQuestion)
class QuizQuestionAdmin(admin.ModelAdmin):
    list_display = ["text", "quiz", "kind", "order"]
    list_filter = ["quiz__module__training", "kind"]
    search_fields = ["text"]
    inlines = [QuizChoiceInline]


class RubricCriterionInline(admin.StackedInline):
    model = RubricCriterion
    fields = ["order", "label", "rule", "values", "feedback_ok", "feedback_missing"]
    extra = 0


@admin.register(PromptExercise)
class PromptExerciseAdmin(PublicContentAdmin):
    list_display = ["title", "module", "order", "pass_criteria", "is_required", "is_published"]
    list_filter = ["module__training", "is_published"]
    search_fields = ["title", "task"]
    inlines = [RubricCriterionInline]


@admin.register(AccessCode)
class AccessCodeAdmin(admin.ModelAdmin):
    form = AccessCodeAdminForm
    list_display = ["code", "training", "uses", "max_uses", "expires_at", "note"]
    list_filter = ["training"]
    search_fields = ["code", "note"]


class SeatInline(admin.TabularInline):
    model = Seat
    fields = ["email", "user", "accepted_at"]
    readonly_fields = ["accepted_at"]
    raw_id_fields = ["user"]
    extra = 0


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = ["name", "training", "manager", "seats_used", "manager_page"]
    list_filter = ["training"]
    search_fields = ["name", "manager__email"]
    raw_id_fields = ["manager"]
    list_select_related = ["training", "manager"]
    # Seats are given and freed on the manager's page (`seat_invite`, `seat_free`): freeing one there also
    # ends the learner's access, which deleting a row here would not.
    inlines = [SeatInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(seat_count=Count("seat_set"))

    @admin.display(description=_("places attribuées"))
    def seats_used(self, company) -> str:
        return f"{company.seat_count} / {company.seats}"

    @admin.display(description=_("page du responsable"))
    def manager_page(self, company) -> str:
        return format_html('<a href="{}">{}</a>', reverse("courses:company", args=[company.pk]), _("Ouvrir"))


@admin.register(Enrolment)
class EnrolmentAdmin(admin.ModelAdmin):
    list_display = ["user", "training", "source", "is_active", "created_at", "completed_at"]
    list_filter = ["training", "source", "is_active"]
    search_fields = ["user__email", "user__last_name"]
    raw_id_fields = ["user", "access_code", "seat", "last_lesson"]
    readonly_fields = ["completed_at"]
    list_select_related = ["user", "training"]


@admin.register(Certificate)
class CertificateAdmin(admin.ModelAdmin):
    list_display = ["code", "learner_name", "training_title", "issued_on", "revoked_at"]
    list_filter = ["issued_on"]
    search_fields = ["code", "learner_name"]
    # What a certificate certifies was copied when it was issued: the team may correct a misspelt name or
    # revoke it, nothing else.
    readonly_fields = ["enrolment", "code", "training_title", "hours", "issued_on"]
    list_select_related = ["enrolment__user"]
    actions = ["revoke", "reinstate", "send_again"]

    def has_add_permission(self, request):
        return False

    def get_search_fields(self, request):
        return [*self.search_fields, "enrolment__user__email"]

    @admin.action(description=_("Révoquer les certificats choisis"))
    def revoke(self, request, queryset):
        for certificate in queryset:
            certificates.certificate_revoke(certificate=certificate)
        self.message_user(request, _("Certificats révoqués : la page de vérification le dit désormais."))

    @admin.action(description=_("Rétablir les certificats choisis"))
    def reinstate(self, request, queryset):
        for certificate in queryset:
            certificates.certificate_reinstate(certificate=certificate)
        self.message_user(request, _("Certificats rétablis."))

    @admin.action(description=_("Renvoyer l'e-mail du certificat"))
    def send_again(self, request, queryset):
        for certificate in queryset.filter(revoked_at__isnull=True):
            tasks.send_certificate_email.enqueue(certificate_id=str(certificate.pk))
        self.message_user(request, _("Les e-mails partent dans un instant."))


@admin.register(QuizAttempt)
class QuizAttemptAdmin(admin.ModelAdmin):
    list_display = ["enrolment", "quiz", "number", "score", "passed", "created_at"]
    list_filter = ["quiz__module__training", "passed"]
    readonly_fields = ["enrolment", "quiz", "number", "answers", "score", "passed", "created_at"]

    def has_add_permission(self, request):
        # What a learner answered: the team reads it, it does not make one up.
        return False


@admin.register(ExerciseSubmission)
class ExerciseSubmissionAdmin(admin.ModelAdmin):
    list_display = ["enrolment", "exercise", "passed", "ai_model", "created_at"]
    list_filter = ["exercise__module__training", "passed"]
    readonly_fields = [
        "enrolment",
        "exercise",
        "prompt",
        "results",
        "passed",
        "ai_feedback",
        "ai_output",
        "ai_model",
        "created_at",
    ]

    def has_add_permission(self, request):
        return False
