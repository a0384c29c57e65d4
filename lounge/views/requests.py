"""Staff pages of customers' requests (S4.2, S4.5) and of the lounge's seats with their QR codes. Thin views.

The requests page is the desk's queue: open requests with their age and clock, "on my way" and "done"
in one tap, refreshing itself. The board calls the same acknowledge / done URLs (POST, ``request_pk``):
to htmx they answer with the request's row and the ``loungeRequestChanged`` event, otherwise with a
redirect to ``?next=``. Seats (and their printable QR cards) are configured by the store's managers.
"""

import io

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.forms import add_service_errors
from core.htmx import is_htmx, render_page
from lounge.choices import RequestSource, RequestState
from lounge.forms.requests import CancelRequestForm, SeatForm, StaffRequestForm
from lounge.links import request_list_url, store_page_url
from lounge.selectors import requests as selectors
from lounge.services import requests as services
from org.access import Right, has_right, require, store_for_page, stores_for

CHANGED_EVENT = "loungeRequestChanged"


# --- Helpers -------------------------------------------------------------------------------------


def _page_store(request, right: Right):
    """The store the page is about (see store_for_page), with the person's stores for the picker."""
    require(request.user, right)
    store = store_for_page(request.user, request.POST.get("store") or request.GET.get("store"), right)
    return store, stores_for(request.user, right)


def _next_url(request, default: str) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted and url_has_allowed_host_and_scheme(wanted, allowed_hosts={request.get_host()}):
        return wanted
    return default


