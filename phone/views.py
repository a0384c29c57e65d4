"""The call console (S2), keyboard first, and its lists: calls, messages, scripts. Thin views."""

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.audit import history_for
from core.forms import add_service_errors
from core.htmx import is_htmx, render_page
from core.pagination import list_page
from core.validators import parse_id
from org.access import Right, deny_unless, get_for_user, has_right, require, scope, store_ids, stores_for
from org.models import Department, User
from org.selectors import store_get_for_user

from . import selectors
from .choices import Outcome, Purpose, ScriptKind
from .forms import CallBackForm, CallFilterForm, CallForm, MessageForm, PhoneSettingsForm, ScriptForm
from .links import console_url
from .models import PhoneSettings
from .script_check.items import LABELS as SCRIPT_LABELS
from .services import calls as call_services
from .services import messages as message_services
from .services.scripts import script_save
from .services.settings import PHONE_SETTINGS_FIELDS, phone_settings_update
from .templatetags.phone_tags import number_shown

PAGE_SIZE = 25


def _console_store(user):
    """The store the person answers the phone for: their own, else the first of their stores."""
    if user.store_id and user.store_id in store_ids(user):
        return user.store
    store = stores_for(user).first()
    if store is None:
        raise Http404
    return store


def _console_context(request, store, *, call_form=None, message_form=None, number="") -> dict:
    user = request.user
    department = user.department if user.department_id and user.department.store_id == store.pk else None
    return {
        "store": store,
        "department": department,
        "scripts": selectors.scripts_for(store, department, person=user),
        "card": selectors.caller_card(user, store, number),
        "call_form": call_form or CallForm(initial={"number": number}),
        "message_form": message_form or MessageForm(store=store, initial={"caller_number": number}),
        "can_edit": has_right(user, Right.EDIT, store.pk),
        "incoming": selectors.pending_incoming(user),
        "number": number,
    }


@login_required
def console(request):
    """The console: number first; the caller card, the scripts one key away, the call and message forms."""
    require(request.user, Right.VIEW)
    store = _console_store(request.user)
    number = request.GET.get("number", "").strip()[:40]
    return render(request, "phone/console.html", _console_context(request, store, number=number))


@login_required
def caller(request):
    """The caller card for a typed number (htmx)."""
    require(request.user, Right.VIEW)
    store = _console_store(request.user)
    number = request.GET.get("number", "").strip()[:40]
    return render(
        request,
        "phone/partials/caller_card.html",
        {"card": selectors.caller_card(request.user, store, number), "store": store},
    )


