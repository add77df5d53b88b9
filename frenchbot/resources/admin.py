"""The admin of every resources model: guides (with their requests), prompts by use case and tool, use cases,
AI tools, glossary terms. A guide's requests are read only: they come from visitors, with their consent."""

from django.contrib import admin
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from .models import AiTool, GlossaryTerm, Guide, GuideRequest, Prompt, PromptFavourite, UseCase


class GuideRequestInline(admin.TabularInline):
    model = GuideRequest
    extra = 0
    can_delete = False
    show_change_link = True
    fields = ["email", "name", "created_at", "sent_at", "downloaded_at"]
    readonly_fields = fields
    ordering = ["-created_at"]
    max_num = 0

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Guide)
class GuideAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "kind",
        "is_gated",
        "is_published",
        "published_at",
        "requests_count",
        "downloads_count",
    ]
    list_filter = ["kind", "is_gated", "is_published"]
    search_fields = ["title", "summary", "body"]
    prepopulated_fields = {"slug": ["title"]}
    date_hierarchy = "published_at"
    raw_id_fields = ["cover"]
    filter_horizontal = ["articles", "trainings"]
    inlines = [GuideRequestInline]
    fieldsets = [
        (None, {"fields": ["title", "slug", "kind", "summary", "body", "file", "cover"]}),
        (
            _("Publication"),
            {"fields": ["is_published", "published_at", "is_gated", "seo_description"]},
        ),
        (
            _("Ressources liées"),
            {
                "fields": ["articles", "trainings"],
                "description": _("Le guide apparaît dans l'encadré « Ressources liées » de ces pages."),
            },
        ),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                requests_total=Count("requests"),
                downloads_total=Count("requests", filter=Q(requests__downloaded_at__isnull=False)),
            )
        )

    @admin.display(description=_("demandes"), ordering="requests_total")
    def requests_count(self, obj):
        return obj.requests_total

    @admin.display(description=_("téléchargés"), ordering="downloads_total")
    def downloads_count(self, obj):
        return obj.downloads_total if obj.is_gated else "—"


@admin.register(GuideRequest)
class GuideRequestAdmin(admin.ModelAdmin):
    list_display = ["email", "name", "guide", "created_at", "sent_at", "downloaded_at"]
    list_filter = ["guide", ("downloaded_at", admin.EmptyFieldListFilter)]
    search_fields = ["email", "name"]
    date_hierarchy = "created_at"
    list_select_related = ["guide"]
    readonly_fields = ["guide", "email", "name", "consent_text", "created_at", "sent_at", "downloaded_at"]
    fields = readonly_fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class PromptInline(admin.TabularInline):
    model = Prompt
    extra = 0
    fields = ["title", "order", "is_published"]
    show_change_link = True


@admin.register(UseCase)
class UseCaseAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "order", "prompts_count"]
    list_editable = ["order"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [PromptInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(prompts_total=Count("prompts"))

    @admin.display(description=_("prompts"), ordering="prompts_total")
    def prompts_count(self, obj):
        return obj.prompts_total


@admin.register(AiTool)
class AiToolAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "order", "prompts_count"]
    list_editable = ["order"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(prompts_total=Count("prompts"))

    @admin.display(description=_("prompts"), ordering="prompts_total")
    def prompts_count(self, obj):
        return obj.prompts_total


@admin.register(Prompt)
class PromptAdmin(admin.ModelAdmin):
    list_display = ["title", "use_case", "tools_list", "order", "is_published", "updated_at"]
    list_filter = ["use_case", "tools", "is_published"]
    list_editable = ["order", "is_published"]
    list_select_related = ["use_case"]
    search_fields = ["title", "goal", "body", "example_output"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["tools", "articles", "trainings"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "use_case", "goal", "body", "example_output", "tips"]}),
        (_("Outils et publication"), {"fields": ["tools", "order", "is_published"]}),
        (
            _("Ressources liées"),
            {
                "fields": ["articles", "trainings"],
                "description": _("Le prompt apparaît dans l'encadré « Ressources liées » de ces pages."),
            },
        ),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("tools")

    @admin.display(description=_("outils"))
    def tools_list(self, obj):
        return ", ".join(tool.name for tool in obj.tools.all()) or "—"


@admin.register(PromptFavourite)
class PromptFavouriteAdmin(admin.ModelAdmin):
    list_display = ["prompt", "user", "created_at"]
    list_select_related = ["prompt", "user"]
    raw_id_fields = ["user", "prompt"]
    search_fields = ["prompt__title"]


@admin.register(GlossaryTerm)
class GlossaryTermAdmin(admin.ModelAdmin):
    list_display = ["term", "short_definition", "autolink", "is_published", "updated_at"]
    list_filter = ["is_published", "autolink"]
    list_editable = ["autolink", "is_published"]
    search_fields = ["term", "aliases", "short_definition", "body"]
    prepopulated_fields = {"slug": ["term"]}
    filter_horizontal = ["related"]
    fieldsets = [
        (None, {"fields": ["term", "slug", "aliases", "short_definition", "body"]}),
        (_("Liens et publication"), {"fields": ["related", "autolink", "is_published"]}),
    ]
