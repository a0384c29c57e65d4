"""Sign-in by username or employee number, with failed attempts throttled."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.db.models import Q
from django.utils import timezone

from .models import SignInAttempt, User


class UsernameOrEmployeeNumberBackend(ModelBackend):
    """The sign-in name may be the account's username or the employee number."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if not username or password is None:
            return None
        login = username.strip()
        user = User.objects.filter(Q(username__iexact=login) | Q(employee_no=login)).first()
        if user is None:
            User().set_password(password)  # same work as a real check: no timing hint
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None


def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def signin_locked_for(login: str, ip: str | None) -> int:
    """Seconds until the name (or, after many names, the address) may try again; 0 if free."""
    window = timedelta(seconds=settings.SIGNIN_WINDOW_SECONDS)
    since = timezone.now() - window
    recent = SignInAttempt.objects.filter(at__gte=since, succeeded=False)
    by_login = list(
        recent.filter(login=login.strip().lower())
        .order_by("-at")
        .values_list("at", flat=True)[: settings.SIGNIN_MAX_FAILURES]
    )
    limit = settings.SIGNIN_MAX_FAILURES
    oldest = None
    if len(by_login) >= limit:
        oldest = by_login[-1]
    elif ip:
        by_ip = list(recent.filter(ip=ip).order_by("-at").values_list("at", flat=True)[: limit * 4])
        if len(by_ip) >= limit * 4:
            oldest = by_ip[-1]
    if oldest is None:
        return 0
    return max(1, int((oldest + window - timezone.now()).total_seconds()))


def signin_attempt_record(*, login: str, ip: str | None, succeeded: bool) -> None:
    SignInAttempt.objects.create(login=login.strip().lower()[:150], ip=ip, at=timezone.now(), succeeded=succeeded)
    if succeeded:
        # a successful sign-in clears the name's earlier failures
        SignInAttempt.objects.filter(login=login.strip().lower(), succeeded=False).delete()
