from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from frenchbot.core.pagecache import pagecache_invalidate

from .models import MailingList, Subscriber, SubscriptionChange


@admin.register(MailingList)
class MailingListAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "is_public", "is_default", "position", "subscriber_count"]
    list_editable = ["is_public", "is_default", "position"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name", "slug"]

    @admin.display(description=_("abonnés confirmés"))
    def subscriber_count(self, obj: MailingList) -> int:
        return obj.subscribers.filter(status=Subscriber.Status.CONFIRMED).count()

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # The sign-up forms of cached pages (articles, home) list the public lists.
        pagecache_invalidate()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        pagecache_invalidate()


class SubscriptionChangeInline(admin.TabularInline):
    model = SubscriptionChange
    extra = 0
    can_delete = False
    fields = ["at", "kind", "mailing_list", "issue"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    """Read-mostly: a subscription is the person's own choice, made through the links of the e-mails; staff
    read it (and the proof of consent) and may correct the lists of a hidden, staff-only list."""

    list_display = ["email", "status", "origin", "confirmed_at", "unsubscribed_at", "created_at"]
    list_filter = ["status", "lists", "origin"]
    search_fields = ["email"]
    date_hierarchy = "created_at"
    filter_horizontal = ["lists"]
    inlines = [SubscriptionChangeInline]
    readonly_fields = [
        "email",
        "public_id",
        "status",
        "origin",
        "consent_text",
        "consent_at",
        "confirmation_sent_at",
        "confirmed_at",
        "unsubscribed_at",
        "bounced_at",
        "bounce_reason",
        "lead",
        "created_at",
        "updated_at",
    ]
    fields = ["email", "status", "lists", *readonly_fields[3:]]

    def has_add_permission(self, request):
        # Addresses come in through the double opt-in only.
        return False