@login_required
@require_POST
def call_create(request):
    store = _console_store(request.user)
    require(request.user, Right.EDIT, store.pk)
    form = CallForm(request.POST)
    saved = None
    if form.is_valid():
        try:
            saved = call_services.call_log(actor=request.user, store=store, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
    if saved is not None:
        found = selectors.incoming_taken_with_call(request.user, parse_id(request.POST.get("incoming", "")))
        if found is not None:
            call_services.incoming_take(actor=request.user, incoming=found)
        if saved.purpose == Purpose.COMPLAINT or saved.outcome == Outcome.COMPLAINT:
            # S2.4: a complaint by phone goes straight on to the complaint form, filled from the call
            url = reverse("complaints:complaint_create") + f"?call={saved.pk}"
            messages.success(request, _("Call logged. Record the complaint's facts now."))
            if is_htmx(request):
                response = HttpResponse(status=204)
                response["HX-Redirect"] = url
                return response
            return redirect(url)
        if not is_htmx(request):
            messages.success(request, _("Call logged."))
            return redirect("phone:call_detail", saved.pk)
        form = CallForm()
    if not is_htmx(request):
        return render(request, "phone/console.html", _console_context(request, store, call_form=form), status=422)
    return render(request, "phone/partials/call_form.html", {"call_form": form, "saved_call": saved, "can_edit": True})


@login_required
@require_POST
def message_create(request):
    store = _console_store(request.user)
    require(request.user, Right.EDIT, store.pk)
    form = MessageForm(request.POST, store=store)
    saved = None
    if form.is_valid():
        try:
            saved = message_services.message_take(actor=request.user, store=store, **form.service_data())
        except ValidationError as exc:
            add_service_errors(form, exc)
            if exc.message_dict.get("for_user") or exc.message_dict.get("for_department"):
                for error in exc.message_dict.get("for_user", []) + exc.message_dict.get("for_department", []):
                    form.add_error("recipient", error)
    if saved is not None:
        if not is_htmx(request):
            messages.success(request, _("Message passed on."))
            return redirect("phone:console")
        form = MessageForm(store=store)
    if not is_htmx(request):
        return render(request, "phone/console.html", _console_context(request, store, message_form=form), status=422)
    return render(
        request, "phone/partials/message_form.html", {"message_form": form, "saved_message": saved, "can_edit": True}
    )


@login_required
def call_list(request):
    """Calls of the person's stores, newest first; filters: store, date, person, missed."""
    require(request.user, Right.VIEW)
    people = list(scope(User.objects.filter(is_active=True), request.user).order_by("name"))
    filters = CallFilterForm(request.GET or None, stores=list(stores_for(request.user)), people=people)
    wanted = filters.cleaned_data if filters.is_valid() else {}
    qs = selectors.call_list(
        request.user,
        store_id=wanted.get("store"),
        day=wanted.get("day"),
        person=wanted.get("person"),
        missed=wanted.get("missed") or None,
    )
    page = list_page(request, qs, PAGE_SIZE)
    return render_page(
        request, "phone/call_list.html", "phone/partials/call_list_body.html", {"page": page, "filters": filters}
    )


@login_required
def call_detail(request, call_pk):
    call = selectors.call_get_for_user(request.user, call_pk)
    result = call.script_result or {}
    items = [{**item, "label": SCRIPT_LABELS.get(item.get("key"), item.get("key"))} for item in result.get("items", [])]
    return render(
        request,
        "phone/call_detail.html",
        {
            "call": call,
            "script_items": items,
            "can_edit": has_right(request.user, Right.EDIT, call.store_id),
            "can_reveal": has_right(request.user, Right.REVEAL_PHONE, call.store_id),
            "can_call_back": bool(call.number) and (call.missed or call.outcome in (Outcome.DROPPED, Outcome.MISSED)),
            "callback_form": CallBackForm(),
            "callbacks": call.callbacks.select_related("answered_by").order_by("started_at")[:20],
        },
    )


@login_required
@require_POST
def call_call_back(request, call_pk):
    call = selectors.call_get_for_user(request.user, call_pk, right=Right.EDIT)
    _call_back(request, call=call)
    return redirect("phone:call_detail", call.pk)


def _call_back(request, **returned) -> None:
    """Log the call-back the form describes for a call or a message; the outcome is a flash message."""
    form = CallBackForm(request.POST)
    if form.is_valid():
        try:
            call_services.call_back(actor=request.user, **returned, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Call-back logged."))


def _revealed(request, reveal: Callable[[], str], field: str) -> HttpResponse:
    """The number the service reveals (and logs), in the partial the customer and complaint pages use for
    their reveals; a record without a number is a 400 saying so."""
    try:
        number = reveal()
    except ValidationError as exc:
        return HttpResponse(" ".join(exc.messages), status=400)
    return render(request, "customers/partials/revealed_phone.html", {"value": number_shown(number), "field": field})


@login_required
@require_POST
def call_reveal_number(request, call_pk):
    """Show the call's number in full; the reveal is logged like a customer's number (PIPL).

    The same service as the API's reveal: an auditor is refused (403), another store's call is a 404.
    """
    call = selectors.call_get_for_user(request.user, call_pk, right=Right.REVEAL_PHONE)
    return _revealed(request, lambda: call_services.call_reveal_number(actor=request.user, call=call), "call-number")


@login_required
def message_list(request):
    """Messages for me and my department (S2.3)."""
    require(request.user, Right.VIEW)
    qs = selectors.messages_for(request.user)
    page = list_page(request, qs, PAGE_SIZE)
    return render_page(
        request,
        "phone/message_list.html",
        "phone/partials/message_rows.html",
        {
            "page": page,
            "can_edit": has_right(request.user, Right.EDIT),
            "can_reveal": has_right(request.user, Right.REVEAL_PHONE),
            "callback_form": CallBackForm(),
        },
    )


@login_required
@require_POST
def message_read(request, message_pk):
    message = selectors.message_get_for_user(request.user, message_pk, right=Right.EDIT)
    message = message_services.message_mark_read(actor=request.user, message=message)
    if is_htmx(request):
        message = selectors.message_get_for_user(request.user, message_pk)
        return render(
            request,
            "phone/partials/message_row.html",
            {
                "m": message,
                "can_edit": True,
                "can_reveal": has_right(request.user, Right.REVEAL_PHONE, message.store_id),
                "callback_form": CallBackForm(),
            },
        )
    return redirect("phone:message_list")


@login_required
@require_POST
def message_call_back(request, message_pk):
    message = selectors.message_get_for_user(request.user, message_pk, right=Right.EDIT)
    deny_unless(selectors.may_handle_message(request.user, message))
    _call_back(request, message=message)
    return redirect("phone:message_list")


@login_required
@require_POST
def message_reveal_number(request, message_pk):
    """Show the caller's number of a message in full, for its recipients (S2.3); the reveal is logged (PIPL)."""
    message = selectors.message_get_for_user(request.user, message_pk, right=Right.REVEAL_PHONE)
    return _revealed(
        request, lambda: message_services.message_reveal_number(actor=request.user, message=message), "message-number"
    )


@login_required
def incoming(request):
    """The pop-up of ringing calls for the signed-in person (polled by htmx every 2 s)."""
    return render(request, "phone/partials/incoming.html", {"incoming": selectors.pending_incoming(request.user)})


@login_required
@require_POST
def incoming_take(request, incoming_pk):
    found = selectors.incoming_get_for_user(request.user, incoming_pk)
    call_services.incoming_take(actor=request.user, incoming=found)
    url = console_url(found.number) + f"&incoming={found.pk}" if found.number else console_url()
    if is_htmx(request):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


@login_required
def script_list(request):
    """The departments whose scripts the person may see, and edit where they may."""
    require(request.user, Right.VIEW)
    departments = list(
        scope(Department.objects.filter(active=True), request.user)
        .select_related("store")
        .order_by("store__code", "name")
    )
    rows = [{"department": d, "can_edit": selectors.may_edit_scripts(request.user, d)} for d in departments]
    return render(request, "phone/script_list.html", {"rows": rows})


@login_required
def script_edit(request, department_pk):
    department = get_for_user(Department.objects.select_related("store"), request.user, pk=department_pk)
    can_edit = selectors.may_edit_scripts(request.user, department)
    errors = {}
    if request.method == "POST":
        deny_unless(can_edit)
        form = ScriptForm(request.POST)
        if form.is_valid():
            try:
                script_save(
                    actor=request.user,
                    department=department,
                    kind=form.cleaned_data["kind"],
                    text=form.cleaned_data["text"],
                )
            except ValidationError as exc:
                errors[form.cleaned_data["kind"]] = exc.messages
            else:
                messages.success(request, _("Script saved."))
                return redirect("phone:script_edit", department.pk)
    scripts = selectors.scripts_for(department.store, department, person=request.user)
    for script in scripts:
        script["errors"] = errors.get(script["kind"], [])
        script["default"] = selectors.DEFAULT_SCRIPTS[ScriptKind(script["kind"])]
    return render(
        request,
        "phone/script_edit.html",
        {"department": department, "scripts": scripts, "can_edit": can_edit},
        status=422 if errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def phone_settings_edit(request, store_pk):
    """A store's telephone settings (S2.1 ring time, S2.10 call-back time): its people read, its managers change."""
    store = store_get_for_user(request.user, store_pk)
    can_edit = has_right(request.user, Right.MANAGE_STORE, store.pk)
    current = selectors.settings_of(store)
    form = None
    saved = False
    if request.method == "POST":
        deny_unless(can_edit)
        form = PhoneSettingsForm(request.POST)
        if form.is_valid():
            try:
                current = phone_settings_update(actor=request.user, store=store, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                if not is_htmx(request):
                    messages.success(request, _("Telephone settings saved."))
                    return redirect("phone:settings", store_pk=store.pk)
                form, saved = None, True
    if can_edit and form is None:
        form = PhoneSettingsForm(initial={name: getattr(current, name) for name in PHONE_SETTINGS_FIELDS})
    refused = bool(form is not None and form.errors and not is_htmx(request))
    return render_page(
        request,
        "phone/settings.html",
        "phone/partials/settings.html",
        {
            "store": store,
            "current": current,
            "form": form,
            "saved": saved,
            "can_edit": can_edit,
            "values": [
                (PhoneSettings._meta.get_field(name).verbose_name, getattr(current, name))
                for name in PHONE_SETTINGS_FIELDS
            ],
            "in_time_seconds": current.max_rings * current.ring_cycle_seconds,
            "history": history_for(current) if current.pk else [],
        },
        status=400 if refused else 200,
    )
