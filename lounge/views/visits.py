"""The lounge board (tablet first, live), visits, the drink menu and the lounge settings. Thin views.

The board polls its live part every few seconds; every one-tap step posts with htmx and gets the
live part back at once. Requests (lounge.services.requests) and faults (lounge.services.faults) are
other areas': the board reads their records and links to their pages only where those exist.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from core.audit import history_for
from core.forms import add_service_errors
from core.htmx import is_htmx, render_page
from core.pagination import list_page
from lounge.choices import RequestKind, RequestSource, RequestState
from lounge.forms.visits import ArrivalForm, DrinkForm, LoungeSettingsForm, VisitFilterForm, VisitUpdateForm
from lounge.links import board_url, fault_url, store_page_url
from lounge.models import LoungeSettings, lounge_settings
from lounge.selectors import visits as selectors
from lounge.selectors.requests import may_answer
from lounge.services import settings as settings_services
from lounge.services import visits as services
from lounge.services.requests import request_create
from org.access import Right, has_right, require, store_for_page, stores_for
from org.selectors import store_get_for_user

PAGE_SIZE = 25


def _other_stores(user):
    return stores_for(user, Right.VIEW)


# --- The board -----------------------------------------------------------------------------------


def _board_context(request, store, *, error: str = "", notice: str = "") -> dict:
    data = selectors.board(store)
    can_edit = has_right(request.user, Right.EDIT, store.pk)
    for req in data["requests"]:
        may = may_answer(request.user, req)  # only whoever the request is for (org.access)
        req.ack_url = (
            reverse("lounge:request_acknowledge", kwargs={"request_pk": req.pk})
            if may and req.state == RequestState.OPEN
            else None
        )
        req.done_url = reverse("lounge:request_done", kwargs={"request_pk": req.pk}) if may else None
    for fault in data["faults"]:
        fault.url = fault_url(fault)
    return data | {
        "can_edit": can_edit,
        "can_ask_help": can_edit,
        "fault_report_url": reverse("lounge:fault_report"),
        "live_url": store_page_url("board_live", store.pk),
        "next": board_url(store.pk),  # where a tap without JavaScript returns
        "error": error,
        "notice": notice,
    }


def _arrival_context(request, store, form=None, saved=None) -> dict:
    lookup_url = store_page_url("board_lookup", store.pk)
    lookup = {"query": "", "rows": []}
    if form is not None and form.is_bound:
        lookup = selectors.arrival_lookup(request.user, store, form.data.get("q", ""))
        lookup["picked"] = form.data.get("pick", "")
    return {
        "store": store,
        "form": form or ArrivalForm(store=store, lookup_url=lookup_url),
        "can_edit": has_right(request.user, Right.EDIT, store.pk),
        "lookup_url": lookup_url,
        "lookup": lookup,
        "saved": saved,
    }


@login_required
def board(request):
    """The attendant's live screen: who is here, their clocks, drinks, requests and facilities out of order."""
    require(request.user, Right.VIEW)
    store = store_for_page(request.user, request.GET.get("store"))
    context = _board_context(request, store) | {"arrival": _arrival_context(request, store)}
    context["stores"] = list(_other_stores(request.user))
    return render(request, "lounge/board.html", context)


@login_required
def board_live(request):
    """The board's live part, polled every few seconds (constant queries)."""
    require(request.user, Right.VIEW)
    store = store_for_page(request.user, request.GET.get("store"))
    return render(request, "lounge/partials/board_live.html", _board_context(request, store))


@login_required
def board_lookup(request):
    """Customers and vehicles of the store for the arrival form, as you type a plate, phone digits or a name."""
    store = store_for_page(request.user, request.GET.get("store"))
    require(request.user, Right.EDIT, store.pk)
    found = selectors.arrival_lookup(request.user, store, request.GET.get("q", ""))
    return render(request, "lounge/partials/board_lookup.html", found | {"store": store})


@login_required
@require_POST
def visit_arrive(request):
    """A customer enters the lounge (S4.1): the greeting clock starts."""
    store = store_for_page(request.user, request.POST.get("store") or request.GET.get("store"))
    require(request.user, Right.EDIT, store.pk)
    lookup_url = store_page_url("board_lookup", store.pk)
    form = ArrivalForm(request.POST, store=store, lookup_url=lookup_url)
    visit = None
    if form.is_valid():
        try:
            visit = services.visit_arrive(actor=request.user, store=store, **form.service_data())
        except ValidationError as exc:
            _arrival_errors(form, exc)
    if visit is not None:
        if not is_htmx(request):
            messages.success(request, _("%(name)s is in the lounge: greet them now.") % {"name": visit.display_name})
            return redirect(board_url(store.pk))
        form = None
    if not is_htmx(request):
        context = _board_context(request, store) | {"arrival": _arrival_context(request, store, form)}
        context["stores"] = list(_other_stores(request.user))
        return render(request, "lounge/board.html", context, status=400)
    html = render_to_string(
        "lounge/partials/board_arrival.html", _arrival_context(request, store, form, saved=visit), request=request
    )
    if visit is not None:  # the new card appears on the board at once
        html += render_to_string(
            "lounge/partials/board_live.html", _board_context(request, store) | {"oob": True}, request=request
        )
    return HttpResponse(html)


