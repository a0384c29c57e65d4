"""The demo data: complete, valid, deterministic, loaded once; its people can sign in."""

from datetime import time, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from aftersales import demo
from complaints.choices import ComplaintState
from complaints.models import Complaint
from core.validators import normalize_landline, normalize_mobile, normalize_plate, normalize_vin
from customers.models import Customer, Vehicle
from org.choices import DepartmentKind, Role
from org.models import BusinessHours, DealerGroup, Department, Store, StoreClosure, User
from phone.choices import Direction, Outcome
from phone.models import Call, Message
from promises.choices import PromiseState
from promises.models import Promise

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    """The demo loaded once for the tests that only read it (a load takes about 20 s), undone after."""
    with django_db_blocker.unblock(), transaction.atomic():
        result = demo.demo_load()
        yield result
        transaction.set_rollback(True)


def _counts() -> dict:
    models = (
        DealerGroup,
        Store,
        Department,
        BusinessHours,
        StoreClosure,
        User,
        Customer,
        Vehicle,
        Call,
        Message,
        Complaint,
        Promise,
    )
    return {model.__name__: model.objects.count() for model in models}


def _fingerprint() -> list:
    customers = Customer.objects.order_by("store__code", "name", "mobile", "landline").values_list(
        "store__code", "name", "mobile", "landline", "landline_ext", "preferred_contact", "consent_to_contact"
    )
    vehicles = Vehicle.objects.order_by("vin").values_list(
        "owner__name", "plate", "vin", "model", "colour", "purchase_date", "mileage_km"
    )
    people = User.objects.order_by("username").values_list("username", "name", "employee_no", "role", "store__code")
    calls = Call.objects.order_by("store__code", "started_at", "id").values_list(
        "store__code", "direction", "number", "started_at", "ring_seconds", "outcome", "answered_by__username"
    )
    complaints = Complaint.objects.order_by("number").values_list("number", "state", "logged_at", "customer_name")
    messages = Message.objects.order_by("taken_at", "id").values_list(
        "store__code", "for_user__username", "taken_at", "promise__state", "promise__due_at"
    )
    return [list(customers), list(vehicles), list(people), list(calls), list(complaints), list(messages)]


def test_demo_has_two_stores_of_one_brand_staff_in_every_role_and_valid_customers(loaded):
    result = loaded

    assert result.loaded
    group = DealerGroup.objects.get()
    assert group.name == demo.GROUP_NAME
    stores = list(Store.objects.filter(group=group))
    assert [s.code for s in stores] == ["S001", "S002"]
    assert {(s.brand, s.city) for s in stores} == {("一汽丰田", "北京")}
    for store in stores:
        assert set(store.departments.values_list("kind", flat=True)) == set(DepartmentKind.values) - {"other"}
        assert store.business_hours.count() == 7
        assert store.closures.count() >= 2
    sunday = BusinessHours.objects.get(store__code="S002", weekday=6)
    assert (sunday.opens, sunday.closes) == (time(9, 0), time(17, 0))

    assert User.objects.count() >= 15
    assert set(User.objects.values_list("role", flat=True)) == set(Role.values)
    assert not User.objects.filter(name="").exists()
    assert User.objects.filter(employee_no__isnull=True).count() == 0
    supervisor = User.objects.get(username="supervisor1")
    assert {d.name for d in supervisor.supervised_departments.all()} == {"客服部", "续保部"}

    assert Customer.objects.count() == 300
    assert Vehicle.objects.count() == 350
    assert Customer.objects.filter(vehicles__isnull=True).count() == 0
    for mobile, landline in Customer.objects.values_list("mobile", "landline"):
        assert mobile or landline
        assert not mobile or normalize_mobile(mobile) == mobile
        assert not landline or normalize_landline(landline) == landline
    for plate, vin in Vehicle.objects.values_list("plate", "vin"):
        assert normalize_plate(plate) == plate
        result = normalize_vin(vin)
        assert result.vin == vin and result.check_digit_ok, vin
    assert Vehicle.objects.filter(plate__regex=r"^.{3}[DF]").exists(), "some new-energy plates"
    assert Vehicle.objects.values("plate").distinct().count() == 350
    assert Vehicle.objects.values("vin").distinct().count() == 350
    # every customer and vehicle was created through the services, so each has its history
    from core.models import HistoryEntry

    assert HistoryEntry.objects.filter(action="create", object_repr__in=Vehicle.objects.values("plate")).count() == 350


def test_a_second_run_adds_nothing_and_says_so(loaded):
    assert loaded.loaded
    first = _counts()

    out = StringIO()
    call_command("load_demo", stdout=out)

    assert "demo data already present" in out.getvalue()
    assert "manager1" in out.getvalue()
    assert _counts() == first


