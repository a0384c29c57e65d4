"""The demo data: complete, valid, deterministic, loaded once; its people can sign in."""

import os
import re
from collections import Counter
from datetime import datetime, time, timedelta
from io import StringIO

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db.models import Count, F
from django.utils import timezone

from checks.choices import ActionState, Purpose, RoundState, Schedule
from checks.models import Area, CorrectiveAction, Round, RoundResult, RoundSubject
from complaints.choices import ComplaintState
from complaints.models import Complaint
from conduct.choices import BatchState, DisciplineSource, DisciplineState
from conduct.models import AttendanceBatch, AttendanceDay, CarryOver, DisciplineRecord
from core.models import HistoryAction, HistoryEntry
from core.validators import normalize_landline, normalize_mobile, normalize_plate, normalize_vin
from customers.models import Customer, Vehicle
from demo import load as demo
from insights.figures.base import MONTH, FigureScope, Period, period_containing
from insights.figures.lounge import lounge_figures
from insights.figures.people import people_figures
from lounge.choices import FaultSource, FaultState, RequestKind, RequestSource, RequestState
from lounge.models import Drink, Facility, FaultTicket, LoungeRequest, Seat, Serving, Visit
from lounge.selectors.faults import facilities_out_of_order
from lounge.selectors.visits import board
from org.business_time import StoreCalendar
from org.choices import DepartmentKind, Role, RosterKind
from org.models import BusinessHours, DealerGroup, Department, RosterDay, Shift, Store, StoreClosure, User
from phone.choices import Direction, Outcome
from phone.models import Call, Message
from promises.choices import EventAction, PromiseKind, PromiseState
from promises.models import Notification, Promise, PromiseEvent

pytestmark = pytest.mark.django_db


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
    assert HistoryEntry.objects.filter(action="create", object_repr__in=Vehicle.objects.values("plate")).count() == 350


def test_demo_data_is_the_same_on_every_run(loaded):
    first, second = loaded.fingerprints

    assert first == second
    assert len(first[1]) == 350
    # the month on the telephone too: the same calls, complaints and messages, in the same states
    assert len(first[3]) > 4000
    assert len(first[4]) == 24
    assert len(first[5]) > 100


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


def test_demo_month_carries_its_played_moments_into_history_promise_events_and_bells(loaded):
    """What the builders write at a moment of the month carries that moment, not the load time (demo/clock.py).

    The clock stands still at the load in this module, so anything stamped with the real clock would
    be dated now.
    """
    # The month ends at midnight, or earlier when the load runs just after it: the customers in the lounge now
    # (demo/builders/lounge.py `_today`, up to an hour back, stamped with the load's moment) are not the month's.
    today = min(_before_today(), timezone.now() - timedelta(hours=1))
    for model, when in ((Call, "started_at"), (Visit, "arrived_at"), (Complaint, "logged_at")):
        month = model.objects.filter(**{f"{when}__lt": today})
        history = HistoryEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(model), object_id__in=month.values("id")
        )
        made = history.filter(action=HistoryAction.CREATE)
        assert made.count() > 10, model
        for record in month.filter(pk__in=made.values("object_id")).order_by(when)[:20]:
            assert made.get(object_id=record.pk).at == getattr(record, when), record
        if model is not Complaint:  # a complaint's later stages may run on past the month
            assert not history.filter(at__gte=today).exists(), model
    events = PromiseEvent.objects.filter(promise__created_at__lt=today)
    assert events.filter(action=EventAction.MADE).count() > 100
    assert not events.filter(at=timezone.now()).exists()
    bells = Notification.objects.filter(promise__created_at__lt=today)
    assert bells.count() > 100
    assert not bells.filter(created_at=timezone.now()).exists()


# ---------------------------------------------------------------------------------------------
# The lounge month (demo/builders/lounge.py)


def _local_day(at):
    return timezone.localtime(at).date()


def _before_today():
    return datetime.combine(timezone.localdate(), time.min, tzinfo=timezone.get_current_timezone())


def _business_days(store) -> list:
    """The days of the demo month the store was open (closures and public holidays have no visits)."""
    calendar = StoreCalendar(store)
    today = timezone.localdate()
    return [d for d in (today - timedelta(days=n) for n in range(30, 0, -1)) if calendar.interval(d)]


