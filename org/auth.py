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
        user = account_for_login(username)
        if user is None:
            User().set_password(password)  # same work as a real check: no timing hint
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None


def account_for_login(login: str) -> User | None:
    """The account a typed sign-in name means: its username in any case, or its employee number."""
    login = (login or "").strip()
    if not login:
        return None
    return User.objects.filter(Q(username__iexact=login) | Q(employee_no=login)).order_by("pk").first()


def signin_key(login: str) -> str:
    """What failed sign-ins are counted against: the account, whatever name was typed for it (its username
    in lower case), or for a name that is no account the typed name itself.

    Counting per typed name let a guesser try five passwords on the username, five more on the employee
    number and five more on the name in capitals; per account the five are five.
    """
    account = account_for_login(login)
    if account is None:
        # an employee number typed in another case still counts against its account
        account = User.objects.filter(employee_no__iexact=(login or "").strip()).order_by("pk").first()
    if account is not None:
        return account.username.lower()[:150]
    return (login or "").strip().lower()[:150]


def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def signin_locked_for(login: str, ip: str | None) -> int:
    """Seconds until the account (or, after many names, the address) may try again; 0 if free.

    ``login`` is what was typed; failures are counted per account (see ``signin_key``) and per address.
    """
    window = timedelta(seconds=settings.SIGNIN_WINDOW_SECONDS)
    since = timezone.now() - window
    recent = SignInAttempt.objects.filter(at__gte=since, succeeded=False)
    by_login = list(
        recent.filter(login=signin_key(login))
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
    """Keep one attempt under the account it was for (see ``signin_key``), whatever name was typed."""
    key = signin_key(login)
    SignInAttempt.objects.create(login=key, ip=ip, at=timezone.now(), succeeded=succeeded)
    if succeeded:
        # a successful sign-in clears the account's earlier failures
        SignInAttempt.objects.filter(login=key, succeeded=False).delete()
