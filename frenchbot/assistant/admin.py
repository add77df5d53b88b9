"""The team's view of the bot: every conversation with the sources used and the visitors' verdicts, and the
questions asked (to see what the content lacks)."""

from django.contrib import admin
from django.db.models import Count
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from .faq import faq_entry_index, faq_entry_unindex
from .models import Conversation, FaqEntry, Feedback, Message


class MessageInline(admin.TabularInline):
    model = Message
    extra = 0
    can_delete = False
    fields = ("created_at", "role", "content", "status", "sources_list", "provider_name", "verdict")
    readonly_fields = fields
    show_change_link = True

    @admin.display(description=_("sources"))
    def sources_list(self, message):
        return format_html_join(
            format_html("<br>"),
            '<a href="{}">{} {}</a>',
            ((s["url"], s["label"], s["title"]) for s in message.sources),
        )

    @admin.display(description=_("avis"))
    def verdict(self, message):
        feedback = getattr(message, "feedback", None)
        if feedback is None:
            return "—"
        return f"{feedback.get_rating_display()} {feedback.comment}".strip()

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Conversation)
class ConversationAdmin(admin.ModelAdmin):
    list_display = ("__str__", "user", "message_count", "created_at", "updated_at")
    list_filter = ("created_at",)
    search_fields = ("title", "messages__content", "user__email")
    readonly_fields = ("id", "user", "session_key", "ip_hash", "title", "created_at", "updated_at")
    inlines = [MessageInline]
    date_hierarchy = "created_at"

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(message_total=Count("messages"))

    @admin.display(description=_("messages"), ordering="message_total")
    def message_count(self, conversation):
        return conversation.message_total


class FeedbackFilter(admin.SimpleListFilter):
    title = _("avis")
    parameter_name = "avis"

    def lookups(self, request, model_admin):
        return [("up", _("utile")), ("down", _("pas utile")), ("none", _("sans avis"))]

    def queryset(self, request, queryset):
        if self.value() == "up":
            return queryset.filter(feedback__rating=Feedback.Rating.UP)
        if self.value() == "down":
            return queryset.filter(feedback__rating=Feedback.Rating.DOWN)
        if self.value() == "none":
            return queryset.filter(feedback=None)
        return queryset


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    """Answers, filterable by verdict, state and provider: what the bot is asked and how it does."""

    list_display = (
        "created_at",
        "question",
        "short_answer",
        "status",
        "provider_name",
        "source_count",
        "verdict",
    )
    list_filter = ("status", FeedbackFilter, "provider", "created_at")
    search_fields = ("content", "conversation__messages__content")
    readonly_fields = [f.name for f in Message._meta.fields]
    list_select_related = ("feedback", "conversation")
    date_hierarchy = "created_at"

    def get_queryset(self, request):
        return super().get_queryset(request).filter(role=Message.Role.ASSISTANT)

    @admin.display(description=_("question"))
    def question(self, message):
        asked = (
            Message.objects.filter(
                conversation_id=message.conversation_id, role=Message.Role.USER, id__lt=message.id
            )
            .order_by("-id")
            .values_list("content", flat=True)
            .first()
        )
        return (asked or "")[:120]

    @admin.display(description=_("réponse"))
    def short_answer(self, message):
        return message.content[:120]

    @admin.display(description=_("sources"))
    def source_count(self, message):
        return len(message.sources)

    @admin.display(description=_("avis"))
    def verdict(self, message):
        feedback = getattr(message, "feedback", None)
        return feedback.get_rating_display() if feedback else "—"

    def has_add_permission(self, request):
        return False


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    list_display = ("created_at", "rating", "comment", "answer")
    list_filter = ("rating",)
    readonly_fields = ("message", "rating", "comment", "created_at")

    @admin.display(description=_("réponse"))
    def answer(self, feedback):
        return format_html(
            '<a href="../message/{}/change/">{}</a>', feedback.message_id, feedback.message.content[:80]
        )

    def has_add_permission(self, request):
        return False


@admin.register(FaqEntry)
class FaqEntryAdmin(admin.ModelAdmin):
    """The FAQ, written by staff: an entry saved here is on /faq/ and in the bot's answers at once."""

    list_display = ("question", "category", "position", "is_published", "updated_at")
    list_editable = ("position", "is_published")
    list_filter = ("is_published", "category")
    search_fields = ("question", "answer", "category")
    fields = ("question", "answer", "category", "position", "is_published", "slug")
    readonly_fields = ("slug",)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # Indexed now, not only by the background worker: the next visitor who asks gets the answer.
        faq_entry_index(entry=obj)

    def delete_model(self, request, obj):
        entry_id = obj.pk
        super().delete_model(request, obj)
        faq_entry_unindex(entry_id=entry_id)

    def delete_queryset(self, request, queryset):
        entry_ids = list(queryset.values_list("pk", flat=True))
        super().delete_queryset(request, queryset)
        for entry_id in entry_ids:
            faq_entry_unindex(entry_id=entry_id)