def test_demo_lounge_is_set_up_per_store_with_menu_seats_facilities_and_hygiene_template(loaded):
    for code in ("S001", "S002"):
        store = Store.objects.get(code=code)
        drinks = Drink.objects.filter(store=store)
        assert drinks.count() == 8 and set(drinks.values_list("name", flat=True)) >= {"矿泉水", "咖啡", "柠檬水"}
        assert drinks.filter(available=False).count() == 1, "one drink has run out"
        labels = sorted(Seat.objects.filter(store=store).values_list("label", flat=True))
        assert labels == sorted(f"{row}{n}" for row in "AB" for n in range(1, 7))
        assert Facility.objects.filter(store=store).count() >= 8
        assert store.lounge_settings.greet_within_seconds == 60  # S4.1 default
        assert store.lounge_settings.refill_every_minutes == 20  # S4.2 default
        template = store.checklist_templates.get(purpose=Purpose.LOUNGE_HYGIENE)
        assert set(template.items.values_list("rule_id", flat=True)) == {"S4.6", "S4.7", "S4.8", "S4.9", "S4.10"}
        assert store.check_areas.get(template=template).every_minutes == 60


def test_demo_lounge_has_visits_every_business_day_greeted_served_introduced_and_seen_off(loaded):
    for code in ("S001", "S002"):
        store = Store.objects.get(code=code)
        calendar = StoreCalendar(store)
        # the month's visits, not today's customers still in the lounge (just after midnight they came yesterday)
        month = Visit.objects.filter(store=store, arrived_at__lt=_before_today()).exclude(departed_at=None)
        per_day = Counter(_local_day(at) for at in month.values_list("arrived_at", flat=True))
        assert set(per_day) == set(_business_days(store)), "visits on every business day, none on closed days"
        assert all(15 <= n <= 30 for n in per_day.values()), per_day
        for arrived, departed in month.values_list("arrived_at", "departed_at"):
            opens, closes = calendar.interval(_local_day(arrived))
            assert opens <= arrived < departed <= closes
        # customers on file with the car they came in, a repair order and a service status; some walk-ins
        on_file = month.exclude(customer=None)
        assert 0.6 < on_file.count() / month.count() < 0.8
        assert not on_file.filter(vehicle=None).exists()
        assert not on_file.exclude(vehicle__owner=F("customer")).exists()
        for arrived, order in on_file.values_list("arrived_at", "repair_order"):
            assert re.fullmatch(rf"RO{_local_day(arrived):%Y%m%d}-\d{{3}}", order), order
        assert not on_file.filter(service_status="").exists()
        # S4.1: greeted 5–120 s after arrival, mostly within the store's minute; a few never
        seconds = list(month.exclude(greet_seconds=None).values_list("greet_seconds", flat=True))
        assert min(seconds) >= 5 and max(seconds) <= 120
        assert 0.7 < sum(1 for s in seconds if s <= 60) / len(seconds) < 0.95
        assert 0 < month.filter(greeted_at=None).count() < 0.06 * month.count()
        # S4.3: about a fifth first-time customers, most given the introduction
        first = month.filter(first_visit=True)
        assert 0.12 < first.count() / month.count() < 0.3
        assert 0.7 < first.exclude(introduced_at=None).count() / first.count() < 1
        assert not month.filter(first_visit=False).exclude(introduced_at=None).exists()
        # S4.2: one to three drinks (a request from the table may add one), refills mostly on time, some late
        drinks = Counter(Serving.objects.filter(visit__in=month).values_list("visit_id", flat=True))
        assert {1, 2, 3} <= set(drinks.values()) <= {1, 2, 3, 4}
        assert len(drinks) == month.exclude(greeted_at=None).count(), "every customer greeted had a drink"
        refills = Serving.objects.filter(visit__in=month, refill=True)
        on_time = refills.filter(on_time=True).count()
        assert 0.65 < on_time / refills.count() < 0.95 and refills.filter(on_time=False).exists()
        assert not Serving.objects.filter(visit__in=month, refill=False).exclude(on_time=None).exists()
        # S4.4: seen off, most of them; every visit of the month is over and its clocks are closed
        assert month.exclude(farewell_at=None).count() > 0.8 * month.count()
        assert not month.filter(departed_at=None).exists()
        clocks = Promise.objects.filter(store=store, subject_id__in=month.values("id"))
        assert clocks.filter(kind="lounge_greet").count() == month.count()
        assert not clocks.filter(kind__in=["lounge_greet", "lounge_refill"], state=PromiseState.OPEN).exists()
        assert clocks.filter(kind="lounge_refill", state=PromiseState.BROKEN).exists()


