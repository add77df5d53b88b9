"""The team's back-office: the leads pipeline as a board and a list, a lead's file, the CSV export.
Every view is for staff only (anonymous visitors and non-staff users go to the login page), and each needs the
permission of its work (permissions.py): a moderator cannot read the leads."""

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from frenchbot.assistant import faq as faq_services
from frenchbot.assistant import selectors as assistant_selectors
from frenchbot.booking import services as booking_services
from frenchbot.booking.models import Booking
from frenchbot.booking.selectors import booking_get, bookings_past, bookings_upcoming
from frenchbot.core.csvexport import csv_response
from frenchbot.leads import selectors as lead_selectors
from frenchbot.leads import services as lead_services
from frenchbot.leads.models import Lead
from frenchbot.retrieval.selectors import vectors_progress

from ..forms import (
    FaqEntryForm,
    LeadFilterForm,
    LeadNextActionForm,
    LeadNoteForm,
    LeadStatusForm,
    message_ids_parse,
)
from ..permissions import first_section_for, staff_permission_required

PAGE_SIZE = 50


def _lead_or_404(lead_id: int) -> Lead:
    lead = lead_selectors.lead_get(lead_id=lead_id)
    if lead is None:
        raise Http404(_("Ce prospect n'existe pas."))
    return lead


