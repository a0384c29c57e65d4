"""Facilities and fault tickets (S4.11): the register, reporting a fault from a phone, the tickets and their fix.

Anyone who may work (Right.EDIT) reports a fault, starts it and fixes it; managers keep the register
(Right.MANAGE_STORE); store managers and supervisors may close a ticket without a fix; auditors look.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from checks.models import RoundResult
from core.audit import history_for
from core.forms import add_service_errors, form_status
from core.htmx import is_htmx, render_page
from core.images import photo_response
from core.pagination import list_page
from core.templatetags.ui import format_duration
from lounge.choices import FaultSource, FaultState
from lounge.forms.faults import (
    FacilityForm,
    FaultCloseForm,
    FaultFilterForm,
    FaultFixForm,
    FaultReportForm,
    FaultStartForm,
)
from lounge.models import Facility
from lounge.selectors import faults as selectors
from lounge.services import faults as services
from org.access import Right, get_for_user, has_right, require, scope, store_for_page, stores_for
from org.selectors import store_get_for_user

PAGE_SIZE = 25


# --- The register --------------------------------------------------------------------------------


@login_required
@require_GET
def facility_list(request):
    """The lounge's facilities, each in order or out of order (with its open ticket and clock)."""
    user = request.user
    require(user, Right.VIEW)
    show_all = request.GET.get("all") == "1"
    facilities = list(selectors.facility_list(user, include_inactive=show_all))
    manage_stores = list(stores_for(user, Right.MANAGE_STORE))
    return render(
        request,
        "lounge/facility_list.html",
        {
            "facilities": facilities,
            "out_of_order": sum(1 for f in facilities if f.open_faults),
            "show_all": show_all,
            "can_report": has_right(user, Right.EDIT),
            "manage_store_ids": {s.pk for s in manage_stores},
            "manage_stores": manage_stores,
            "several_stores": len({f.store_id for f in facilities}) > 1 or len(manage_stores) > 1,
        },
    )


