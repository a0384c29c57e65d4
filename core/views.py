from django import forms
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.core.exceptions import RequestDataTooBig
from django.db.models import Count, Q
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import requires_csrf_token
from django.views.decorators.http import require_POST
from django.views.defaults import bad_request as django_bad_request

from org.access import role_of, store_ids
from org.auth import client_ip, signin_attempt_record, signin_locked_for
from org.choices import Role
from org.models import Department, Store, User
from promises.selectors import my_day

from .standards import STANDARDS, standard_by_slug


class SignInForm(AuthenticationForm):
    """Username or employee number and password; repeated failures lock the name for a while."""

    username = forms.CharField(
        label=gettext_lazy("Username or employee number"),
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )

    def clean(self):
        login = (self.data.get("username") or "").strip()
        ip = client_ip(self.request) if self.request else None
        wait = signin_locked_for(login, ip) if login else 0
        if wait:
            minutes = max(1, (wait + 59) // 60)
            raise forms.ValidationError(
                _("Too many failed sign-ins. Try again in %(minutes)d minutes.") % {"minutes": minutes},
                code="throttled",
            )
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            signin_attempt_record(login=login, ip=ip, succeeded=False)
            raise
        signin_attempt_record(login=login, ip=ip, succeeded=True)
        return cleaned

    def get_invalid_login_error(self):
        return forms.ValidationError(
            _("The username or employee number and the password do not match. Both are case-sensitive."),
            code="invalid_login",
        )


class SignInView(LoginView):
    template_name = "core/signin.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        user = form.get_user()
        translation.activate(user.language)
        return response


@require_POST
def sign_out(request):
    logout(request)
    return redirect("login")


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


@login_required
def home(request):
    """Each role's home page: what the person looks after, with real figures only."""
    user = request.user
    role = role_of(user)
    context = {"role": role}
    if role in (Role.GROUP_ADMIN, Role.STORE_MANAGER, Role.AUDITOR):
        context["stores"] = (
            Store.objects.filter(id__in=store_ids(user))
            .annotate(
                customer_count=Count("customers", filter=Q(customers__erased_at__isnull=True), distinct=True),
                vehicle_count=Count("vehicles", distinct=True),
                staff_count=Count("staff", filter=Q(staff__is_active=True), distinct=True),
            )
            .order_by("code")
        )
    if role == Role.SUPERVISOR:
        context["departments"] = (
            Department.objects.filter(Q(supervisors=user) | Q(pk=user.department_id), store_id__in=store_ids(user))
            .distinct()
            .prefetch_related("members")
        )
    if role in (Role.STAFF, Role.SUPERVISOR):
        context["colleagues"] = (
            User.objects.filter(store_id=user.store_id, department_id=user.department_id, is_active=True)
            .exclude(pk=user.pk)
            .order_by("name")
            if user.department_id
            else User.objects.none()
        )
    context["standards"] = STANDARDS
    context["day"] = my_day(user)
    return render(request, "core/home.html", context)


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
