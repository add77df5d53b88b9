from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services
from .models import AvailabilityRule, Booking, DateOverride, EventType, TeamMember


class AvailabilityRuleInline(admin.TabularInline):
    model = AvailabilityRule
    extra = 1


class DateOverrideInline(admin.TabularInline):
    model = DateOverride
    extra = 0


@admin.register(TeamMember)
class TeamMemberAdmin(admin.ModelAdmin):
    list_display = ["display_name", "user", "timezone", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["display_name", "user__username", "user__email"]
    raw_id_fields = ["user"]
    inlines = [AvailabilityRuleInline, DateOverrideInline]


@admin.register(EventType)
class EventTypeAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "slug",
        "duration_minutes",
        "max_per_day",
        "booking_window_days",
        "is_active",
        "position",
    ]
    list_editable = ["is_active", "position"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["members"]


@admin.register(Booking)
class BookingAdmin(admin.ModelAdmin):
    list_display = ["start", "event_type", "name", "email", "member", "status", "outcome", "reminder_sent_at"]
    list_filter = ["status", "outcome", "event_type", "member"]
    search_fields = ["name", "email", "company"]
    date_hierarchy = "start"
    raw_id_fields = ["lead", "rescheduled_from"]
    actions = ["cancel_bookings"]
    # Times and the person assigned change only through the services, which keep the occupied units right; the
    # outcome is noted on the back-office page (`booking_outcome_set`: the lead's timeline and the funnel).
    readonly_fields = [
        "public_id",
        "event_type",
        "member",
        "start",
        "end",
        "status",
        "cancelled_at",
        "reminder_due_at",
        "reminder_sent_at",
        "rescheduled_from",
        "outcome",
        "outcome_at",
        "created_at",
    ]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Annuler les rendez-vous choisis (les visiteurs sont prévenus)"))
    def cancel_bookings(self, request, queryset):
        done = 0
        for booking in queryset.filter(status=Booking.Status.CONFIRMED):
            try:
                services.booking_cancel(booking=booking, by_team=True)
            except services.BookingError as error:
                self.message_user(request, f"{booking} : {error.message}", messages.WARNING)
            else:
                done += 1
        self.message_user(
            request, ngettext("%(n)d rendez-vous annulé.", "%(n)d rendez-vous annulés.", done) % {"n": done}
        )
