from django.contrib import admin

from .models import Audit, Opportunity, Option, Question, Questionnaire


class QuestionInline(admin.TabularInline):
    model = Question
    fields = ["order", "dimension", "text", "weight"]
    extra = 0
    show_change_link = True


class OptionInline(admin.TabularInline):
    model = Option
    fields = ["order", "text", "score"]
    extra = 0


@admin.register(Questionnaire)
class QuestionnaireAdmin(admin.ModelAdmin):
    list_display = ["title", "track", "is_active"]
    inlines = [QuestionInline]


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["text", "questionnaire", "dimension", "order", "weight"]
    list_filter = ["questionnaire", "dimension"]
    search_fields = ["text"]
    inlines = [OptionInline]


@admin.register(Opportunity)
class OpportunityAdmin(admin.ModelAdmin):
    list_display = [
        "task",
        "dimension",
        "track",
        "threshold",
        "hours_saved_per_month",
        "difficulty",
        "is_active",
    ]
    list_filter = ["dimension", "track", "difficulty", "is_active"]
    search_fields = ["task", "tools"]
    filter_horizontal = ["trigger_options"]


@admin.register(Audit)
class AuditAdmin(admin.ModelAdmin):
    list_display = ["id", "track", "overall", "level", "email", "created_at"]
    list_filter = ["track", "level"]
    search_fields = ["email"]
    readonly_fields = [f.name for f in Audit._meta.fields]

    def has_add_permission(self, request):
        # An audit is what a visitor answered: staff read it, they do not make one up.
        return False
