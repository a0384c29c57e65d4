from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.audit import history_for
from core.forms import add_service_errors, form_status
from core.htmx import render_page
from core.pagination import list_page
from core.validators import format_phone, normalize_landline, normalize_mobile
from org.access import Right, has_right, require

from .. import selectors
from ..forms.customers import CustomerForm, EraseForm, VehicleForm
from ..services import customers as services

PAGE_SIZE = 25


@login_required
def search(request):
    """The top bar's search as you type (htmx partial); phones masked in results (PIPL)."""
    query = request.GET.get("q", "")
    customers, vehicles = selectors.search(request.user, query)
    return render(
        request,
        "customers/partials/search_results.html",
        {"customers": customers, "vehicles": vehicles, "query": query.strip()},
    )


def _list_page(request, rows, template: str, partial: str):
    """A searched, paged list (customers or vehicles): the whole page, or its rows for htmx."""
    require(request.user, Right.VIEW)
    query = request.GET.get("q", "").strip()
    page = list_page(request, rows(request.user, query), PAGE_SIZE)
    return render_page(request, template, partial, {"page": page, "query": query})


@login_required
def customer_list(request):
    return _list_page(
        request, selectors.customer_list, "customers/customer_list.html", "customers/partials/customer_rows.html"
    )


@login_required
def vehicle_list(request):
    return _list_page(
        request, selectors.vehicle_list, "customers/vehicle_list.html", "customers/partials/vehicle_rows.html"
    )


@login_required
def customer_detail(request, customer_pk):
    customer = selectors.customer_get_for_user(request.user, customer_pk)
    user = request.user
    return render(
        request,
        "customers/customer_detail.html",
        {
            "customer": customer,
            "vehicles": customer.vehicles.select_related("vin_check_confirmed_by"),
            "timeline": selectors.customer_timeline(customer),
            "can_edit_here": has_right(user, Right.EDIT, customer.store_id) and not customer.erased_at,
            "can_reveal": has_right(user, Right.REVEAL_PHONE, customer.store_id),
            "can_personal_data": has_right(user, Right.PERSONAL_DATA, customer.store_id),
            "personal_data_log": customer.personal_data_log.select_related("actor")[:20],
        },
    )


PREFILL_NAME_LENGTH = 50


def _prefill(request) -> dict:
    """The new customer's number and name from the call console (an unknown caller).

    ``?call=<id>`` takes the number, the caller-ID name and the store of a call of the person's stores
    (another store's call is a 404, as if it did not exist); ``?phone=…&name=…`` give them directly.
    A number that is not a phone number is named in a message and left out, never half-filled.
    """
    initial = {}
    phone = request.GET.get("phone", "").strip()[:40]
    name = " ".join(request.GET.get("name", "").split())[:PREFILL_NAME_LENGTH]
    call_id = request.GET.get("call", "").strip()
    if call_id:
        if not (call_id.isascii() and call_id.isdigit() and len(call_id) <= 18):
            raise Http404
        source = dict(selectors.NEW_CUSTOMER_SOURCES.items()).get("call")
        if source is None:
            raise Http404
        caller = source(request.user, int(call_id))
        if not phone and caller["phone"] and has_right(request.user, Right.REVEAL_PHONE, caller["store"].pk):
            # the form shows the caller's number in full: a reveal, logged like any other (PIPL)
            phone = caller["phone"]
            with transaction.atomic():
                services.phone_reveal_log(
                    actor=request.user,
                    store_id=caller["store"].pk,
                    customer=None,
                    ref=_("Call #%(id)s") % {"id": call_id},
                    detail=_("Number of call #%(id)s, for a new customer") % {"id": call_id},
                )
        name = name or caller["name"]
        initial["store"] = caller["store"]
    if name:
        initial["name"] = name
    if phone:
        try:
            initial["mobile"] = format_phone(normalize_mobile(phone))
        except ValidationError:
            try:
                initial["landline"] = format_phone(normalize_landline(phone))
            except ValidationError:
                messages.warning(
                    request,
                    _("The number %(value)s is not a mobile or landline number: enter the customer's number.")
                    % {"value": phone},
                )
    return initial


@login_required
def customer_create(request):
    """A new customer, optionally with a first vehicle: both saved, or neither.

    Opened from the console for an unknown caller, the form comes filled with the number (and the
    caller-ID name): see _prefill.
    """
    require(request.user, Right.EDIT)
    initial = _prefill(request) if request.method == "GET" else {}
    form = CustomerForm(request.POST or None, user=request.user, initial=initial)
    vehicle_form = VehicleForm(request.POST or None, prefix="vehicle")
    duplicate_url = ""
    if request.method == "POST" and form.is_valid() and vehicle_form.is_valid():
        store = form.cleaned_data["store"]
        require(request.user, Right.EDIT, store.pk)
        try:
            with transaction.atomic():
                customer = services.customer_create(actor=request.user, store=store, **form.service_data())
                if vehicle_form.has_input():
                    try:
                        services.vehicle_create(actor=request.user, owner=customer, **vehicle_form.cleaned_data)
                    except ValidationError as exc:
                        add_service_errors(vehicle_form, exc)
                        duplicate_url = getattr(exc, "existing_url", "")
                        raise
        except ValidationError as exc:
            if not vehicle_form.errors:
                add_service_errors(form, exc)
        else:
            messages.success(request, _("Customer %(name)s saved.") % {"name": customer.name})
            return redirect("customers:customer_detail", customer.pk)
    return render(
        request,
        "customers/customer_form.html",
        {
            "form": form,
            "vehicle_form": vehicle_form,
            "duplicate_url": duplicate_url,
            "creating": True,
        },
        status=form_status(request),
    )


