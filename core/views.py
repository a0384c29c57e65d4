from django.contrib.auth.decorators import login_required
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import requires_csrf_token
from django.views.decorators.http import require_POST, require_safe
from django.views.defaults import bad_request as django_bad_request
from django.views.defaults import page_not_found as django_page_not_found

from .standards import STANDARDS, standard_by_slug


@require_POST
def set_language(request):
    """Switch the interface language; a signed-in person keeps the choice on their account."""
    code = request.POST.get("language", "")
    if code not in {"zh-hans", "en"}:
        code = "zh-hans"
    if request.user.is_authenticated:
        request.user.language = code
        request.user.save(update_fields=["language"])
    translation.activate(code)
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = "/"
    response = redirect(next_url)
    response.set_cookie("django_language", code, max_age=365 * 24 * 3600, samesite="Lax")
    return response


@require_safe
@never_cache
def healthz(request):
    """The process answers: for a load balancer's health check and the load benchmark's floor (bench/load_bench.py).

    No database, no session, no template and no translation: a plain "ok" whatever state the data is in.
    """
    return HttpResponse("ok\n", content_type="text/plain; charset=utf-8")


@login_required
def standards(request):
    return render(request, "core/standards.html", {"standards": STANDARDS})


@login_required
def standard_detail(request, slug):
    standard = standard_by_slug(slug)
    if standard is None:
        raise Http404
    return render(request, "core/standard_detail.html", {"standard": standard})


# --- Errors --------------------------------------------------------------------------------------


def request_too_big_message() -> str:
    from django.conf import settings

    size = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if size >= 1024 * 1024:
        limit = _("%(size)s MB") % {"size": size // (1024 * 1024)}
    else:
        limit = _("%(size)s KB") % {"size": max(1, size // 1024)}
    return _("What was sent is too large: at most %(limit)s at once. Send less, or a smaller file.") % {"limit": limit}


@requires_csrf_token
def bad_request(request, exception=None):
    """Django's 400 page, except for a body over DATA_UPLOAD_MAX_MEMORY_SIZE: a 413 that says so, as a page on
    the web and as JSON for the API (the API answers its own 413 when the body is read inside it)."""
    if isinstance(exception, RequestDataTooBig):
        if request.path.startswith("/api/"):
            return JsonResponse(
                {"detail": request_too_big_message()}, status=413, json_dumps_params={"ensure_ascii": False}
            )
        return render(request, "core/request_too_big.html", {"message": request_too_big_message()}, status=413)
    return django_bad_request(request, exception)


@requires_csrf_token
def not_found(request, exception=None):
    """Django's 404 page, except under /api/: an API client gets JSON in its language, as from every endpoint."""
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"detail": _("Not found, or not in your stores.")}, status=404, json_dumps_params={"ensure_ascii": False}
        )
    return django_page_not_found(request, exception)