def _arrival_errors(form, exc: ValidationError) -> None:
    """Service errors onto the arrival form: the plate, phone and customer ones belong to the search box."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            target = "q" if field in ("plate", "phone", "customer", "vehicle") else field
            for error in errors:
                form.add_error(target if target in form.fields else None, error)
    else:
        add_service_errors(form, exc)


# --- One-tap steps -------------------------------------------------------------------------------


def _next_url(request) -> str | None:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return None


def _step(request, visit_pk, act, done_message: str):
    """Run one step's service on the visit; the board gets its live part back, a page a redirect."""
    visit = selectors.visit_get_for_user(request.user, visit_pk, right=Right.EDIT)
    error = ""
    try:
        act(visit)
    except ValidationError as exc:
        error = " ".join(exc.messages)
    if is_htmx(request):
        context = _board_context(request, visit.store, error=error, notice="" if error else done_message)
        return render(request, "lounge/partials/board_live.html", context)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, done_message)
    return redirect(_next_url(request) or reverse("lounge:visit_detail", kwargs={"visit_pk": visit.pk}))


def _plain_step(service, done_message: str):
    """The view of a step that takes nothing but the visit (greet, offer, introduce, farewell, depart)."""

    @login_required
    @require_POST
    def view(request, visit_pk):
        return _step(request, visit_pk, lambda v: service(actor=request.user, visit=v), str(done_message))

    view.__doc__ = service.__doc__
    return view


visit_greet = _plain_step(services.visit_greet, gettext_lazy("Greeting recorded."))
visit_offer = _plain_step(services.visit_offer_drink, gettext_lazy("Drink offered."))
visit_introduce = _plain_step(services.visit_introduce, gettext_lazy("Service introduction recorded."))
visit_farewell = _plain_step(services.visit_farewell, gettext_lazy("Farewell recorded."))
visit_depart = _plain_step(services.visit_depart, gettext_lazy("The customer has left."))


@login_required
@require_POST
def visit_serve(request, visit_pk):
    """A drink served from the menu; the refill button serves the last drink again (S4.2)."""

    def act(visit):
        drink = selectors.menu_drink(visit.store_id, request.POST.get("drink", ""))
        services.visit_serve(actor=request.user, visit=visit, drink=drink)

    return _step(request, visit_pk, act, _("Drink served."))


@login_required
@require_POST
def visit_help(request, visit_pk):
    """The customer looks around or asks for help (S4.5): a request with its clock, from the board."""

    def act(visit):
        request_create(
            store=visit.store,
            kind=RequestKind.HELP,
            seat=visit.seat,
            visit=visit,
            source=RequestSource.BOARD,
            actor=request.user,
        )

    return _step(request, visit_pk, act, _("Help request recorded."))


# --- A visit, the visits list --------------------------------------------------------------------


def _detail_context(request, visit, form=None) -> dict:
    can_edit = has_right(request.user, Right.EDIT, visit.store_id)
    if can_edit and form is None:
        form = VisitUpdateForm(
            store=visit.store,
            initial={
                "seat": visit.seat_id,
                "repair_order": visit.repair_order,
                "service_status": visit.service_status,
                "first_visit": visit.first_visit,
            },
        )
    last = visit.servings.order_by("-served_at", "-id").first()
    return {
        "visit": visit,
        "steps": selectors.visit_steps(visit),
        "history": selectors.visit_history(visit),
        "can_edit": can_edit,
        "form": form,
        "drinks": selectors.menu(visit.store),
        "last_serving": last,
        "board_url": board_url(visit.store_id),
        "settings": lounge_settings(visit.store),
    }


@login_required
def visit_detail(request, visit_pk):
    """One visit, step by step with who and when, and its history."""
    visit = selectors.visit_get_for_user(request.user, visit_pk)
    return render(request, "lounge/visit_detail.html", _detail_context(request, visit))


