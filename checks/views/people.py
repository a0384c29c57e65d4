"""Pages of checks of people: the morning grooming check (S6.1–S6.4, 班前检查) and desk checks per person (S1.D3).

A round of people is done on a phone: one card per person; "all pass" is one tap (htmx redraws the
card); a failed item needs a note or a photo; absent people are marked with the reason. Corrections
are confirmed with a tap by the checker, the person's supervisor or a manager. A person's checks are
shown to the person, their supervisors and the managers only (checks.selectors.may_see_person).
"""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.forms import add_service_errors
from core.htmx import is_htmx
from core.pagination import list_page
from org.access import Right, require, store_for_page

from .. import selectors
from ..choices import ItemKind, RoundState
from ..forms import AbsentForm, AddPersonForm, CheckSettingsForm, ConfirmForm, SubjectForm
from ..models import RoundSubject, check_settings
from ..services import actions, people, settings
from .common import PAGE_SIZE, _day, _saved

# The discipline record page (the conduct app, built alongside): a literal path, so checks never imports conduct.
DISCIPLINE_NEW = "/conduct/records/new/?person={person}&source=spot_check"


def _open_round(request, round_pk):
    """The round being done, for someone who may do it (404 outside the wall, 403 without the right)."""
    round = selectors.round_get_for_user(request.user, round_pk, right=Right.EDIT)
    if round.state != RoundState.OPEN or round.started_at is None:
        raise Http404
    return round


def _subject(round, subject_pk) -> RoundSubject:
    subject = RoundSubject.objects.select_related("person").filter(round=round, pk=subject_pk).first()
    if subject is None:
        raise Http404
    return subject


def _card(subject, form=None, absent_form=None):
    """One person's card: their items as a form (or the absence), the link to record a discipline issue."""
    subject.form = form or SubjectForm(round=subject.round, results=subject.items)
    subject.rows = list(subject.form.rows())
    subject.absent_form = absent_form or AbsentForm()
    subject.discipline_url = DISCIPLINE_NEW.format(person=subject.person_id)
    subject.measured = any(r.kind == ItemKind.MEASURED for r in subject.items)
    return subject


def people_page(request, round, *, cards=None, errors=(), add_form=None, status=200):
    """The round of people on a phone: a card per person, add a person, submit."""
    cards = cards or {}
    subjects = []
    for subject in selectors.round_subjects(round):
        subject.round = round
        own = cards.get(subject.pk)
        subjects.append(own if own is not None else _card(subject))
    present = [s for s in subjects if not s.absent]
    return render(
        request,
        "checks/people_round.html",
        {
            "round": round,
            "subjects": subjects,
            "checked": sum(1 for s in present if s.checked_at),
            "present": len(present),
            "add_form": add_form or AddPersonForm(round=round),
            "errors": errors,
        },
        status=status,
    )


def _card_response(request, round, subject_pk, *, form=None, absent_form=None, refused=False):
    """With htmx, only the person's card (errors shown in it, status 200 so htmx swaps it); else the page."""
    subjects = selectors.round_subjects(round)
    subject = next(s for s in subjects if s.pk == subject_pk)
    subject.round = round
    card = _card(subject, form=form, absent_form=absent_form)
    if is_htmx(request):
        checked = sum(1 for s in subjects if not s.absent and s.checked_at)
        context = {"round": round, "subject": card, "oob": True, "checked": checked}
        return render(request, "checks/partials/person_card.html", context)
    if refused:
        return people_page(request, round, cards={subject_pk: card}, status=400)
    return redirect("checks:round_do", round.pk)


@login_required
@require_POST
def subject_answer(request, round_pk, subject_pk):
    """One person's items answered (S6.1–S6.4, S1.D3): pass or fail, a note or a photo for each fail."""
    round = _open_round(request, round_pk)
    subject = _subject(round, subject_pk)
    results = list(round.results.filter(subject=subject.person).order_by("position", "id"))
    form = SubjectForm(request.POST, request.FILES, round=round, results=results)
    refused = True
    if form.is_valid():
        try:
            people.subject_answer(actor=request.user, round=round, subject=subject, answers=form.answers())
            refused = False
        except ValidationError as exc:
            SubjectForm.add_service_errors(form, exc)
    return _card_response(request, round, subject.pk, form=form if refused else None, refused=refused)


