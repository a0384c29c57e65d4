"""Discipline records (S1.D1a–c, S1.D3, S1.D4): record an incident on a phone (also the spot-check page), the
list, one record with its history and the buttons its reader may use, and the drafts from attendance to confirm.

Who reads and who acts is decided in conduct.selectors.records (discipline_get_for_user, may_…); the writes are
conduct.services.discipline.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.audit import history_for
from core.forms import add_service_errors, form_status
from core.htmx import is_htmx, render_page
from core.images import photo_response
from core.pagination import list_page
from core.validators import parse_id
from org.access import Right, require, store_for_page, stores_for

from ..choices import DisciplineSource, DisciplineState
from ..forms.records import BulkDraftForm, DecideForm, ReasonForm, RecordFilterForm, RecordForm
from ..models import DisciplineRecord
from ..selectors import records as selectors
from ..services import discipline as services

PAGE_SIZE = 25


# --- Recording -----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def record_create(request):
    """Record an incident from a phone (S1.D1a–c, S1.D3, S1.D4). ``?person=<id>&source=spot_check`` preselects the
    person and marks a spot check (the grooming and desk check pages link here); ``?store=<id>`` picks the store
    for someone with several."""
    user = request.user
    require(user, Right.EDIT)
    if not selectors.may_record_anyone(user):
        raise PermissionDenied
    store = store_for_page(user, request.POST.get("store") or request.GET.get("store"), right=Right.EDIT)
    people = selectors.recordable_people(user, store.pk)
    initial = {"occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"), "source": DisciplineSource.MANUAL}
    if request.GET.get("source") == DisciplineSource.SPOT_CHECK:
        initial["source"] = DisciplineSource.SPOT_CHECK
    wanted = parse_id(request.GET.get("person"))
    if request.GET.get("person"):
        # a person outside the wall or not for this recorder: the page does not pretend to know them
        if wanted is None or not people.filter(pk=wanted).exists():
            raise Http404
        initial["person"] = wanted
    form = RecordForm(request.POST or None, request.FILES or None, people=people, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            record = services.discipline_record(
                actor=user,
                store=store,
                person=data.get("person"),
                kind=data.get("kind") or "",
                occurred_at=data.get("occurred_at"),
                minutes=data.get("minutes"),
                description=data.get("description", ""),
                source=data.get("source") or DisciplineSource.MANUAL,
                photo=data.get("photo"),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("Recorded: %(kind)s of %(person)s. They have been told and may answer by %(due)s.")
                % {
                    "kind": record.get_kind_display(),
                    "person": record.person.name or record.person.username,
                    "due": timezone.localtime(record.answer_by).strftime("%Y-%m-%d %H:%M"),
                },
            )
            return redirect("conduct:record_detail", record_pk=record.pk)
    stores = list(stores_for(user, Right.EDIT))
    return render(
        request,
        "conduct/record_form.html",
        {
            "form": form,
            "store": store,
            "stores": stores if len(stores) > 1 else [],
            "spot_check": form["source"].value() == DisciplineSource.SPOT_CHECK,
        },
        status=form_status(request),
    )


# --- The list ------------------------------------------------------------------------------------


def _filter_people(user):
    return selectors.people_for_filter(user)


@login_required
@require_GET
def record_list(request):
    """The records the person may read, newest first, filtered by store, department, person, kind, state, month;
    staff see only their own (selectors.visible_records)."""
    user = request.user
    require(user, Right.VIEW)
    filters = RecordFilterForm(request.GET, user=user, people=_filter_people(user))
    if filters.is_valid():
        qs = selectors.discipline_list(user, **filters.selector_filters())
    else:
        qs = DisciplineRecord.objects.none()
    page = list_page(request, qs, PAGE_SIZE)
    return render_page(
        request,
        "conduct/record_list.html",
        "conduct/partials/record_rows.html",
        {
            "page": page,
            "filters": filters,
            "can_record": selectors.may_record_anyone(user),
            "drafts": selectors.drafts_to_review(user).count() if selectors.may_record_anyone(user) else 0,
            "only_own": selectors.sees_only_own(user),
        },
    )


# --- One record ----------------------------------------------------------------------------------


def _detail_context(request, record, **forms) -> dict:
    user = request.user
    return {
        "record": record,
        "history": history_for(record),
        "can_answer": selectors.may_answer(user, record),
        "may_contest": selectors.may_answer(user, record)
        and (record.answer_by is None or timezone.now() <= record.answer_by),
        "can_decide": selectors.may_decide(user, record),
        "can_review": selectors.may_review_draft(user, record),
        "contest_form": forms.get("contest_form") or ReasonForm(),
        "decide_form": forms.get("decide_form") or DecideForm(),
        "dismiss_form": forms.get("dismiss_form") or ReasonForm(),
        "saved": forms.get("saved", False),
        "S": DisciplineState,
    }


@login_required
@require_GET
def record_detail(request, record_pk):
    """One record: what, when, who recorded it, the person's answer, the decision, its history, and the buttons
    its reader may use (acknowledge, contest, decide, confirm, dismiss)."""
    record = selectors.discipline_get_for_user(request.user, record_pk)
    return render_page(
        request, "conduct/record_detail.html", "conduct/partials/record_panel.html", _detail_context(request, record)
    )


def _act(request, record_pk, form_key: str, form, call):
    """Run one step's service; its errors show next to the form's fields, nothing saved."""
    record = selectors.discipline_get_for_user(request.user, record_pk, right=Right.EDIT)
    try:
        if form is not None and not form.is_valid():
            raise ValidationError({})
        call(record, form.cleaned_data if form is not None else {})
    except ValidationError as exc:
        if form is None:
            form = ReasonForm({})
            form.is_valid()
        add_service_errors(form, exc)
        record = selectors.discipline_get_for_user(request.user, record_pk)
        context = _detail_context(request, record, **{form_key: form})
        if is_htmx(request):
            return render(request, "conduct/partials/record_panel.html", context)
        return render(request, "conduct/record_detail.html", context, status=400)
    if is_htmx(request):
        record = selectors.discipline_get_for_user(request.user, record_pk)
        return render(request, "conduct/partials/record_panel.html", _detail_context(request, record, saved=True))
    messages.success(request, _("Saved."))
    return redirect("conduct:record_detail", record_pk=record_pk)


@login_required
@require_POST
def record_acknowledge(request, record_pk):
    """The person agrees the record is right."""

    def call(record, data):
        services.discipline_acknowledge(actor=request.user, record=record)

    return _act(request, record_pk, "contest_form", None, call)


@login_required
@require_POST
def record_contest(request, record_pk):
    """The person contests the record with a reason, before its answer time."""

    def call(record, data):
        services.discipline_contest(actor=request.user, record=record, reason=data.get("reason", ""))

    return _act(request, record_pk, "contest_form", ReasonForm(request.POST), call)


@login_required
@require_POST
def record_decide(request, record_pk):
    """The store manager upholds or withdraws a contested record, with a reason."""

    def call(record, data):
        services.discipline_decide(
            actor=request.user, record=record, outcome=data.get("outcome") or "", reason=data.get("reason", "")
        )

    return _act(request, record_pk, "decide_form", DecideForm(request.POST), call)


@login_required
@require_POST
def record_confirm(request, record_pk):
    """A draft from attendance is confirmed: it counts from now and the person is told."""

    def call(record, data):
        services.discipline_confirm(actor=request.user, record=record)

    return _act(request, record_pk, "dismiss_form", None, call)


@login_required
@require_POST
def record_dismiss(request, record_pk):
    """A draft from attendance is dismissed with a reason; it stays visible as dismissed."""

    def call(record, data):
        services.discipline_dismiss(actor=request.user, record=record, reason=data.get("reason", ""))

    return _act(request, record_pk, "dismiss_form", ReasonForm(request.POST), call)


@login_required
@require_GET
def record_photo(request, record_pk):
    """The photo of the incident, for those who may read the record."""
    return photo_response(selectors.discipline_get_for_user(request.user, record_pk).photo)


# --- Drafts from attendance ----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def draft_list(request):
    """S1.D1a: drafts computed from attendance, waiting for the person's supervisor or a manager to confirm or
    dismiss them — one by one on the record's page, or several at once here."""
    user = request.user
    require(user, Right.EDIT)
    if not selectors.may_record_anyone(user):
        raise PermissionDenied
    drafts = selectors.drafts_to_review(user)
    form = BulkDraftForm(request.POST or None, drafts=drafts)
    if request.method == "POST" and form.is_valid():
        chosen = list(form.cleaned_data["records"])
        if not chosen:
            form.add_error("records", _("Tick at least one draft."))
        else:
            try:
                with transaction.atomic():
                    for record in chosen:
                        if form.cleaned_data["action"] == "confirm":
                            services.discipline_confirm(actor=user, record=record)
                        else:
                            services.discipline_dismiss(actor=user, record=record, reason=form.cleaned_data["reason"])
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                done = (
                    _("%(count)d drafts confirmed.")
                    if form.cleaned_data["action"] == "confirm"
                    else _("%(count)d drafts dismissed.")
                )
                messages.success(request, done % {"count": len(chosen)})
                return redirect("conduct:draft_list")
    page = list_page(request, drafts, 50)
    return render(request, "conduct/record_drafts.html", {"page": page, "form": form}, status=form_status(request))