def _back(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


@staff_member_required
@require_safe
def board(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("leads.view_lead"):
        # A moderator's or a trainer's way into the back-office: the first section they may open.
        section = first_section_for(request.user)
        if section is None:
            raise PermissionDenied
        return redirect(section)
    search = request.GET.get("q", "").strip()[:200]
    columns = lead_selectors.lead_board(search=search)
    funnel, lost = lead_selectors.lead_funnel()
    return render(
        request,
        "backoffice/board.html",
        {
            "columns": columns,
            "search": search,
            "statuses": Lead.Status.choices,
            "total": sum(column.count for column in columns),
            "funnel": funnel,
            "lost": lost,
            # After a first start the task worker computes the search vectors: staff follow it here.
            "index_progress": vectors_progress(),
        },
    )


@staff_permission_required("leads.view_lead")
@require_safe
def lead_list(request: HttpRequest) -> HttpResponse:
    form = LeadFilterForm(request.GET or None)
    leads = lead_selectors.lead_list(**form.filters())
    page = Paginator(leads, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "backoffice/lead_list.html",
        {"form": form, "page_obj": page, "query": query.urlencode(), "statuses": Lead.Status.choices},
    )


@staff_permission_required("leads.view_lead")
@require_safe
def lead_export(request: HttpRequest) -> StreamingHttpResponse:
    form = LeadFilterForm(request.GET or None)
    rows = lead_selectors.lead_csv_rows(leads=lead_selectors.lead_list(**form.filters()))
    return csv_response(rows=rows, filename=f"prospects-{timezone.localdate():%Y-%m-%d}.csv")


def _render_detail(request, lead, *, status=200, note_form=None, action_form=None, status_form=None):
    return render(
        request,
        "backoffice/lead_detail.html",
        {
            "lead": lead,
            "timeline": lead_selectors.lead_timeline(lead=lead),
            "consents": lead_selectors.lead_consents(lead=lead),
            "bookings": lead.bookings.select_related("event_type", "member").order_by("-start"),
            "status_form": status_form or LeadStatusForm(initial={"status": lead.status}),
            "note_form": note_form or LeadNoteForm(),
            "action_form": action_form
            or LeadNextActionForm(initial={"on": lead.next_action_on, "text": lead.next_action}),
        },
        status=status,
    )


@staff_permission_required("leads.view_lead")
@require_safe
def lead_detail(request: HttpRequest, lead_id: int) -> HttpResponse:
    return _render_detail(request, _lead_or_404(lead_id))


@staff_permission_required("leads.change_lead")
@require_POST
def lead_status(request: HttpRequest, lead_id: int) -> HttpResponse:
    lead = _lead_or_404(lead_id)
    form = LeadStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Statut inconnu : choisissez-en un dans la liste."))
        return redirect(_back(request, reverse("backoffice:lead_detail", args=[lead.pk])))
    lead = lead_services.lead_set_status(lead=lead, status=form.cleaned_data["status"], by=request.user)
    messages.success(
        request,
        _("%(lead)s est maintenant « %(status)s ».")
        % {"lead": lead.name or lead.email, "status": lead.get_status_display()},
    )
    return redirect(_back(request, reverse("backoffice:lead_detail", args=[lead.pk])))


@staff_permission_required("leads.change_lead")
@require_POST
def lead_note(request: HttpRequest, lead_id: int) -> HttpResponse:
    lead = _lead_or_404(lead_id)
    form = LeadNoteForm(request.POST)
    if form.is_valid():
        try:
            lead_services.lead_add_note(lead=lead, text=form.cleaned_data["text"], by=request.user)
        except lead_services.LeadError as error:
            form.add_error("text", error.message)
        else:
            messages.success(request, _("Note ajoutée."))
            return redirect(reverse("backoffice:lead_detail", args=[lead.pk]) + "#historique")
    return _render_detail(request, lead, status=400, note_form=form)


@staff_permission_required("leads.change_lead")
@require_POST
def lead_next_action(request: HttpRequest, lead_id: int) -> HttpResponse:
    lead = _lead_or_404(lead_id)
    form = LeadNextActionForm(request.POST)
    if form.is_valid():
        try:
            lead_services.lead_set_next_action(
                lead=lead, on=form.cleaned_data["on"], text=form.cleaned_data["text"], by=request.user
            )
        except lead_services.LeadError as error:
            form.add_error(error.field or "text", error.message)
        else:
            messages.success(request, _("Prochaine action enregistrée."))
            return redirect(reverse("backoffice:lead_detail", args=[lead.pk]))
    return _render_detail(request, lead, status=400, action_form=form)


@staff_permission_required("booking.view_booking")
@require_safe
def bookings(request: HttpRequest) -> HttpResponse:
    """The calls to come, and those of the last 30 days, for the team to note whether each was held."""
    now = timezone.now()
    return render(
        request,
        "backoffice/bookings.html",
        {
            "bookings": list(bookings_upcoming(now=now)[:200]),
            "past": list(bookings_past(now=now)[:200]),
            "now": now,
            "outcomes": Booking.Outcome,
            "can_note": request.user.has_perm("booking.change_booking"),
        },
    )


@staff_permission_required("booking.change_booking")
@require_POST
def booking_outcome(request: HttpRequest, public_id) -> HttpResponse:
    """« Tenu » / « Absent » on a call that has started; back to the bookings page with a message."""
    booking = booking_get(public_id=public_id)
    if booking is None:
        raise Http404(_("Ce rendez-vous n'existe pas."))
    try:
        booking = booking_services.booking_outcome_set(
            booking=booking, outcome=request.POST.get("outcome", ""), by=request.user
        )
    except booking_services.BookingError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Présence notée pour le rendez-vous de %(name)s : « %(outcome)s ».")
            % {"name": booking.name, "outcome": booking.get_outcome_display()},
        )
    return redirect(_back(request, reverse("backoffice:bookings")))


# --- Questions the bot could not answer -------------------------------------------------------------------------


@staff_permission_required("assistant.view_message")
@require_safe
def unanswered(request: HttpRequest) -> HttpResponse:
    """« Questions sans réponse »: what visitors asked that our content does not answer, grouped by meaning."""
    return render(request, "backoffice/unanswered.html", {"groups": assistant_selectors.unanswered_groups()})


@staff_permission_required("assistant.add_faqentry")
@require_http_methods(["GET", "HEAD", "POST"])
def unanswered_faq(request: HttpRequest) -> HttpResponse:
    """« Rédiger une entrée de FAQ » from a group: its most typical question prefilled; once sent, the entry is
    published and indexed, and the group's questions leave the list."""
    status = 200
    if request.method == "POST":
        form = FaqEntryForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                entry = faq_services.faq_entry_create(
                    question=data["question"],
                    answer=data["answer"],
                    category=data["category"],
                    answers_message_ids=form.group_message_ids(),
                )
            except faq_services.FaqError as error:
                for field, message in error.errors.items():
                    form.add_error(field if field in form.fields else None, message)
            else:
                messages.success(
                    request,
                    _("« %(question)s » est publiée dans la FAQ : le bot y répond dès maintenant.")
                    % {"question": entry.question},
                )
                return redirect("backoffice:unanswered")
        status = 400
        group_ids = form.group_message_ids()
    else:
        group_ids = message_ids_parse(request.GET.get("groupe", ""))
        groups = assistant_selectors.unanswered_groups(message_ids=group_ids) if group_ids else []
        form = FaqEntryForm(
            initial={
                "question": groups[0].typical if groups else "",
                "group": ",".join(str(i) for i in group_ids),
            }
        )
    questions = assistant_selectors.unanswered_questions(message_ids=group_ids) if group_ids else []
    return render(
        request, "backoffice/unanswered_faq.html", {"form": form, "questions": questions}, status=status
    )


@staff_permission_required("assistant.change_message")
@require_POST
def unanswered_dismiss(request: HttpRequest) -> HttpResponse:
    """« Ignorer »: the group leaves the list without an FAQ entry (spam, off-topic)."""
    dismissed = faq_services.unanswered_dismiss(message_ids=message_ids_parse(request.POST.get("group", "")))
    if dismissed:
        messages.success(
            request,
            ngettext(
                "%(count)d question ignorée : elle ne figure plus dans la liste.",
                "%(count)d questions ignorées : elles ne figurent plus dans la liste.",
                dismissed,
            )
            % {"count": dismissed},
        )
    else:
        messages.error(request, _("Ces questions ont déjà été traitées : rien à ignorer."))
    return redirect("backoffice:unanswered")