def test_demo_lounge_has_requests_from_the_tables_answered_within_minutes(loaded):
    for code in ("S001", "S002"):
        store = Store.objects.get(code=code)
        month = LoungeRequest.objects.filter(store=store, created_at__lt=_before_today())
        qr = month.filter(source=RequestSource.QR).exclude(kind=RequestKind.FAULT)
        per_day = Counter(_local_day(at) for at in qr.values_list("created_at", flat=True))
        assert set(per_day) == set(_business_days(store)) and all(3 <= n <= 8 for n in per_day.values()), per_day
        assert month.filter(source=RequestSource.BOARD).exists()
        assert set(month.values_list("kind", flat=True)) == set(RequestKind.values)
        assert not qr.filter(seat=None).exists() and not qr.filter(visit=None).exists()
        # S4.5: someone on the way after 30 seconds to 6 minutes; a few never, cancelled at closing
        for created, acknowledged in month.exclude(acknowledged_at=None).values_list("created_at", "acknowledged_at"):
            assert 30 <= (acknowledged - created).total_seconds() <= 360
        cancelled = month.filter(state=RequestState.CANCELLED)
        assert cancelled.exists() and not cancelled.exclude(acknowledged_at=None).exists()
        assert set(month.values_list("state", flat=True)) == {RequestState.DONE, RequestState.CANCELLED}
        # S4.2: a refill asked for from the table is served on the visit when the request is done
        refills = month.filter(kind=RequestKind.REFILL)
        for visit_id, done_at in refills.values_list("visit_id", "done_at"):
            assert Serving.objects.filter(visit_id=visit_id, served_at=done_at, refill=True).exists()
        made = Promise.objects.filter(store=store, kind="lounge_request", created_at__lt=_before_today())
        assert made.count() == month.count() and not made.filter(state=PromiseState.OPEN).exists()


def test_demo_lounge_has_hourly_hygiene_rounds_some_missed_failed_or_late_with_corrective_actions(loaded, demo_media):
    for code in ("S001", "S002"):
        store = Store.objects.get(code=code)
        rounds = Round.objects.filter(
            store=store, purpose=Purpose.LOUNGE_HYGIENE, scheduled_for__lt=_before_today() - timedelta(days=1)
        )
        states = Counter(rounds.values_list("state", flat=True))
        assert set(states) == {RoundState.DONE, RoundState.MISSED}, states
        assert 0.04 < states[RoundState.MISSED] / rounds.count() < 0.2
        done = rounds.filter(state=RoundState.DONE)
        assert 0.7 < done.filter(on_time=True).count() / done.count() < 0.97 and done.filter(on_time=False).exists()
        failed = done.filter(failed_count__gt=0)
        assert 0.07 < failed.count() / done.count() < 0.25
        assert not done.filter(failed_count=0).exclude(score=100).exists()
        results = RoundResult.objects.filter(round__in=failed, passed=False)
        assert not results.filter(photo_on_fail=True, photo="").exists()
        assert results.filter(rule_id="S4.7", value__gt=2).exists(), "an ashtray with more than 2 butts"
        actions = CorrectiveAction.objects.filter(result__in=results)
        assert actions.count() == results.count()
        assert actions.filter(state=ActionState.DONE).count() > 0.85 * actions.count()
        assert not actions.filter(state=ActionState.DONE, done_note="").exists()
    photos = [os.path.join(root, name) for root, _dirs, names in os.walk(demo_media) for name in names]
    assert len(photos) > 20
    assert max(os.path.getsize(path) for path in photos) < 5 * 1024, "demo photos are tiny"


def test_demo_lounge_has_faults_fixed_late_unfixed_and_one_still_open(loaded):
    for code in ("S001", "S002"):
        store = Store.objects.get(code=code)
        faults = FaultTicket.objects.filter(store=store)
        assert 5 <= faults.count() <= 6
        sources = set(faults.values_list("source", flat=True))
        assert sources == {FaultSource.BOARD, FaultSource.ROUND, FaultSource.QR, FaultSource.PAGE}
        fixed = faults.filter(state=FaultState.FIXED)
        assert fixed.filter(promise__state=PromiseState.KEPT).count() >= 3
        assert not fixed.filter(fix_note="").exists() and not fixed.filter(fixed_at__lte=F("reported_at")).exists()
        assert faults.filter(state=FaultState.CANCELLED).exclude(close_reason="").count() == 1
        still_open = faults.filter(state__in=[FaultState.OPEN, FaultState.IN_PROGRESS])
        assert still_open.count() == 1
        assert [f.name for f in facilities_out_of_order([store.pk])] == [still_open.get().facility.name]
        assert faults.get(source=FaultSource.QR).request.kind == RequestKind.FAULT
        assert faults.get(source=FaultSource.ROUND).round_result.passed is False
    assert FaultTicket.objects.filter(state=FaultState.FIXED, promise__state=PromiseState.LATE).exists()


