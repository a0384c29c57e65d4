"""The customer's page behind a table's QR code (S4.2, S4.5, S4.11): no sign-in, no app, always in Chinese.

The code in the link is the only thing trusted: it names the seat, and the seat names the store; the
menu and the facilities offered are that store's. The page shows the store's name and the seat's
label and nothing else — no customer, no other request. A code that is unknown, forged, re-issued or
of a seat taken out of use gets a polite page (404), never an error; too many requests from a table
or a phone get a polite "please wait" (429); a form sent without its CSRF cookie a polite "scan again".

A phone is known by a random id in a signed cookie, set on its first visit: one store's Wi-Fi puts every
phone in the lounge behind one address, so the address only bounds them all with a looser ceiling. A phone
without a valid cookie (absent or forged) counts under its address, so dropping the cookie gains nothing.
"""

import secrets
from functools import wraps

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpResponseNotAllowed
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import redirect, render
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from core.htmx import render_page
from lounge.choices import RequestKind, RequestSource, RequestState
from lounge.forms.requests import TableRequestForm
from lounge.selectors import requests as selectors
from lounge.services import requests as services
from org.auth import client_ip

PUBLIC_LANGUAGE = "zh-hans"
BROWSER_COOKIE = "aftersales_table"
BROWSER_COOKIE_SALT = "lounge.table.browser"
BROWSER_COOKIE_AGE = 365 * 24 * 3600


def _browser_id(request) -> str | None:
    """The phone's random id from its signed cookie; None when absent or not signed by us."""
    value = request.get_signed_cookie(BROWSER_COOKIE, default=None, salt=BROWSER_COOKIE_SALT)
    if value and len(value) <= 64 and value.replace("-", "").replace("_", "").isalnum():
        return value
    return None


def _remember_browser(request, response):
    """Give a phone that opens a table's page without a valid cookie its own random id, for its requests."""
    if request.method == "GET" and response.status_code == 200 and _browser_id(request) is None:
        response.set_signed_cookie(
            BROWSER_COOKIE,
            secrets.token_urlsafe(16),
            salt=BROWSER_COOKIE_SALT,
            max_age=BROWSER_COOKIE_AGE,
            path="/q/",
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )
    return response


def _customer_page(view):
    """Chinese whatever the session or browser says, never cached, never indexed, the code never sent to another site."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        with translation.override(PUBLIC_LANGUAGE):
            request.LANGUAGE_CODE = PUBLIC_LANGUAGE
            response = view(request, *args, **kwargs)
        _remember_browser(request, response)
        response["Content-Language"] = PUBLIC_LANGUAGE
        response["X-Robots-Tag"] = "noindex, nofollow"
        response["Referrer-Policy"] = "same-origin"  # no-referrer would make the POST's Origin "null" (CSRF)
        return response

    return never_cache(wrapped)


def _not_found(request):
    return render(request, "lounge/public/not_found.html", {}, status=404)


def _csrf_refused(request) -> bool:
    """Django's own CSRF check, run here so that a refusal gets the polite page rather than Django's."""
    return CsrfViewMiddleware(lambda r: None).process_view(request, None, (), {}) is not None


def _home_context(seat, form=None, error: str = "") -> dict:
    store = seat.store
    form = form or TableRequestForm(store=store)
    return {
        "seat": seat,
        "store": store,
        "drinks": list(form.fields["drink"].queryset),
        "facilities": list(form.fields["facility"].queryset),
        "kinds": RequestKind,
        "error": error,
    }


@csrf_exempt  # checked in the view, with a polite page (see _csrf_refused)
@_customer_page
def table_home(request, seat_token):
    """The big buttons: a refill, a drink from the menu, help, my service advisor, something is broken."""
    seat = selectors.seat_for_token(seat_token)
    if seat is None:
        return _not_found(request)
    if request.method in ("GET", "HEAD"):
        return render(request, "lounge/public/home.html", _home_context(seat))
    if request.method != "POST":
        return HttpResponseNotAllowed(["GET", "POST"])
    if _csrf_refused(request):
        return render(request, "lounge/public/refused.html", {"seat": seat, "store": seat.store}, status=403)
    form = TableRequestForm(request.POST, store=seat.store)
    if not form.is_valid():
        error = " ".join(" ".join(errors) for errors in form.errors.values())
        return render(request, "lounge/public/home.html", _home_context(seat, form, error), status=400)
    data = form.cleaned_data
    address_key = services.sender_key(client_ip(request))
    browser = _browser_id(request)
    try:
        req = services.request_create(
            store=seat.store,
            seat=seat,
            kind=data["kind"],
            drink=data.get("drink"),
            facility=data.get("facility"),
            note=data.get("note", ""),
            source=RequestSource.QR,
            # the phone's own allowance; without a valid cookie, its address's (shared, so no gain)
            client_key=services.browser_key(browser) if browser else address_key,
            address_key=address_key,
        )
    except services.RequestLimitReached as exc:
        context = {"seat": seat, "store": seat.store, "message": " ".join(exc.messages)}
        return render(request, "lounge/public/limit.html", context, status=429)
    except ValidationError as exc:
        return render(request, "lounge/public/home.html", _home_context(seat, form, " ".join(exc.messages)), status=400)
    return redirect("table:receipt", seat_token=seat.token, receipt=req.receipt)


@csrf_exempt  # reads only: anything but GET is refused below, without Django's CSRF page
@_customer_page
def table_receipt(request, seat_token, receipt):
    """The customer's own request: received at HH:MM, then "someone is on the way"; it refreshes itself."""
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET"])
    seat = selectors.seat_for_token(seat_token)
    req = selectors.request_for_receipt(seat, receipt) if seat is not None else None
    if req is None:
        return _not_found(request)
    context = {
        "seat": seat,
        "store": seat.store,
        "req": req,
        "S": RequestState,
        "final": req.state in (RequestState.DONE, RequestState.CANCELLED),
    }
    return render_page(request, "lounge/public/receipt.html", "lounge/partials/request_public_status.html", context)
