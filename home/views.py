from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from core.standards import STANDARDS
from org.access import role_of
from org.choices import Role
from promises.selectors import my_day

from .selectors import (
    home_carried_over,
    home_carried_over_counts,
    home_colleagues,
    home_departments,
    home_missed_checks,
    home_stores,
)


@login_required
def home(request):
    """Each role's home page: what the person looks after, with real figures only."""
    user = request.user
    role = role_of(user)
    context = {"role": role}
    if role in (Role.GROUP_ADMIN, Role.STORE_MANAGER, Role.AUDITOR):
        context["stores"] = home_stores(user)
    if role == Role.SUPERVISOR:
        context["departments"] = home_departments(user)
    if role in (Role.STAFF, Role.SUPERVISOR):
        context["colleagues"] = home_colleagues(user)
    context["standards"] = STANDARDS
    context["day"] = my_day(user)
    context["carried_over"] = home_carried_over(user)  # S1.D2: yesterday's unfinished work first
    context["carried_over_counts"] = home_carried_over_counts(user)
    context["missed_checks"] = home_missed_checks(user)  # S6, S1.D3: a check of people not done
    return render(request, "home/home.html", context)