def test_demo_lounge_today_has_customers_in_it_so_the_board_is_alive(loaded):
    now = timezone.now()
    for code in ("S001", "S002"):
        store = Store.objects.get(code=code)
        here = Visit.objects.filter(store=store, departed_at=None)
        assert here.count() == 5
        assert all(now - timedelta(hours=1) <= at <= now for at in here.values_list("arrived_at", flat=True))
        shown = board(store, now=now)
        counts = shown["counts"]
        assert counts["here"] == 5
        assert counts["to_greet"] == 1 and counts["refill_overdue"] == 1 and counts["to_introduce"] == 1
        assert counts["faults"] == 1
        assert sorted(r.state for r in shown["requests"]) == [RequestState.ON_WAY, RequestState.OPEN]
        assert {r.visit_id for r in shown["requests"]} <= set(here.values_list("id", flat=True))
        # today's bells are unread; the month's notifications were read at the time
        lounge = Notification.objects.filter(store=store, promise__kind__in=["lounge_request", "check_correction"])
        unread = lounge.filter(read_at=None)
        assert unread.exists() and not unread.filter(promise__created_at__lt=now - timedelta(hours=1)).exists()
        assert lounge.filter(read_at__lt=_before_today()).count() > 100


def test_demo_lounge_records_belong_to_their_store_and_nothing_lies_in_the_future(loaded):
    now = timezone.now()
    assert not Serving.objects.exclude(store=F("visit__store")).exists()
    assert not Visit.objects.exclude(seat=None).exclude(seat__store=F("store")).exists()
    assert not Visit.objects.exclude(customer=None).exclude(customer__store=F("store")).exists()
    assert not LoungeRequest.objects.exclude(visit=None).exclude(visit__store=F("store")).exists()
    assert not LoungeRequest.objects.exclude(seat=None).exclude(seat__store=F("store")).exists()
    assert not LoungeRequest.objects.exclude(drink=None).exclude(drink__store=F("store")).exists()
    assert not RoundResult.objects.exclude(store=F("round__store")).exists()
    assert not Round.objects.exclude(store=F("area__store")).exists()
    assert not CorrectiveAction.objects.exclude(store=F("result__store")).exists()
    assert not FaultTicket.objects.exclude(store=F("facility__store")).exists()
    for code, other in (("S001", "S002"), ("S002", "S001")):
        visits = Visit.objects.filter(store__code=other).values("id")
        clocks = Promise.objects.filter(kind__in=["lounge_greet", "lounge_refill"], store__code=code)
        assert not clocks.filter(subject_id__in=visits).exists()
    assert not Visit.objects.filter(arrived_at__gt=now).exists()
    assert not Serving.objects.filter(served_at__gt=now).exists()
    assert not LoungeRequest.objects.filter(created_at__gt=now).exists()
    assert not Round.objects.filter(submitted_at__gt=now).exists()
    assert not CorrectiveAction.objects.filter(done_at__gt=now).exists()
    assert not FaultTicket.objects.filter(fixed_at__gt=now).exists()


