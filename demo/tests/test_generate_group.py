"""generate_group (issue 10): the smoke test of the group generator — counts, consistency across apps,
and pages answering for the generated accounts. Built once for the module, on a frozen clock."""

import os
import re
from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.db.models import F, Q
from django.urls import reverse

from checks.models import CorrectiveAction, Round, RoundResult
from complaints.models import Complaint, Verification
from core.models import HistoryEntry
from customers.models import Customer, Vehicle
from insights.models import DirtyDay
from lounge.models import FaultTicket, LoungeRequest, Serving, Visit
from org.choices import Role
from org.models import DealerGroup, Store, User
from phone.models import Call, Message
from promises.choices import PromiseState
from promises.models import Promise, PromiseEvent
from tests.clock import at

pytestmark = pytest.mark.django_db

MOMENT = at("2026-11-27 10:00")  # the build's "today"; every record lies before its midnight
# 3 stores × 1 month by default: the 5 × 3 takes 65–75 s on SQLite here (25–30 s of CPU);
# GENERATE_GROUP_SMOKE="5x3" runs that size (CI with time to spare).
STORES, MONTHS = (int(n) for n in os.environ.get("GENERATE_GROUP_SMOKE", "3x1").split("x"))
CUSTOMERS = 300
PASSWORD = "group-pass-2026"


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker):
    """The data set built once (STORES × MONTHS on the frozen clock), emptied after the module."""
    out = StringIO()
    with time_machine.travel(MOMENT, tick=False), django_db_blocker.unblock():
        call_command(
            "generate_group",
            stores=STORES,
            months=MONTHS,
            customers=CUSTOMERS,
            password=PASSWORD,
            stdout=out,
        )
        yield out.getvalue()
        call_command("flush", interactive=False, verbosity=0)
        # SQLite's flush deletes row by row: the rollups' triggers mark the deleted records' days again
        DirtyDay.objects.all().delete()


def test_every_module_has_records(built):
    assert Store.objects.count() == STORES
    for model in (Customer, Vehicle, Call, Message, Promise, PromiseEvent, HistoryEntry, Complaint, Verification):
        assert model.objects.exists(), model.__name__
    for model in (Visit, Serving, LoungeRequest, FaultTicket, Round, RoundResult, CorrectiveAction):
        assert model.objects.exists(), model.__name__
    for role in Role.values:
        assert User.objects.filter(role=role).exists(), role
    assert "Rows per table:" in built and "phone_call" in built and "Built in" in built
    # the proportions of a busy store: hundreds of calls and tens of visits a day
    days = 28 * MONTHS
    assert Call.objects.count() > STORES * days * 200
    assert Visit.objects.count() > STORES * days * 50


def test_records_lie_before_the_end_and_stay_in_their_store(built):
    end = MOMENT.replace(hour=0, minute=0)
    assert not Call.objects.filter(started_at__gte=end).exists()
    assert not Visit.objects.filter(arrived_at__gte=end).exists()
    assert not Promise.objects.filter(created_at__gte=end).exists()
    assert not PromiseEvent.objects.filter(at__gte=end).exists()
    assert not HistoryEntry.objects.filter(at__gte=end).exists()
    assert not Call.objects.exclude(answered_by=None).exclude(answered_by__store=F("store")).exists()
    assert not Call.objects.exclude(customer=None).exclude(customer__store=F("store")).exists()
    assert not Vehicle.objects.exclude(owner__store=F("store")).exists()
    assert not Complaint.objects.exclude(call__store=F("store")).exists()
    assert not Message.objects.exclude(for_user__store=F("store")).exists()
    assert not Visit.objects.exclude(customer=None).exclude(customer__store=F("store")).exists()
    assert not RoundResult.objects.exclude(round__store=F("store")).exists()
    group_level = ContentType.objects.get_for_models(DealerGroup, User).values()
    assert not HistoryEntry.objects.filter(store=None).exclude(content_type__in=group_level).exists()


def test_promises_point_at_existing_records_and_match_their_times(built):
    for subject_model in (
        Call,
        Message,
        Complaint,
        Verification,
        Visit,
        LoungeRequest,
        Round,
        CorrectiveAction,
        FaultTicket,
    ):
        ct = ContentType.objects.get_for_model(subject_model)
        ids = set(Promise.objects.filter(subject_type=ct).values_list("subject_id", flat=True))
        assert ids, subject_model.__name__
        assert ids <= set(subject_model.objects.values_list("id", flat=True)), subject_model.__name__
    assert not Promise.objects.filter(state=PromiseState.KEPT, kept_at__gt=F("due_at")).exists()
    assert not Promise.objects.filter(state=PromiseState.LATE, kept_at__lte=F("due_at")).exists()
    assert not Promise.objects.filter(state__in=["kept", "late"], kept_at=None).exists()
    assert not Promise.objects.filter(state="open").exclude(kept_at=None).exists()
    assert not Promise.objects.filter(due_at__lt=F("created_at")).exists()
    # every message's and complaint's promise exists; a kept call-back has its call
    assert not Message.objects.filter(promise=None).exists()
    assert not Message.objects.exclude(called_back_at=None).filter(callback_call=None).exists()
    assert not Complaint.objects.filter(Q(ack_promise=None) | Q(reply_promise=None)).exists()
    assert not Visit.objects.filter(greet_promise=None).exists()
    assert not PromiseEvent.objects.filter(promise__created_at__gt=F("at")).exists()
    # a request's promise names its own seat
    request_type = ContentType.objects.get_for_model(LoungeRequest)
    titles = dict(Promise.objects.filter(subject_type=request_type).values_list("subject_id", "title")[:200])
    for pk, label in LoungeRequest.objects.filter(pk__in=titles).values_list("pk", "seat__label"):
        assert re.search(rf"(?<![A-Z0-9]){label}(?![0-9])", titles[pk]), (label, titles[pk])


def test_refuses_a_database_that_is_not_empty(built):
    with pytest.raises(CommandError, match="empty database"):
        call_command("generate_group", stores=1, months=1, stdout=StringIO())


def test_sequences_continue_after_the_generated_ids(built):
    top = Call.objects.order_by("-id").values_list("id", flat=True).first()
    store = Store.objects.first()
    call = Call.objects.create(store=store, direction="in", outcome="handled")
    assert call.pk > top


@pytest.mark.parametrize("login", ["groupadmin", "s001_manager", "s001_agent", "s002_attendant"])
def test_generated_people_sign_in_and_their_pages_answer(built, client, settings, login):
    # built before this test's faster test-only hasher was set
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    with time_machine.travel(MOMENT, tick=False):
        response = client.post("/signin/", {"username": login, "password": PASSWORD})
        assert response.status_code == 302, login
        pages = ["/", reverse("promises:my_day"), reverse("phone:call_list"), reverse("customers:customer_list")]
        pages += [reverse("complaints:complaint_list"), reverse("lounge:board"), reverse("checks:round_list")]
        for page in pages:
            assert client.get(page).status_code == 200, (login, page)


def test_the_figures_are_rolled_up_for_every_generated_day(built):
    from insights.models import DailyFigure, RollupState

    assert DailyFigure.objects.filter(store__in=Store.objects.all()).exists()
    states = RollupState.objects.all()
    assert states.exists()
    last = MOMENT.date() - timedelta(days=1)
    assert all(state.last_day == last for state in states)