@login_required
@require_POST
def subject_all_pass(request, round_pk, subject_pk):
    """Every item of one person passed: one tap (S6.1–S6.4)."""
    round = _open_round(request, round_pk)
    subject = _subject(round, subject_pk)
    try:
        people.subject_all_pass(actor=request.user, round=round, subject=subject)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _card_response(request, round, subject.pk, refused=True)
    return _card_response(request, round, subject.pk)


@login_required
@require_POST
def subject_absent(request, round_pk, subject_pk):
    """Mark a person absent with the reason: not checked (S6.1–S6.4)."""
    round = _open_round(request, round_pk)
    subject = _subject(round, subject_pk)
    form = AbsentForm(request.POST)
    refused = True
    if form.is_valid():
        try:
            people.subject_absent(actor=request.user, round=round, subject=subject, reason=form.cleaned_data["reason"])
            refused = False
        except ValidationError as exc:
            add_service_errors(form, exc)
    return _card_response(request, round, subject.pk, absent_form=form if refused else None, refused=refused)


@login_required
@require_POST
def subject_add(request, round_pk):
    """Add a person on duty to the round, or check again a person marked absent."""
    round = _open_round(request, round_pk)
    form = AddPersonForm(request.POST, round=round)
    if _saved(
        request,
        form,
        lambda: people.subject_add(actor=request.user, round=round, person=form.cleaned_data["person"]),
        _("Person added to the check."),
    ):
        return redirect("checks:round_do", round.pk)
    return people_page(request, round, add_form=form, status=400)


@login_required
@require_POST
def people_round_submit(request, round_pk):
    """Submit the round once every present person is checked; failed items become corrections."""
    round = _open_round(request, round_pk)
    try:
        people.people_round_submit(actor=request.user, round=round)
    except ValidationError as exc:
        return people_page(request, round, errors=exc.messages, status=400)
    messages.success(request, _("Check submitted."))
    return redirect("checks:round_detail", round.pk)


@login_required
@require_POST
def correction_confirm(request, action_pk):
    """The checker, the person's supervisor or a manager confirms with a tap that the item was put right."""
    action = selectors.action_get_for_user(request.user, action_pk, right=Right.EDIT)
    form = ConfirmForm(request.POST, request.FILES)
    if _saved(
        request,
        form,
        lambda: actions.correction_confirm(
            actor=request.user, action=action, note=form.cleaned_data["note"], photo=form.cleaned_data["photo"]
        ),
        _("Correction confirmed."),
    ):
        target = request.POST.get("next", "")
        if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
            return redirect(target)
        return redirect("checks:action_detail", action.pk)
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)
    return redirect("checks:action_detail", action.pk)


@login_required
def person_checks(request, person_pk):
    """The checks of one person (S6.1–S6.4, S1.D3): done, items failed by item, pass rate; for the person,
    their supervisors and the managers."""
    person = selectors.person_get_for_user(request.user, person_pk)
    today = timezone.localdate()
    last = _day(request.GET.get("to", "")) or today
    first = _day(request.GET.get("from", "")) or last - timedelta(days=29)
    if first > last:
        first, last = last, first
    summary = selectors.person_check_summary(person, first, last)
    page = list_page(request, selectors.person_rounds(person), PAGE_SIZE)
    return render(
        request,
        "checks/person_checks.html",
        {"person": person, "summary": summary, "page": page, "first": first, "last": last},
    )


@login_required
def check_settings_edit(request):
    """The store's check settings (store managers): correction clock, repeated failures, photo retention."""
    require(request.user, Right.MANAGE_STORE)
    store = store_for_page(request.user, request.GET.get("store") or request.POST.get("store"), Right.MANAGE_STORE)
    current = check_settings(store)
    initial = {name: getattr(current, name) for name in settings.SETTINGS_FIELDS}
    form = CheckSettingsForm(request.POST or None, initial=initial)
    if _saved(
        request,
        form,
        lambda: settings.check_settings_update(actor=request.user, store=store, **form.service_data()),
        _("Saved."),
    ):
        return redirect(f"{request.path}?store={store.pk}")
    return render(
        request,
        "checks/check_settings.html",
        {"store": store, "form": form},
        status=400 if request.method == "POST" else 200,
    )
