from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models import Count
from django.http import Http404, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from frenchbot.core.dates import when_text
from frenchbot.core.ratelimit import rate_limit_hit

from . import selectors, services
from .models import Article, ArticleRevision, AuthorProfile, Category, Comment, Poll, PollOption, Tag
from .rendering import article_body_html
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
        services.article_revision_record(article=obj, user=request.user)
        # Once committed: a page rendered meanwhile must not be kept under the new version with the old data.
        transaction.on_commit(blog_cache_invalidate)

    # --- The writer's desk: live preview, autosave, revisions -------------------------------------------------

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("apercu/", wrap(self.preview_view), name="blog_article_preview"),
            path("<int:object_id>/autosave/", wrap(self.autosave_view), name="blog_article_autosave"),
            path("<int:object_id>/revisions/", wrap(self.revisions_view), name="blog_article_revisions"),
            path(
                "<int:object_id>/revisions/<int:revision_id>/restaurer/",
                wrap(self.revision_restore_view),
                name="blog_article_revision_restore",
            ),
            *super().get_urls(),
        ]

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        pending = selectors.article_autosave_pending(article=obj, user=request.user) if obj else None
        context["editor_config"] = {
            "previewUrl": reverse("admin:blog_article_preview"),
            "autosaveUrl": reverse("admin:blog_article_autosave", args=[obj.pk]) if obj else "",
            # A new article has no row to attach an autosave to: its draft stays in the browser.
            "storageKey": "" if obj else f"fb-article-draft-new-{request.user.pk}",
            "pending": {
                "title": pending.title,
                "excerpt": pending.excerpt,
                "body": pending.body,
                "savedAt": _time_label(pending.created_at),
            }
            if pending
            else None,
        }
        return super().render_change_form(
            request, context, add=add, change=change, form_url=form_url, obj=obj
        )

    def _editor_refusal(self, request):
        """Shared checks of the preview and autosave calls; a JSON answer when refused, else None."""
        if request.method != "POST":
            return JsonResponse({"error": gettext("Utilisez POST.")}, status=405)
        length = int(request.META.get("CONTENT_LENGTH") or 0)
        if length > settings.BLOG_EDITOR_MAX_CHARS * 4 + 4096:
            return _too_large()
        if rate_limit_hit(
            scope="blog_editor",
            key=str(request.user.pk),
            limit=settings.BLOG_EDITOR_RATE_LIMIT,
            window_seconds=60,
        ):
            return JsonResponse(
                {"error": gettext("Trop de demandes en peu de temps : l'aperçu reprendra dans un instant.")},
                status=429,
            )
        return None

    def preview_view(self, request):
        """The body as the site will show it, rendered by the site's own function (JSON: {"html": ...})."""
        if not (self.has_add_permission(request) or self.has_change_permission(request)):
            raise PermissionDenied
        if refused := self._editor_refusal(request):
            return refused
        body = request.POST.get("body", "")
        if len(body) > settings.BLOG_EDITOR_MAX_CHARS:
            return _too_large()
        html = render_to_string(
            "admin/blog/article/_preview.html", {"body_html": article_body_html(body)}, request=request
        )
        return JsonResponse({"html": html})

    def _article(self, request, object_id) -> Article:
        article = Article.objects.filter(pk=object_id).first()
        if article is None:
            raise Http404
        if not self.has_change_permission(request, article):
            raise PermissionDenied
        return article

    def autosave_view(self, request, object_id):
        article = self._article(request, object_id)
        if refused := self._editor_refusal(request):
            return refused
        try:
            revision = services.article_autosave(
                article=article,
                user=request.user,
                title=request.POST.get("title", ""),
                excerpt=request.POST.get("excerpt", ""),
                body=request.POST.get("body", ""),
            )
        except services.BlogError as error:
            return JsonResponse({"error": error.message, "field": error.field}, status=413)
        label = _time_label(revision.created_at)
        return JsonResponse(
            {"savedAt": label, "status": gettext("Brouillon enregistré à %(time)s") % {"time": label}}
        )

    def revisions_view(self, request, object_id):
        article = self._article(request, object_id)
        rows = selectors.article_revisions(article=article)
        by_id = {str(row.revision.pk): row.revision for row in rows}
        old_key, new_key = request.GET.get("a", ""), request.GET.get("b", "current")
        comparison = None
        if old_key:
            old = by_id.get(old_key) if old_key != "current" else article
            new = by_id.get(new_key) if new_key != "current" else article
            if old is None or new is None:
                self.message_user(request, gettext("Cette révision n'existe plus."), messages.WARNING)
            else:
                comparison = {
                    "old": old,
                    "new": new,
                    "old_key": old_key,
                    "new_key": new_key,
                    "fields": selectors.revision_compare(old=old, new=new),
                }
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": article,
            "title": gettext("Révisions de « %(title)s »") % {"title": article.title},
            "rows": rows,
            "comparison": comparison,
            "has_change_permission": True,
        }
        return TemplateResponse(request, "admin/blog/article/revisions.html", context)

    def revision_restore_view(self, request, object_id, revision_id):
        article = self._article(request, object_id)
        revision = ArticleRevision.objects.filter(pk=revision_id, article=article).first()
        if revision is None:
            raise Http404
        if request.method == "POST":
            services.article_revision_restore(revision=revision, user=request.user)
            self.message_user(
                request,
                gettext("La révision du %(date)s est restaurée ; l'état précédent reste dans les révisions.")
                % {"date": _moment_label(revision.created_at)},
                messages.SUCCESS,
            )
            return redirect(reverse("admin:blog_article_change", args=[article.pk]))
        if request.method != "GET":
            return HttpResponseNotAllowed(["GET", "POST"])
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": article,
            "revision": revision,
            "title": gettext("Restaurer cette révision ?"),
            "fields": selectors.revision_compare(old=article, new=revision),
        }
        return TemplateResponse(request, "admin/blog/article/revision_restore.html", context)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        # Once committed: a page rendered meanwhile must not be kept under the new version with the old data.
        transaction.on_commit(blog_cache_invalidate)

    @admin.display(description=_("aperçu de la couverture"))
    def cover_preview(self, obj):
        from frenchbot.media.selectors import image_thumbnail_url

        if not obj or not obj.cover:
            return _("Aucune image : choisissez-en une dans la médiathèque.")
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


