from django.contrib import admin, messages
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services
from .models import Article, Category, Comment, Poll, PollOption, Tag
from .selectors import blog_cache_invalidate


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]


class PollOptionInline(admin.TabularInline):
    model = PollOption
    extra = 2
    fields = ["label", "position", "vote_count"]
    readonly_fields = ["vote_count"]

    @admin.display(description=_("votes"))
    def vote_count(self, obj):
        return obj.votes.count() if obj.pk else 0


@admin.register(Poll)
class PollAdmin(admin.ModelAdmin):
    list_display = ["question", "article", "is_open", "total_votes"]
    list_filter = ["is_open"]
    autocomplete_fields = ["article"]
    inlines = [PollOptionInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(total=Count("votes"))

    @admin.display(description=_("votes"), ordering="total")
    def total_votes(self, obj):
        return obj.total


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "status", "published_at", "category", "author", "reading_time", "view_link"]
    list_filter = ["status", "category", "tags", "author"]
    search_fields = ["title", "excerpt", "body"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["tags", "category", "cover"]
    readonly_fields = ["cover_preview"]
    date_hierarchy = "published_at"
    actions = ["publish", "make_draft"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "excerpt", "body"]}),
        (_("Image"), {"fields": ["cover", "cover_preview"]}),
        (_("Classement"), {"fields": ["category", "tags", "author"]}),
        (_("Publication"), {"fields": ["status", "published_at", "comments_enabled"]}),
        (_("Référencement"), {"fields": ["seo_title", "seo_description"], "classes": ["collapse"]}),
    ]

    class Media:
        # The writer's desk: image upload into the media library (drag and drop, or a button) and the editor
        # (live preview, autosave, revisions). Both attach to the body's textarea through its data attributes.
        css = {"all": ["media/admin/uploader.css", "blog/admin/editor.css"]}
        js = ["media/admin/uploader.js", "blog/admin/editor.js"]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "body":
            formfield.widget.attrs.update(
                {"data-media-upload": reverse("admin:media_image_upload"), "data-editor": "markdown"}
            )
        return formfield

    def get_changeform_initial_data(self, request):
        return {"author": request.user.pk, **super().get_changeform_initial_data(request)}

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        blog_cache_invalidate()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        blog_cache_invalidate()

    @admin.display(description=_("aperçu de la couverture"))
    def cover_preview(self, obj):
        from frenchbot.media.selectors import image_thumbnail_url

        if not obj or not obj.cover:
            return _("Aucune image\u00a0: choisissez-en une dans la médiathèque.")
        return format_html(
            '<img src="{}" alt="{}" class="media-thumbnail" width="160">',
            image_thumbnail_url(obj.cover),
            obj.cover.alt,
        )

    @admin.display(description=_("voir"))
    def view_link(self, obj):
        label = _("Voir") if obj.is_public else _("Aperçu")
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">{}</a>', obj.get_absolute_url(), label
        )

    @admin.action(description=_("Publier les articles sélectionnés"))
    def publish(self, request, queryset):
        changed = services.article_set_status(articles=queryset, status=Article.Status.PUBLISHED)
        self.message_user(
            request,
            ngettext("%d article publié.", "%d articles publiés.", changed) % changed,
            messages.SUCCESS,
        )

    @admin.action(description=_("Repasser en brouillon"))
    def make_draft(self, request, queryset):
        changed = services.article_set_status(articles=queryset, status=Article.Status.DRAFT)
        self.message_user(
            request,
            ngettext("%d article repassé en brouillon.", "%d articles repassés en brouillon.", changed)
            % changed,
            messages.SUCCESS,
        )


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["short_body", "name", "email", "article", "status", "held_reason", "created_at"]
    list_filter = ["status", "article"]
    search_fields = ["name", "email", "body"]
    list_select_related = ["article"]
    ordering = ["-created_at"]
    date_hierarchy = "created_at"
    readonly_fields = ["article", "parent", "held_reason", "created_at"]
    fields = [
        "article",
        "parent",
        "name",
        "email",
        "body",
        "status",
        "held_reason",
        "is_staff_reply",
        "created_at",
    ]
    actions = ["approve", "mark_spam", "move_to_trash", "mark_pending"]

    @admin.display(description=_("commentaire"))
    def short_body(self, obj):
        return obj.body if len(obj.body) <= 80 else obj.body[:79] + "…"

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        blog_cache_invalidate()

    @admin.action(description=_("Approuver"))
    def approve(self, request, queryset):
        changed = services.comment_moderate(comments=queryset, status=Comment.Status.APPROVED)
        message = ngettext("%d commentaire approuvé.", "%d commentaires approuvés.", changed)
        self.message_user(request, message % changed, messages.SUCCESS)

    @admin.action(description=_("Marquer comme indésirable"))
    def mark_spam(self, request, queryset):
        changed = services.comment_moderate(comments=queryset, status=Comment.Status.SPAM)
        message = ngettext(
            "%d commentaire marqué indésirable.", "%d commentaires marqués indésirables.", changed
        )
        self.message_user(request, message % changed, messages.SUCCESS)

    @admin.action(description=_("Mettre à la corbeille"))
    def move_to_trash(self, request, queryset):
        changed = services.comment_moderate(comments=queryset, status=Comment.Status.TRASH)
        message = ngettext(
            "%d commentaire mis à la corbeille.", "%d commentaires mis à la corbeille.", changed
        )
        self.message_user(request, message % changed, messages.SUCCESS)

    @admin.action(description=_("Remettre en attente"))
    def mark_pending(self, request, queryset):
        changed = services.comment_moderate(comments=queryset, status=Comment.Status.PENDING)
        message = ngettext("%d commentaire remis en attente.", "%d commentaires remis en attente.", changed)
        self.message_user(request, message % changed, messages.SUCCESS)