def _with_clock(reqs, now, user=None):
    """Each request's age, whether its clock has run out, and whether the person may answer it, for the list."""
    for req in reqs:
        req.can_answer = user is not None and selectors.may_answer(user, req)
        req.age_minutes = max(0, int((now - req.created_at).total_seconds() // 60))
        req.age_seconds = max(0, int((now - req.created_at).total_seconds()))
        req.overdue = bool(req.promise and req.promise.is_overdue(now))
        req.summary = selectors.request_summary(req)
    return reqs


def _qr_url(request, seat) -> str:
    return request.build_absolute_uri(reverse("table:home", kwargs={"seat_token": seat.token}))


# --- Requests ------------------------------------------------------------------------------------


def _requests_context(request, store, stores, form=None) -> dict:
    now = timezone.now()
    can_edit = has_right(request.user, Right.EDIT, store.pk)
    return {
        "store": store,
        "stores": stores,
        "open_requests": _with_clock(selectors.requests_open(request.user, store), now, request.user),
        "closed_requests": _with_clock(selectors.requests_recent_closed(request.user, store), now, request.user),
        "can_edit": can_edit,
        "form": form or (StaffRequestForm(store=store) if can_edit else None),
        "S": RequestState,
        "now": now,
        "next_url": request_list_url(store.pk),
    }


@login_required
def request_list(request):
    """The desk's queue: open requests oldest first with age and clock; recent done ones (S4.5)."""
    store, stores = _page_store(request, Right.VIEW)
    return render_page(
        request, "lounge/requests.html", "lounge/partials/request_live.html", _requests_context(request, store, stores)
    )


@login_required
@require_POST
def request_create(request):
    """A request entered by staff for a customer who asked in person (source: board)."""
    store, stores = _page_store(request, Right.EDIT)
    form = StaffRequestForm(request.POST, store=store)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.request_create(
                store=store,
                seat=data.get("seat"),
                kind=data["kind"],
                drink=data.get("drink"),
                facility=data.get("facility"),
                note=data.get("note", ""),
                source=RequestSource.BOARD,
                actor=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Request recorded."))
            return redirect(request_list_url(store.pk))
    context = _requests_context(request, store, stores, form=form)
    return render(request, "lounge/requests.html", context, status=400)


def _act(request, request_pk, action):
    """Run one step's service; htmx gets the row as it is now (and the change event), others a redirect."""
    req = selectors.request_get_for_user(request.user, request_pk, right=Right.EDIT)
    error = ""
    try:
        action(req)
    except ValidationError as exc:
        error = " ".join(exc.messages)
    if is_htmx(request):
        req = selectors.request_get_for_user(request.user, req.pk)
        context = {
            "req": _with_clock([req], timezone.now(), request.user)[0],
            "can_edit": True,
            "S": RequestState,
            "error": error,
            "next_url": _next_url(request, request_list_url(req.store_id)),
        }
        response = render(request, "lounge/partials/request_row.html", context)
        response["HX-Trigger"] = CHANGED_EVENT
        return response
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("Saved."))
    return redirect(_next_url(request, request_list_url(req.store_id)))


@login_required
@require_POST
def request_acknowledge(request, request_pk):
    """Someone is on the way (S4.5): the customer's page shows it; the response time is measured."""
    return _act(request, request_pk, lambda r: services.request_acknowledge(actor=request.user, request=r))


@login_required
@require_POST
def request_done(request, request_pk):
    """Done; a refill or drink is also recorded on the customer's visit (S4.2)."""
    return _act(request, request_pk, lambda r: services.request_done(actor=request.user, request=r))


@login_required
@require_POST
def request_cancel(request, request_pk):
    def cancel(r):
        form = CancelRequestForm(request.POST)
        form.is_valid()
        services.request_cancel(actor=request.user, request=r, reason=form.cleaned_data.get("reason", ""))

    return _act(request, request_pk, cancel)


# --- Seats and their QR codes ----------------------------------------------------------------------


def _seats_context(request, store, stores, form=None) -> dict:
    seats = list(selectors.seats_of(store))
    return {
        "store": store,
        "stores": stores,
        "seats": seats,
        "form": form or SeatForm(),
        "history": selectors.seat_history(seats),
    }


@login_required
def seat_list(request):
    """The store's seats and tables: add, rename, take out of use, re-issue a code, print the cards."""
    store, stores = _page_store(request, Right.MANAGE_STORE)
    return render_page(
        request, "lounge/seats.html", "lounge/partials/seat_rows.html", _seats_context(request, store, stores)
    )


@login_required
@require_POST
def seat_create(request):
    store, stores = _page_store(request, Right.MANAGE_STORE)
    form = SeatForm(request.POST)
    if form.is_valid():
        try:
            seat = services.seat_create(actor=request.user, store=store, label=form.cleaned_data["label"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Seat %(label)s added; print its card.") % {"label": seat.label})
            return redirect(store_page_url("seat_list", store.pk))
    return render(request, "lounge/seats.html", _seats_context(request, store, stores, form=form), status=400)


def _seat_step(request, seat_pk, action, success: str):
    seat = selectors.seat_get_for_user(request.user, seat_pk)
    try:
        seat = action(seat)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, success % {"label": seat.label})
    return redirect(store_page_url("seat_list", seat.store_id))


@login_required
@require_POST
def seat_edit(request, seat_pk):
    """Rename (``label``) or take out of use / back into use (``active`` 0 or 1)."""
    active = {"0": False, "1": True}.get(request.POST.get("active", ""))
    label = request.POST.get("label")
    return _seat_step(
        request,
        seat_pk,
        lambda s: services.seat_update(actor=request.user, seat=s, label=label, active=active),
        _("Seat %(label)s saved."),
    )


@login_required
@require_POST
def seat_reissue(request, seat_pk):
    """A new code for the seat; the old printed card stops working at once."""
    return _seat_step(
        request,
        seat_pk,
        lambda s: services.seat_reissue(actor=request.user, seat=s),
        _("Seat %(label)s has a new code: print its card again; the old card no longer works."),
    )


@login_required
@require_GET
def seat_qr_png(request, seat_pk):
    """One seat's QR code as a PNG to download (for a table stand or a sticker)."""
    seat = selectors.seat_get_for_user(request.user, seat_pk)
    if not seat.active:
        raise Http404
    buffer = io.BytesIO()
    segno.make(_qr_url(request, seat), error="m").save(buffer, kind="png", scale=12, border=4)
    response = HttpResponse(buffer.getvalue(), content_type="image/png")
    filename = f"{seat.store.code}-{seat.label}.png"
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return response


@login_required
@require_GET
def seat_print(request):
    """The printable sheet: one card per seat in use — store, seat, a short instruction and the QR code (A4)."""
    store, _stores = _page_store(request, Right.MANAGE_STORE)
    cards = []
    for seat in selectors.seats_of(store).filter(active=True):
        url = _qr_url(request, seat)
        svg = segno.make(url, error="m").svg_inline(scale=6, border=2, omitsize=True)
        cards.append({"seat": seat, "svg": mark_safe(svg)})  # segno's own markup; the URL is ours
    host = request.get_host().split(":")[0]
    return render(
        request,
        "lounge/seats_print.html",
        {
            "store": store,
            "cards": cards,
            "local_address": host in ("localhost", "127.0.0.1", "[::1]", "::1"),
            "base_url": request.build_absolute_uri("/"),
        },
    )
