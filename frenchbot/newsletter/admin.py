import zoneinfo

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from frenchbot.core.pagecache import pagecache_invalidate

from .errors import NewsletterError
from .models import Issue, MailingList, Subscriber, SubscriptionChange
from .rendering import issue_email
from .selectors import issue_send_progress
from .services.issues import issue_insert_latest
from .services.sending import (
    issue_recipients,
    issue_schedule,
    issue_send_start,
    issue_send_test,
    issue_unschedule,
)


@admin.register(MailingList)
class MailingListAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "is_public", "is_default", "position", "subscriber_count"]
    list_editable = ["is_public", "is_default", "position"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name", "slug"]

    @admin.display(description=gettext_lazy("abonnés confirmés"))
    def subscriber_count(self, obj: MailingList) -> int:
        return obj.subscribers.filter(status=Subscriber.Status.CONFIRMED).count()

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # The sign-up forms of cached pages (articles, home) list the public lists.
        transaction.on_commit(pagecache_invalidate)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        transaction.on_commit(pagecache_invalidate)


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


# =====================================================================================================================
# Letters (Issue): writing, preview, test send, send now, schedule, progress. The sending part of issue 14.
# =====================================================================================================================


# The preview is the e-mail itself: its inline styles only, nothing loaded from anywhere.
class IssueScheduleForm(forms.Form):
    """The date and time of a scheduled send, typed in Paris time whatever the browser's zone."""

    at = forms.DateTimeField(
        label=gettext_lazy("Date et heure d'envoi (heure de Paris)"),
        input_formats=["%Y-%m-%dT%H:%M", "%d/%m/%Y %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def __init__(self, *args, **kwargs):
        with timezone.override(zoneinfo.ZoneInfo("Europe/Paris")):
            super().__init__(*args, **kwargs)
            initial = self.initial.get("at")
            if initial:
                self.initial["at"] = timezone.localtime(initial)

    def full_clean(self):
        with timezone.override(zoneinfo.ZoneInfo("Europe/Paris")):
            super().full_clean()


_PREVIEW_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"
)


@admin.register(Issue)
class IssueAdmin(admin.ModelAdmin):
    list_display = ["subject", "status", "scheduled_at", "sent_at", "progress_short", "in_archive"]
    list_filter = ["status", "in_archive", "lists"]
    search_fields = ["subject", "preheader", "body_markdown"]
    prepopulated_fields = {"slug": ["subject"]}
    filter_horizontal = ["lists"]
    date_hierarchy = "created_at"
    change_form_template = "admin/newsletter/issue/change_form.html"
    fieldsets = [
        (None, {"fields": ["subject", "slug", "preheader", "body_markdown", "lists", "in_archive"]}),
        (
            gettext_lazy("Envoi"),
            {"fields": ["status", "scheduled_at", "sending_started_at", "sent_at", "author", "progress"]},
        ),
    ]
    readonly_fields = ["status", "scheduled_at", "sending_started_at", "sent_at", "author", "progress"]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.status in {Issue.Status.SENDING, Issue.Status.SENT}:
            # What left cannot change any more; only its place in the archive can.
            fields += ["subject", "slug", "preheader", "body_markdown", "lists"]
        return fields

    def get_prepopulated_fields(self, request, obj=None):
        if obj is not None and obj.status in {Issue.Status.SENDING, Issue.Status.SENT}:
            return {}
        return super().get_prepopulated_fields(request, obj)

    def save_model(self, request, obj, form, change):
        if obj.author_id is None:
            obj.author = request.user
        super().save_model(request, obj, form, change)

    @admin.display(description=gettext_lazy("progression"))
    def progress_short(self, obj):
        if obj.status not in {Issue.Status.SENDING, Issue.Status.SENT}:
            return "—"
        counts = issue_send_progress(issue=obj)
        return f"{counts['sent']} / {counts['total']}"

    @admin.display(description=gettext_lazy("progression de l'envoi"))
    def progress(self, obj):
        if obj is None or obj.pk is None or obj.status not in {Issue.Status.SENDING, Issue.Status.SENT}:
            return "—"
        counts = issue_send_progress(issue=obj)
        return format_html(
            "<progress max='{}' value='{}'></progress> {}",
            counts["total"] or 1,
            counts["sent"],
            _(
                "%(sent)s envoyés sur %(total)s · %(bounced)s refusés définitivement · %(failed)s en échec · "
                "%(skipped)s annulés (désinscrits) · %(waiting)s en attente"
            )
            % counts,
        )

    # --- Buttons ------------------------------------------------------------------------------------------------

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:object_id>/apercu/", wrap(self.preview_html), name="newsletter_issue_preview"),
            path(
                "<int:object_id>/apercu/texte/", wrap(self.preview_text), name="newsletter_issue_preview_text"
            ),
            path("<int:object_id>/inserer/", wrap(self.insert_latest), name="newsletter_issue_insert"),
            path("<int:object_id>/test/", wrap(self.send_test), name="newsletter_issue_test"),
            path("<int:object_id>/envoyer/", wrap(self.send_now), name="newsletter_issue_send"),
            path("<int:object_id>/programmer/", wrap(self.schedule), name="newsletter_issue_schedule"),
            *super().get_urls(),
        ]

    def _issue(self, request, object_id, *, change: bool) -> Issue:
        issue = Issue.objects.filter(pk=object_id).prefetch_related("lists").first()
        if issue is None:
            raise Http404
        allowed = (
            self.has_change_permission(request, issue) if change else self.has_view_permission(request, issue)
        )
        if not allowed:
            raise PermissionDenied
        return issue

    def _change_url(self, issue: Issue) -> str:
        return reverse("admin:newsletter_issue_change", args=[issue.pk])

    def _preview_email(self, request, issue: Issue):
        # As a subscriber of every list of the letter would get it; links lead nowhere (no such subscriber).
        reader = Subscriber(email=request.user.email or "apercu@example.invalid")
        names = [mailing_list.name for mailing_list in issue.lists.all()]
        return issue_email(issue=issue, subscriber=reader, list_names=names)

    def preview_html(self, request, object_id):
        issue = self._issue(request, object_id, change=False)
        response = HttpResponse(
            self._preview_email(request, issue).html, content_type="text/html; charset=utf-8"
        )
        response.headers["Content-Security-Policy"] = _PREVIEW_CSP
        return response

    def preview_text(self, request, object_id):
        issue = self._issue(request, object_id, change=False)
        return HttpResponse(
            self._preview_email(request, issue).text, content_type="text/plain; charset=utf-8"
        )

    def _post_only(self, request):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        return None

    def insert_latest(self, request, object_id):
        issue = self._issue(request, object_id, change=True)
        if refused := self._post_only(request):
            return refused
        try:
            issue_insert_latest(issue=issue)
        except NewsletterError as error:
            self.message_user(request, error.message, messages.ERROR)
        else:
            self.message_user(
                request, _("Les derniers articles et événements sont ajoutés à la fin du contenu.")
            )
        return redirect(self._change_url(issue))

    def send_test(self, request, object_id):
        issue = self._issue(request, object_id, change=True)
        if refused := self._post_only(request):
            return refused
        if not request.user.email:
            self.message_user(
                request, _("Votre compte n'a pas d'adresse e-mail : ajoutez-en une."), messages.ERROR
            )
            return redirect(self._change_url(issue))
        try:
            issue_send_test(issue=issue, to=request.user.email, by=request.user)
        except NewsletterError as error:
            self.message_user(request, error.message, messages.ERROR)
        else:
            self.message_user(
                request, _("Un envoi de test part vers %(email)s.") % {"email": request.user.email}
            )
        return redirect(self._change_url(issue))

    def send_now(self, request, object_id):
        issue = self._issue(request, object_id, change=True)
        if issue.status not in {Issue.Status.DRAFT, Issue.Status.SCHEDULED}:
            self.message_user(request, _("Cette lettre est déjà partie."), messages.WARNING)
            return redirect(self._change_url(issue))
        if request.method == "POST":
            try:
                total = issue_send_start(issue=issue, by=request.user)
            except NewsletterError as error:
                self.message_user(request, error.message, messages.ERROR)
            else:
                self.message_user(request, _("L'envoi à %(total)s abonnés commence.") % {"total": total})
            return redirect(self._change_url(issue))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": issue,
            "title": _("Envoyer « %(subject)s » maintenant ?") % {"subject": issue.subject},
            "recipients": issue_recipients(issue=issue).count(),
            "lists": list(issue.lists.all()),
        }
        return TemplateResponse(request, "admin/newsletter/issue/send_confirm.html", context)

    def schedule(self, request, object_id):
        issue = self._issue(request, object_id, change=True)
        if request.method == "POST" and "unschedule" in request.POST:
            try:
                issue_unschedule(issue=issue)
            except NewsletterError as error:
                self.message_user(request, error.message, messages.ERROR)
            else:
                self.message_user(
                    request, _("La lettre n'est plus programmée : elle redevient un brouillon.")
                )
            return redirect(self._change_url(issue))
        form = IssueScheduleForm(request.POST or None, initial={"at": issue.scheduled_at})
        if request.method == "POST" and form.is_valid():
            try:
                issue_schedule(issue=issue, at=form.cleaned_data["at"], by=request.user)
            except NewsletterError as error:
                form.add_error("at" if error.field == "at" else None, error.message)
            else:
                self.message_user(request, _("La lettre est programmée."))
                return redirect(self._change_url(issue))
        if form.is_bound and form.errors.get("at"):
            form.fields["at"].widget.attrs.update(
                {"aria-invalid": "true", "aria-describedby": "id_at_errors"}
            )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": issue,
            "title": _("Programmer « %(subject)s »") % {"subject": issue.subject},
            "form": form,
            "recipients": issue_recipients(issue=issue).count(),
        }
        return TemplateResponse(request, "admin/newsletter/issue/schedule.html", context)