def test_demo_lounge_figures_for_the_month_are_sensible(loaded):
    today = timezone.localdate()
    for code in ("S001", "S002"):
        store = Store.objects.get(code=code)
        scope = FigureScope(store_ids=frozenset({store.pk}), period=Period(MONTH, today - timedelta(days=30), today))
        figures = lounge_figures(scope)
        days = len(_business_days(store))
        assert 15 * days < figures["visits"] < 30 * days + 10  # today's few customers too
        assert 25 < figures["greet_avg"] < 60 and 60 < figures["greet_p90"] <= 120  # S4.1
        assert 0 < figures["visits_not_greeted"] < 0.06 * figures["visits"]
        assert 60 < figures["introduced_share"] < 100  # S4.3
        assert 65 < figures["refills_on_time_share"] < 95 and figures["refills_overdue"] > 0  # S4.2
        assert 3 * days < figures["requests"] < 10 * days and 1 < figures["response_avg_minutes"] < 4  # S4.5
        assert 60 < figures["requests_in_time_share"] < 100
        assert 8 * days <= figures["rounds_due"] <= 10 * days and 95 < figures["score_avg"] < 100  # S4.6–S4.10
        assert 65 < figures["rounds_on_time_share"] < 95 and figures["failed_items"] > days / 2
        assert figures["faults_open"] == 1 and figures["faults_fixed"] >= 3  # S4.11
        assert figures["faults_fixed_in_time"] >= 2 and figures["fix_avg_hours"] > 0
        # the calendar month of the last business day holds the demo too (the figures page opens on
        # yesterday's month, which early in a month may have had no business day yet: 1–3 October)
        month = period_containing(MONTH, max(_business_days(store)))
        calendar_month = lounge_figures(FigureScope(store_ids=frozenset({store.pk}), period=month))
        assert calendar_month["visits"] > 0 and calendar_month["rounds_done"] > 0


# ---------------------------------------------------------------------------------------------
# Standards 6 and 1 (demo/builders/conduct.py)


def test_demo_roster_has_two_shifts_a_store_people_on_shifts_rest_and_leave_days(loaded):
    """S1.D1a: the roster of the month — shifts, rest days, leave; everyone else on the store's hours."""
    for code in ("S001", "S002"):
        store = Store.objects.get(code=code)
        assert set(Shift.objects.filter(store=store).values_list("name", flat=True)) == {"早班", "晚班"}
        days = RosterDay.objects.filter(store=store)
        kinds = Counter(days.values_list("kind", flat=True))
        assert kinds[RosterKind.WORK] > 50 and kinds[RosterKind.REST] > 10 and kinds[RosterKind.LEAVE] == 3
        on_shifts = set(days.filter(kind=RosterKind.WORK).values_list("person__username", flat=True))
        assert len(on_shifts) == 2
        assert days.filter(date__gte=timezone.localdate()).exists(), "the current month is rostered to its end"
        # most people have no entry on most days: they work the store's business hours
        assert days.count() < User.objects.filter(store=store).count() * 30 / 2


def test_demo_has_a_month_of_grooming_checks_with_failures_corrections_and_a_repeated_failure(loaded):
    """S6.1–S6.4: a daily check per customer-facing department, two missed a store, failures with a note
    (some with a photo), corrections mostly confirmed on time, one late and one open in all, the notice."""
    for code in ("S001", "S002"):
        store = Store.objects.get(code=code)
        areas = Area.objects.filter(store=store, checks_people=True)
        assert areas.filter(schedule=Schedule.DAILY, template__purpose=Purpose.GROOMING).count() == 5
        assert areas.filter(schedule=Schedule.WEEKLY, template__purpose=Purpose.DESK).count() == 3
        rounds = Round.objects.filter(store=store, purpose=Purpose.GROOMING, scheduled_for__lt=_before_today())
        days = len(_business_days(store))
        assert rounds.filter(state=RoundState.DONE).count() == 5 * days - 2
        assert rounds.filter(state=RoundState.MISSED).count() == 2
        subjects = RoundSubject.objects.filter(round__in=rounds)
        assert subjects.filter(absent=True).exists() and subjects.filter(absent=False, failed_count__gt=0).exists()
        failed = RoundResult.objects.filter(round__in=rounds, passed=False)
        assert failed.exclude(comment="").count() == failed.count() > 5
        assert failed.exclude(photo="").exists()
        desk = Round.objects.filter(store=store, purpose=Purpose.DESK, state=RoundState.DONE)
        assert 3 <= desk.count() <= 18 and RoundResult.objects.filter(round__in=desk, passed=False).exists()
    corrections = Promise.objects.filter(kind=PromiseKind.GROOMING_CORRECTION)
    states = Counter(corrections.values_list("state", flat=True))
    assert states[PromiseState.KEPT] > 5 * states[PromiseState.LATE] > 0
    assert states[PromiseState.OPEN] == 2  # the last one of each store
    # one person a store failed the same item three times in 30 days: the store managers are told once the load
    # commits (checks.services.people._repeat_failures_flag; the module's load is never committed)
    for username, rule in (("staff1", "S6.3"), ("hanying", "S6.2")):
        repeated = RoundResult.objects.filter(
            subject__username=username, passed=False, round__state=RoundState.DONE, round__purpose=Purpose.GROOMING
        )
        assert set(repeated.values_list("rule_id", flat=True)) == {rule}
        when = sorted(repeated.values_list("round__submitted_at", flat=True))
        assert len(when) == 3 and when[-1] - when[0] < timedelta(days=30)