def test_demo_people_sign_in_with_the_demo_password_by_username_or_employee_number(loaded, client, settings):
    # the demo was loaded before this test's faster test-only hasher was set
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    for login in ("admin", "manager1", "HB1005", "supervisor2", "auditor2"):
        response = client.post("/signin/", {"username": login, "password": demo.DEMO_PASSWORD})

        assert response.status_code == 302, login
        assert client.get("/").status_code == 200
        client.post("/signout/")


def test_sign_ins_list_the_well_known_accounts_with_their_stores(loaded):
    rows = {row["username"]: row for row in demo.sign_ins()}

    assert set(rows) == set(demo.WELL_KNOWN)
    assert rows["groupaudit"]["stores"] == "S001+S002"
    assert rows["staff2"]["stores"] == "S002"
    assert rows["admin"]["employee_no"] == "HB0001"


def test_demo_has_a_month_of_calls_messages_missed_calls_and_complaints(loaded):
    now = timezone.now()

    tz = timezone.get_current_timezone()
    for code in ("S001", "S002"):
        calls = Call.objects.filter(store__code=code)
        inbound = calls.filter(direction=Direction.INBOUND)
        days = {timezone.localtime(at, tz).date() for at in calls.values_list("started_at", flat=True)}
        assert len(days) >= 25, code  # most days of the month (closure days stay quiet)
        assert max(days) < timezone.localdate(now) and min(days) >= timezone.localdate(now) - timedelta(days=30)
        per_day = inbound.count() / len(days)
        assert 40 <= per_day <= 62, per_day
        for at in inbound.values_list("started_at", flat=True):
            local = timezone.localtime(at, tz).time()
            assert time(8, 30) <= local <= time(18, 0), at
        # ring times: most answered within three rings, some not; a few missed and cut off
        late = inbound.filter(answered_in_time=False).count() / inbound.count()
        assert 0.1 < late < 0.3, late
        missed = inbound.filter(outcome=Outcome.MISSED)
        assert 0.03 < missed.count() / inbound.count() < 0.08
        assert not missed.exclude(answered_by=None).exists()
        assert inbound.filter(outcome=Outcome.DROPPED).exists()
        assert inbound.filter(customer=None).exists() and inbound.exclude(customer=None).count() > inbound.count() / 2
        answered = inbound.exclude(answered_by=None)
        assert set(answered.values_list("answered_by__department__kind", flat=True)) == {
            "customer_service",
            "front_desk",
        }
        assert not answered.filter(extension="").exists()
        # transcripts, checked against the script: good and poor openings
        scored = inbound.exclude(script_score=None)
        assert 0.1 < scored.count() / answered.count() < 0.3
        scores = set(scored.values_list("script_score", flat=True))
        assert 100 in scores and min(scores) < 50
        # missed and cut-off calls: call-back promises, mostly kept on time, a few late or open
        promises = Promise.objects.filter(store__code=code, kind="missed_callback")
        assert promises.count() == inbound.filter(outcome__in=[Outcome.MISSED, Outcome.DROPPED]).count()
        states = dict(promises.values_list("state").annotate(n=Count("id")))
        assert states[PromiseState.KEPT] > states.get(PromiseState.LATE, 0) > 0
        assert states[PromiseState.KEPT] > promises.count() / 2
        assert not Promise.objects.filter(store__code=code, created_at__gt=now).exists()
        assert not Promise.objects.filter(store__code=code, kept_at__gt=now).exists()
        # messages for absent colleagues: ~3 a day, most called back on time, some late, a few open
        messages = Message.objects.filter(store__code=code)
        assert 2 * len(days) <= messages.count() <= 4 * len(days)
        assert not messages.filter(taken_at__gt=now).exists()
        states = dict(messages.values_list("promise__state").annotate(n=Count("id")))
        assert states[PromiseState.KEPT] > messages.count() / 2
        assert states[PromiseState.LATE] > 0 and states[PromiseState.OPEN] > 0
        kept = messages.filter(promise__state=PromiseState.KEPT)
        assert not kept.filter(called_back_at=None).exists()
        for message in kept:
            assert message.taken_at < message.called_back_at <= message.promise.due_at
        assert not messages.filter(promise__state=PromiseState.OPEN).exclude(called_back_at=None).exists()
        # complaints in every stage
        complaints = Complaint.objects.filter(store__code=code)
        assert complaints.count() == 12
        assert set(complaints.values_list("state", flat=True)) == set(ComplaintState.values)
        assert complaints.filter(reopened_count=1).count() == 1
        assert complaints.filter(state=ComplaintState.FOLLOW_UP, unreachable=True).exists()
        assert complaints.filter(state=ComplaintState.FOLLOW_UP).exclude(satisfaction_score=None).exists()
        assert complaints.filter(reply_on_time=False).exists()
        assert not complaints.filter(logged_at__gt=now).exists()
        assert complaints.filter(call__purpose="complaint").count() == 12