@login_required
def customer_edit(request, customer_pk):
    customer = selectors.customer_get_for_user(request.user, customer_pk, right=Right.EDIT)
    initial = {
        "name": customer.name,
        "mobile": customer.mobile_display,
        "landline": customer.landline_display.split(" - ")[0],
        "landline_ext": customer.landline_ext,
        "preferred_contact": customer.preferred_contact,
        "consent_to_contact": customer.consent_to_contact,
        "notes": customer.notes,
    }
    form = CustomerForm(request.POST or None, user=request.user, with_store=False, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.customer_update(actor=request.user, customer=customer, **form.service_data())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("customers:customer_detail", customer.pk)
    return render(
        request,
        "customers/customer_form.html",
        {"form": form, "customer": customer},
        status=form_status(request),
    )


@login_required
def vehicle_create(request, customer_pk):
    customer = selectors.customer_get_for_user(request.user, customer_pk, right=Right.EDIT)
    form = VehicleForm(request.POST or None)
    duplicate_url = ""
    if request.method == "POST" and form.is_valid():
        try:
            vehicle = services.vehicle_create(actor=request.user, owner=customer, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
            duplicate_url = getattr(exc, "existing_url", "")
        else:
            messages.success(request, _("Vehicle %(vehicle)s saved.") % {"vehicle": vehicle})
            return redirect("customers:customer_detail", customer.pk)
    return render(
        request,
        "customers/vehicle_form.html",
        {"form": form, "customer": customer, "duplicate_url": duplicate_url},
        status=form_status(request),
    )


@login_required
def vehicle_edit(request, vehicle_pk):
    vehicle = selectors.vehicle_get_for_user(request.user, vehicle_pk, right=Right.EDIT)
    initial = {
        "plate": vehicle.plate,
        "vin": vehicle.vin,
        "vin_check_confirmed": vehicle.vin_check_confirmed_at is not None,
        "brand": vehicle.brand,
        "model": vehicle.model,
        "colour": vehicle.colour,
        "purchase_date": vehicle.purchase_date.isoformat() if vehicle.purchase_date else "",
        "mileage_km": vehicle.mileage_km if vehicle.mileage_km is not None else "",
    }
    form = VehicleForm(request.POST or None, initial=initial)
    duplicate_url = ""
    if request.method == "POST" and form.is_valid():
        try:
            services.vehicle_update(actor=request.user, vehicle=vehicle, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
            duplicate_url = getattr(exc, "existing_url", "")
        else:
            messages.success(request, _("Changes saved."))
            return redirect("customers:customer_detail", vehicle.owner_id)
    return render(
        request,
        "customers/vehicle_form.html",
        {
            "form": form,
            "customer": vehicle.owner,
            "vehicle": vehicle,
            "duplicate_url": duplicate_url,
            "history": history_for(vehicle),
        },
        status=form_status(request),
    )


@login_required
@require_POST
def reveal_phone(request, customer_pk, field):
    """Show one masked number in full; the reveal is logged (who, when, which customer)."""
    customer = selectors.customer_get_for_user(request.user, customer_pk, right=Right.REVEAL_PHONE)
    try:
        services.customer_reveal_phone(actor=request.user, customer=customer, field=field)
    except ValidationError as exc:
        return HttpResponse(" ".join(exc.messages), status=400)
    value = customer.mobile_display if field == "mobile" else customer.landline_display
    return render(request, "customers/partials/revealed_phone.html", {"value": value, "field": field})


@login_required
@require_POST
def customer_export(request, customer_pk):
    customer = selectors.customer_get_for_user(request.user, customer_pk, right=Right.PERSONAL_DATA)
    fmt = request.POST.get("format", "json")
    try:
        body, content_type, filename = services.customer_export(actor=request.user, customer=customer, fmt=fmt)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("customers:customer_detail", customer.pk)
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def customer_erase(request, customer_pk):
    customer = selectors.customer_get_for_user(request.user, customer_pk, right=Right.PERSONAL_DATA)
    form = EraseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["confirm_name"].strip() != customer.name:
            form.add_error("confirm_name", _("Type the customer's name exactly as shown to confirm the erasure."))
        else:
            try:
                services.customer_erase(actor=request.user, customer=customer, reason=form.cleaned_data["reason"])
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The customer's personal data was erased; the erasure is logged."))
                return redirect("customers:customer_detail", customer.pk)
    return render(
        request,
        "customers/customer_erase.html",
        {"form": form, "customer": customer},
        status=form_status(request),
    )