def _facility_form(request, form: FacilityForm, facility: Facility | None):
    if request.method == "POST" and form.is_valid():
        store = facility.store if facility is not None else form.cleaned_data["store"]
        require(request.user, Right.MANAGE_STORE, store.pk)
        data = form.cleaned_data
        try:
            saved = services.facility_save(
                actor=request.user,
                store=store,
                facility=facility,
                name=data.get("name", ""),
                kind=data.get("kind", ""),
                location=data.get("location", ""),
                active=data.get("active", True) if facility is not None else True,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Facility saved: %(name)s.") % {"name": saved.name})
            return redirect("lounge:facility_list")
    return render(
        request,
        "lounge/facility_form.html",
        {"form": form, "facility": facility},
        status=form_status(request),
    )


@login_required
@require_http_methods(["GET", "POST"])
def facility_create(request):
    """Add a facility to the register (managers)."""
    require(request.user, Right.MANAGE_STORE)
    form = FacilityForm(request.POST or None, user=request.user)
    return _facility_form(request, form, None)


@login_required
@require_http_methods(["GET", "POST"])
def facility_edit(request, facility_pk):
    """Rename, move, or take a facility out of use (managers)."""
    facility = selectors.facility_get_for_user(request.user, facility_pk, right=Right.MANAGE_STORE)
    require(request.user, Right.MANAGE_STORE, facility.store_id)
    initial = {"store": facility.store_id, "name": facility.name, "kind": facility.kind}
    initial |= {"location": facility.location, "active": facility.active}
    form = FacilityForm(request.POST or None, user=request.user, facility=facility, initial=initial)
    return _facility_form(request, form, facility)


@login_required
@require_POST
def facility_defaults(request, store_pk):
    """Add the usual lounge facilities the store lacks (managers); running it twice adds nothing."""
    store = store_get_for_user(request.user, store_pk, right=Right.MANAGE_STORE)
    require(request.user, Right.MANAGE_STORE, store.pk)
    added = services.facility_defaults(store=store, actor=request.user)
    if added:
        messages.success(request, _("Added: %(names)s.") % {"names": "、".join(f.name for f in added)})
    else:
        messages.info(request, _("The register already has the usual facilities."))
    return redirect("lounge:facility_list")


# --- Reporting -----------------------------------------------------------------------------------


def _round_result(request):
    """The failed round item the report comes from (?result=<pk>), behind the wall: another store's is 404."""
    pk = request.POST.get("result") or request.GET.get("result")
    if not pk:
        return None
    return get_for_user(RoundResult.objects.select_related("round"), request.user, pk=pk)


def _result_text(result: RoundResult) -> str:
    parts = [result.text]
    if result.value is not None:
        parts.append(f"{result.value.normalize():f}{result.unit}")
    if result.comment:
        parts.append(result.comment)
    return " — ".join(parts)[: services.DESCRIPTION_MAX]


def _source(request, result) -> str:
    if result is not None:
        return FaultSource.ROUND
    asked = request.POST.get("source") or request.GET.get("source")
    return FaultSource.BOARD if asked == FaultSource.BOARD else FaultSource.PAGE


@login_required
@require_http_methods(["GET", "POST"])
def fault_report(request):
    """Report a broken facility from a phone: which one, what is wrong, a photo (S4.11).

    Linked from the register and the board (?facility=<pk>, ?source=board) and from a failed round
    item (?result=<RoundResult pk>: the description is filled from the item).
    """
    user = request.user
    require(user, Right.EDIT)
    result = _round_result(request)
    source = _source(request, result)
    initial = {"source": source}
    facility_pk = request.GET.get("facility")
    if facility_pk:
        initial["facility"] = selectors.facility_get_for_user(user, facility_pk, right=Right.EDIT).pk
    if result is not None:
        initial |= {"result": result.pk, "description": _result_text(result)}
    form = FaultReportForm(request.POST or None, request.FILES or None, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        facility = form.cleaned_data["facility"]
        # Without a facility chosen the service still names every problem at once, for the person's store.
        store = facility.store if facility is not None else store_for_page(user, right=Right.EDIT)
        require(user, Right.EDIT, store.pk)
        try:
            fault = services.fault_report(
                actor=user,
                store=store,
                facility=facility,
                description=form.cleaned_data.get("description", ""),
                source=source,
                round_result=result,
                photo=form.cleaned_data.get("photo"),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if fault.appended:
                messages.info(
                    request,
                    _("%(facility)s already had an open ticket; your report was added to it.")
                    % {"facility": fault.facility.name},
                )
            else:
                due = timezone.localtime(fault.promise.due_at).strftime("%Y-%m-%d %H:%M")
                messages.success(
                    request,
                    _("Fault reported to maintenance: %(facility)s. To be fixed by %(due)s.")
                    % {"facility": fault.facility.name, "due": due},
                )
            return redirect("lounge:fault_detail", fault_pk=fault.pk)
    return render(
        request,
        "lounge/fault_report.html",
        {"form": form, "result": result},
        status=form_status(request),
    )


# --- The tickets ---------------------------------------------------------------------------------


@login_required
@require_GET
def fault_list(request):
    """Fault tickets: open ones first with their clock, then the newest; filter by state, facility, period."""
    user = request.user
    require(user, Right.VIEW)
    filter_form = FaultFilterForm(request.GET)
    filters = filter_form.filters(FaultState.values)
    qs = selectors.fault_list(user, **filters)
    page = list_page(request, qs, PAGE_SIZE)
    facilities = scope(Facility.objects.all(), user).select_related("store").order_by("store__code", "name")
    return render_page(
        request,
        "lounge/fault_list.html",
        "lounge/partials/fault_rows.html",
        {
            "page": page,
            "filters": filters,
            "state_param": request.GET.get("state", ""),
            "states": FaultState.choices,
            "facilities": facilities,
            "can_report": has_right(user, Right.EDIT),
        },
    )


def _detail_context(request, fault, **forms) -> dict:
    user = request.user
    is_open = fault.state in selectors.OPEN_STATES
    can_work = is_open and services.may_work_on(user, fault)
    minutes = selectors.fix_minutes(fault)
    return {
        "fault": fault,
        "promise": fault.promise,
        "history": history_for(fault),
        "fix_minutes": minutes,
        "fix_time": format_duration(minutes) if minutes is not None else "",
        "can_start": can_work and fault.state == FaultState.OPEN,
        "can_fix": can_work,
        "can_close": is_open and services.may_close_unfixed(user, fault.store_id, fault),
        "start_form": forms.get("start_form") or FaultStartForm(store_id=fault.store_id),
        "fix_form": forms.get("fix_form") or FaultFixForm(),
        "close_form": forms.get("close_form") or FaultCloseForm(),
        "saved": forms.get("saved", False),
        "S": FaultState,
    }


@login_required
@require_GET
def fault_detail(request, fault_pk):
    """One ticket: its states on a timeline, the photo, owner, clock, history; start, fix or close it."""
    fault = selectors.fault_get_for_user(request.user, fault_pk)
    return render_page(
        request, "lounge/fault_detail.html", "lounge/partials/fault_panel.html", _detail_context(request, fault)
    )


def _act(request, fault_pk, form_key: str, form, call):
    """Run one step's service; its errors show next to the form's fields, nothing saved."""
    fault = selectors.fault_get_for_user(request.user, fault_pk, right=Right.EDIT)
    try:
        if not form.is_valid():  # e.g. a colleague not of the store, an empty file
            raise ValidationError({})
        call(fault, form.cleaned_data)
    except ValidationError as exc:
        add_service_errors(form, exc)
        fault = selectors.fault_get_for_user(request.user, fault_pk)
        context = _detail_context(request, fault, **{form_key: form})
        if is_htmx(request):
            return render(request, "lounge/partials/fault_panel.html", context)
        return render(request, "lounge/fault_detail.html", context, status=400)
    if is_htmx(request):
        fault = selectors.fault_get_for_user(request.user, fault_pk)
        return render(request, "lounge/partials/fault_panel.html", _detail_context(request, fault, saved=True))
    messages.success(request, _("Saved."))
    return redirect("lounge:fault_detail", fault_pk=fault_pk)


@login_required
@require_POST
def fault_start(request, fault_pk):
    """Work starts (being fixed), optionally given to one colleague."""
    fault = selectors.fault_get_for_user(request.user, fault_pk, right=Right.EDIT)
    form = FaultStartForm(request.POST, store_id=fault.store_id)

    def call(f, data):
        services.fault_start(actor=request.user, fault=f, assignee=data.get("assignee"))

    return _act(request, fault_pk, "start_form", form, call)


@login_required
@require_POST
def fault_fix(request, fault_pk):
    """The facility works again: what was done, a photo after the fix (S4.11)."""
    form = FaultFixForm(request.POST, request.FILES)

    def call(f, data):
        services.fault_fix(actor=request.user, fault=f, note=data.get("note", ""), photo=data.get("photo"))

    return _act(request, fault_pk, "fix_form", form, call)


@login_required
@require_POST
def fault_close(request, fault_pk):
    """Close without a fix, with the reason (store managers and supervisors)."""
    form = FaultCloseForm(request.POST)

    def call(f, data):
        services.fault_close_unfixed(actor=request.user, fault=f, reason=data.get("reason", ""))

    return _act(request, fault_pk, "close_form", form, call)


@login_required
@require_GET
def fault_photo(request, fault_pk):
    """The photo taken when the fault was reported, behind the store wall."""
    return photo_response(selectors.fault_get_for_user(request.user, fault_pk).photo)


@login_required
@require_GET
def fault_fix_photo(request, fault_pk):
    """The photo taken after the fix, behind the store wall."""
    return photo_response(selectors.fault_get_for_user(request.user, fault_pk).fix_photo)
