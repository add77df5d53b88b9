from django.contrib import admin

from .models import ConsentRecord, Lead, LeadEvent


class ConsentInline(admin.TabularInline):
    model = ConsentRecord
    extra = 0
    fields = ["purpose", "given_at", "text", "ip_fingerprint"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        # A consent is proof of what the person agreed to: it is recorded by the site, never typed in.
        return False


class LeadEventInline(admin.TabularInline):
    model = LeadEvent
    extra = 0
    fields = ["created_at", "kind", "summary", "text", "author"]
    readonly_fields = ["created_at", "author"]
    ordering = ["-created_at"]


@admin.register(Lead)
class LeadAdmin(admin.ModelAdmin):
    list_display = ["email", "name", "company", "source", "status", "next_action_on", "last_activity_at"]
    list_filter = ["status", "source"]
    search_fields = ["email", "name", "company"]
    date_hierarchy = "created_at"
    readonly_fields = ["created_at", "updated_at", "last_activity_at"]
    inlines = [ConsentInline, LeadEventInline]


@admin.register(LeadEvent)
class LeadEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "lead", "kind", "summary"]
    list_filter = ["kind"]
    search_fields = ["lead__email", "summary", "text"]
    raw_id_fields = ["lead"]
    readonly_fields = ["created_at"]