def _time_label(moment) -> str:
    return time_format(timezone.localtime(moment), "TIME_FORMAT")


def _moment_label(moment) -> str:
    return when_text(moment, with_zone=False)


def _too_large():
    return JsonResponse(
        {
            "error": gettext("Le texte est trop long pour l'aperçu et la sauvegarde automatique."),
            "field": "body",
        },
        status=413,
    )


@admin.register(AuthorProfile)
class AuthorProfileAdmin(admin.ModelAdmin):
    list_display = ["display_name", "role", "user", "view_link"]
    search_fields = ["display_name", "role", "user__username", "user__email"]
    prepopulated_fields = {"slug": ["display_name"]}
    autocomplete_fields = ["user"]
    raw_id_fields = ["photo"]
    fields = ["user", "display_name", "slug", "role", "bio", "photo", "linkedin_url"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    @admin.display(description=_("page"))
    def view_link(self, obj):
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">{}</a>', obj.get_absolute_url(), _("Voir")
        )


class AuthorProfileInline(admin.StackedInline):
    """The author page's profile on the user's own admin page, so that a writer is set up in one place."""

    model = AuthorProfile
    can_delete = True
    extra = 0
    max_num = 1
    fields = ["display_name", "slug", "role", "bio", "photo", "linkedin_url"]
    prepopulated_fields = {"slug": ["display_name"]}
    raw_id_fields = ["photo"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    verbose_name = _("page d'auteur du blog")


def _add_author_inline_to_user_admin() -> None:
    # The user admin belongs to whoever registered it (Django's own by default): it is extended, not replaced,
    # so that its other customisations stay.
    user_model = get_user_model()
    if not admin.site.is_registered(user_model):
        return
    current = type(admin.site._registry[user_model])
    if AuthorProfileInline in current.inlines:
        return
    admin.site.unregister(user_model)
    admin.site.register(
        user_model, type(current.__name__, (current,), {"inlines": [*current.inlines, AuthorProfileInline]})
    )


_add_author_inline_to_user_admin()


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
        # Once committed: a page rendered meanwhile must not be kept under the new version with the old data.
        transaction.on_commit(blog_cache_invalidate)

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