def test_demo_has_attendance_for_everyone_with_late_arrivals_and_drafts_in_each_state(loaded):
    """S1.D1a: a month of punches imported a week at a time; late arrivals, an early leave and a missing punch
    became drafts, most confirmed, some dismissed, the last two days' still drafts."""
    for code in ("S001", "S002"):
        store = Store.objects.get(code=code)
        days = AttendanceDay.objects.filter(store=store)
        assert days.values("person").distinct().count() == User.objects.filter(store=store).count()
        assert days.filter(late_minutes__gt=0).count() >= 8
        assert days.filter(early_minutes__gt=0).exists() and days.filter(missing_punch=True).exists()
        assert AttendanceBatch.objects.filter(store=store, state=BatchState.IMPORTED).count() >= 4
        drafts = DisciplineRecord.objects.filter(store=store, source=DisciplineSource.ATTENDANCE)
        states = Counter(drafts.values_list("state", flat=True))
        assert states[DisciplineState.DRAFT] > 0 and states[DisciplineState.DISMISSED] > 0
        assert states[DisciplineState.RECORDED] > 0 and states[DisciplineState.ACKNOWLEDGED] > 0


def test_demo_has_discipline_records_in_every_state_and_a_contest_awaiting_the_manager(loaded):
    """S1.D1a–c, S1.D3, S1.D4: every state in both stores; the contested record waits on a decision promise."""
    for code in ("S001", "S002"):
        records = DisciplineRecord.objects.filter(store__code=code)
        assert set(records.values_list("state", flat=True)) == set(DisciplineState.values)
        assert records.filter(source=DisciplineSource.SPOT_CHECK).exclude(photo="").exists()
        contested = records.get(state=DisciplineState.CONTESTED)
        assert contested.contest_reason and contested.promise.kind == PromiseKind.DISCIPLINE_DECISION
        assert contested.promise.state == PromiseState.OPEN
        assert contested.promise.owner.username == f"manager{code[-1]}"
        for record in records.filter(state__in=[DisciplineState.UPHELD, DisciplineState.WITHDRAWN]):
            assert record.decision_reason and record.decided_by.role == Role.STORE_MANAGER


def test_demo_conduct_history_carries_the_played_moments_and_carried_over_work_is_counted(loaded):
    """What the month did is dated in the month (demo/clock.py); S1.D2 counted each closed day's leftovers."""
    today = _before_today()
    records = DisciplineRecord.objects.filter(source__in=[DisciplineSource.MANUAL, DisciplineSource.SPOT_CHECK])
    made = HistoryEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(DisciplineRecord),
        object_id__in=records.values("id"),
        action=HistoryAction.CREATE,
    )
    assert made.count() == records.count() == 10
    for record in records:
        assert made.get(object_id=record.pk).at == record.created_at == record.recorded_at < today
    assert not AttendanceBatch.objects.filter(created_at__gte=today).exists()
    rounds = Round.objects.filter(purpose=Purpose.GROOMING, state=RoundState.DONE)
    history = HistoryEntry.objects.filter(content_type=ContentType.objects.get_for_model(Round), object_id__in=rounds)
    assert history.count() > 500 and not history.filter(at__gte=today).exists()
    carried = CarryOver.objects.all()
    assert carried.count() > 10 and not carried.filter(day__gte=timezone.localdate()).exists()
    assert {c.store.code for c in carried} == {"S001", "S002"}


def test_demo_people_figures_of_the_month_are_not_empty(loaded):
    """The people's figures page (insights/figures/people.py) has something in every section for the month."""
    today = timezone.localdate()
    for code in ("S001", "S002"):
        store = Store.objects.get(code=code)
        scope = FigureScope(store_ids=frozenset({store.pk}), period=Period(MONTH, today - timedelta(days=30), today))
        figures = people_figures(scope)
        assert figures["grooming_checked"] > figures["grooming_passed"] > 0
        assert figures["desk_checked"] > 0 and figures["checks_due"] > figures["checks_on_time"] > 0
        assert figures["corrections_due"] >= figures["corrections_kept"] > 0
        assert figures["discipline"] > 0 and figures["discipline_withdrawn"] == 1
        assert figures["late"] >= 8 and figures["early"] > 0 and figures["missing_punch"] > 0
        assert figures["carry_overs"] > 0