@login_required
@require_POST
def visit_update(request, visit_pk):
    """Change the seat, repair order number, service status or first-visit flag."""
    visit = selectors.visit_get_for_user(request.user, visit_pk, right=Right.EDIT)
    form = VisitUpdateForm(request.POST, store=visit.store)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.visit_update(
                actor=request.user,
                visit=visit,
                seat=data["seat"],
                clear_seat=data["seat"] is None and visit.seat_id is not None,
                repair_order=data["repair_order"],
                service_status=data["service_status"],
                first_visit=data["first_visit"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Visit saved."))
            return redirect("lounge:visit_detail", visit_pk=visit.pk)
    visit = selectors.visit_get_for_user(request.user, visit_pk)
    return render(request, "lounge/visit_detail.html", _detail_context(request, visit, form), status=400)


@login_required
def visit_list(request):
    """Visits of the person's stores, newest first; filters: date, still in the lounge."""
    require(request.user, Right.VIEW)
    filters = VisitFilterForm(request.GET or None)
    day = in_lounge = None
    if filters.is_valid():
        day, in_lounge = filters.cleaned_data["day"], filters.cleaned_data["in_lounge"]
    qs = selectors.visit_list(request.user, day=day, in_lounge=in_lounge)
    page = list_page(request, qs, PAGE_SIZE)
    for visit in page:
        visit.summary = selectors.visit_summary(visit, visit.drink_count)
    return render_page(
        request,
        "lounge/visit_list.html",
        "lounge/partials/visit_rows.html",
        {"page": page, "filters": filters, "several_stores": _other_stores(request.user).count() > 1},
    )


# --- The drink menu ------------------------------------------------------------------------------


def _drinks_context(request, store, *, add_form=None, edit_forms=None) -> dict:
    edit_forms = edit_forms or {}
    can_manage = has_right(request.user, Right.MANAGE_STORE, store.pk)
    drinks = selectors.drink_list(store)
    for drink in drinks:
        drink.form = edit_forms.get(drink.pk) or (
            DrinkForm(
                initial={"name": drink.name, "position": drink.position, "active": drink.active}, prefix=f"d{drink.pk}"
            )
            if can_manage
            else None
        )
    return {
        "store": store,
        "drinks": drinks,
        "can_manage": can_manage,
        "can_toggle": has_right(request.user, Right.EDIT, store.pk),
        "add_form": add_form or (DrinkForm(initial={"active": True}) if can_manage else None),
        "stores": list(_other_stores(request.user)),
        "board_url": board_url(store.pk),
    }


@login_required
def drink_list(request):
    """The store's drink menu: managers add, rename, order and take drinks off; attendants mark them out of stock."""
    require(request.user, Right.VIEW)
    store = store_for_page(request.user, request.GET.get("store"))
    return render(request, "lounge/drinks.html", _drinks_context(request, store))


@login_required
@require_POST
def drink_create(request):
    store = store_for_page(request.user, request.POST.get("store") or request.GET.get("store"))
    require(request.user, Right.MANAGE_STORE, store.pk)
    form = DrinkForm(request.POST)
    if form.is_valid():
        try:
            drink = services.drink_save(actor=request.user, store=store, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("%(drink)s added to the menu.") % {"drink": drink.name})
            return redirect(store_page_url("drink_list", store.pk))
    return render(request, "lounge/drinks.html", _drinks_context(request, store, add_form=form), status=400)


@login_required
@require_POST
def drink_edit(request, drink_pk):
    drink = selectors.drink_get_for_user(request.user, drink_pk, right=Right.EDIT)
    require(request.user, Right.MANAGE_STORE, drink.store_id)
    form = DrinkForm(request.POST, prefix=f"d{drink.pk}")
    if form.is_valid():
        try:
            services.drink_save(actor=request.user, store=drink.store, drink=drink, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Drink saved."))
            return redirect(store_page_url("drink_list", drink.store_id))
    context = _drinks_context(request, drink.store, edit_forms={drink.pk: form})
    return render(request, "lounge/drinks.html", context, status=400)


@login_required
@require_POST
def drink_available(request, drink_pk):
    """Out of stock, or available again: any attendant, one tap."""
    drink = selectors.drink_get_for_user(request.user, drink_pk, right=Right.EDIT)
    drink = services.drink_toggle_available(actor=request.user, drink=drink)
    if drink.available:
        messages.success(request, _("%(drink)s is available again.") % {"drink": drink.name})
    else:
        messages.success(request, _("%(drink)s is marked out of stock.") % {"drink": drink.name})
    return redirect(_next_url(request) or store_page_url("drink_list", drink.store_id))


# --- Lounge settings -----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def lounge_settings_edit(request, store_pk):
    """A store's lounge clocks (S4.1, S4.2, S4.5, S4.11): its people read them, its managers change them."""
    store = store_get_for_user(request.user, store_pk)
    can_edit = has_right(request.user, Right.MANAGE_STORE, store.pk)
    current = selectors.settings_of(store)
    form = None
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        form = LoungeSettingsForm(request.POST, store=store)
        if form.is_valid():
            try:
                settings_services.lounge_settings_update(actor=request.user, store=store, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Lounge settings saved."))
                return redirect("lounge:settings", store_pk=store.pk)
    if can_edit and form is None:
        form = LoungeSettingsForm(
            store=store,
            initial={
                name: getattr(current, name)
                for name in settings_services.SETTINGS_FIELDS
                if name != "maintenance_department"
            }
            | {"maintenance_department": current.maintenance_department_id},
        )
    values = [
        (LoungeSettings._meta.get_field(name).verbose_name, getattr(current, name) or "—")
        for name in settings_services.SETTINGS_FIELDS
    ]
    return render(
        request,
        "lounge/settings.html",
        {
            "store": store,
            "form": form,
            "can_edit": can_edit,
            "values": values,
            "history": history_for(current) if current.pk else [],
            "board_url": board_url(store.pk),
        },
        status=400 if form is not None and form.errors else 200,
    )
