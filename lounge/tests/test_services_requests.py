"""Requests from a table's QR code and seats' codes: the services (S4.2, S4.5, S4.11).

A request makes a promise owned by the lounge desk, due in the store's minutes; "on my way" keeps it
and measures the response time; a refill done is served on the visit; QR requests are limited per
table and per sender; a re-issued code stops the old one; nothing of another store is accepted.
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from core.audit import history_for
from core.models import HistoryAction
from lounge.choices import FaultSource, RequestKind, RequestSource, RequestState
from lounge.models import FaultTicket, LoungeRequest, Serving, Visit, lounge_settings
from lounge.selectors import requests as selectors
from lounge.services import requests as services
from lounge.tests.wall import ask, make_attendant, make_drink, make_facility, make_seat
from org.models import User
from promises.choices import NotificationKind, PromiseState
from promises.models import Notification

TZ = ZoneInfo("Asia/Shanghai")
MONDAY_10 = datetime(2026, 11, 30, 10, 0, tzinfo=TZ)


def _codes(exc: ValidationError, field: str) -> list[str]:
    return [e.code for e in exc.error_dict[field]]


# --- The promise and the response time (S4.5) --------------------------------------------------


def test_qr_request_makes_a_promise_of_the_lounge_desk_due_in_the_store_minutes(world):
    """S4.5: the desk owns the clock: someone must be on the way within help_within_minutes."""
    attendant = make_attendant(world.a)
    seat = make_seat(world.a, "A3")
    with time_machine.travel(MONDAY_10, tick=False):
        req = ask(world.a, seat, RequestKind.HELP)
    promise = req.promise
    assert promise.kind == "lounge_request" and promise.rule_id == "S4.5"
    assert promise.owner_department == world.a.lounge and promise.owner is None
    assert promise.due_at == MONDAY_10 + timedelta(minutes=lounge_settings(world.a.store).help_within_minutes)
    assert promise.subject == req
    assert "A3" in promise.title
    assert req.state == RequestState.OPEN and req.source == RequestSource.QR
    note = Notification.objects.get(recipient=attendant)
    assert note.kind == NotificationKind.ASSIGNED and note.promise == promise


def test_refill_and_drink_requests_serve_rule_s4_2(world):
    seat = make_seat(world.a)
    drink = make_drink(world.a)
    assert ask(world.a, seat, RequestKind.REFILL).promise.rule_id == "S4.2"
    req = ask(world.a, seat, RequestKind.DRINK, drink=drink)
    assert req.promise.rule_id == "S4.2" and req.drink == drink
    assert selectors.request_summary(req) == f"{RequestKind.DRINK.label} · 绿茶"


def test_without_a_lounge_desk_the_promise_falls_to_a_store_manager(world):
    world.a.lounge.active = False
    world.a.lounge.save()
    req = ask(world.a, make_seat(world.a))
    assert req.promise.owner == world.a.manager and req.promise.owner_department is None
    assert Notification.objects.filter(recipient=world.a.manager, promise=req.promise).exists()


def test_a_desk_without_members_tells_the_store_managers(world):
    User.objects.filter(department=world.a.lounge).update(department=world.a.cs)
    req = ask(world.a, make_seat(world.a))
    assert req.promise.owner_department == world.a.lounge
    assert Notification.objects.filter(recipient=world.a.manager, promise=req.promise).exists()


def test_on_my_way_keeps_the_promise_and_measures_the_response_time(world):
    """S4.5: response time = acknowledged_at - created_at; within the minutes the promise is kept on time."""
    seat = make_seat(world.a)
    with time_machine.travel(MONDAY_10, tick=False) as clock:
        req = ask(world.a, seat)
        clock.shift(95)
        req = services.request_acknowledge(actor=world.a.staff, request=req)
    assert req.state == RequestState.ON_WAY and req.acknowledged_by == world.a.staff
    assert selectors.response_seconds(req) == 95
    req.promise.refresh_from_db()
    assert req.promise.state == PromiseState.KEPT
    entry = history_for(req)[0]
    assert entry.action == HistoryAction.UPDATE and entry.actor == world.a.staff


def test_a_late_answer_keeps_the_promise_late(world):
    seat = make_seat(world.a)
    with time_machine.travel(MONDAY_10, tick=False):
        req = ask(world.a, seat)
    req = services.request_acknowledge(actor=world.a.staff, request=req, now=MONDAY_10 + timedelta(minutes=7))
    req.promise.refresh_from_db()
    assert req.promise.state == PromiseState.LATE
    assert selectors.response_seconds(req) == 420


def test_done_at_once_counts_as_on_the_way_too(world):
    seat = make_seat(world.a)
    with time_machine.travel(MONDAY_10, tick=False):
        req = ask(world.a, seat, RequestKind.ADVISOR)
    req = services.request_done(actor=world.a.staff, request=req, now=MONDAY_10 + timedelta(minutes=1))
    assert req.state == RequestState.DONE and req.done_by == world.a.staff
    assert req.acknowledged_at == req.done_at and selectors.response_seconds(req) == 60
    req.promise.refresh_from_db()
    assert req.promise.state == PromiseState.KEPT


def test_each_step_only_once(world):
    req = ask(world.a, make_seat(world.a))
    services.request_acknowledge(actor=world.a.staff, request=req)
    with pytest.raises(ValidationError) as exc:
        services.request_acknowledge(actor=world.a.staff, request=req)
    assert _codes(exc.value, "state") == ["state"]
    services.request_done(actor=world.a.staff, request=req)
    for step in (services.request_done, services.request_cancel, services.request_acknowledge):
        with pytest.raises(ValidationError):
            step(actor=world.a.staff, request=req)


def test_cancel_cancels_the_clock_with_the_reason(world):
    req = ask(world.a, make_seat(world.a))
    req = services.request_cancel(actor=world.a.staff, request=req, reason="顾客已离开")
    assert req.state == RequestState.CANCELLED
    req.promise.refresh_from_db()
    assert req.promise.state == PromiseState.CANCELLED and req.promise.close_reason == "顾客已离开"
    assert history_for(req)[0].note == "顾客已离开"


@pytest.mark.parametrize("who", ["auditor", "other_store"])
def test_only_colleagues_who_may_edit_answer_a_request(world, who):
    req = ask(world.a, make_seat(world.a))
    actor = world.a.auditor if who == "auditor" else world.b.staff
    for step in (services.request_acknowledge, services.request_done, services.request_cancel):
        with pytest.raises(PermissionDenied):
            step(actor=actor, request=req)


def test_staff_may_not_create_a_request_for_another_store(world):
    with pytest.raises(PermissionDenied):
        services.request_create(store=world.a.store, kind="help", source=RequestSource.BOARD, actor=world.b.staff)
    with pytest.raises(PermissionDenied):  # only a QR code may ask without a person
        services.request_create(store=world.a.store, kind="help", source=RequestSource.BOARD)


# --- The visit at the seat, the serving (S4.2) -----------------------------------------------------


def _visit(store_world, seat, *, greeted=True, departed=False, drink=None):
    now = MONDAY_10 - timedelta(minutes=30)
    visit = Visit.objects.create(
        store=store_world.store,
        seat=seat,
        guest_name="王先生",
        arrived_at=now,
        greeted_at=now + timedelta(seconds=20) if greeted else None,
        greeted_by=store_world.staff if greeted else None,
        departed_at=now + timedelta(minutes=20) if departed else None,
    )
    if drink is not None:
        Serving.objects.create(
            visit=visit,
            store=store_world.store,
            drink=drink,
            drink_name=drink.name,
            served_at=now + timedelta(minutes=1),
        )
    return visit


def test_request_is_linked_to_the_open_visit_at_its_seat(world):
    seat = make_seat(world.a)
    _visit(world.a, seat, departed=True)
    here = _visit(world.a, seat)
    assert ask(world.a, seat).visit == here
    assert ask(world.a, make_seat(world.a, "B1")).visit is None


def test_a_refill_request_done_is_served_on_the_visit(world):
    """S4.2: the refill the customer asked for counts as a refill of their visit."""
    seat = make_seat(world.a)
    tea = make_drink(world.a)
    visit = _visit(world.a, seat, drink=tea)
    with time_machine.travel(MONDAY_10, tick=False):
        req = ask(world.a, seat, RequestKind.REFILL)
        services.request_done(actor=world.a.staff, request=req)
    refill = Serving.objects.filter(visit=visit).order_by("-served_at").first()
    assert refill.refill and refill.drink == tea and refill.served_by == world.a.staff


def test_a_drink_request_done_is_served_on_the_visit(world):
    seat = make_seat(world.a)
    coffee = make_drink(world.a, "咖啡")
    visit = _visit(world.a, seat)
    req = ask(world.a, seat, RequestKind.DRINK, drink=coffee)
    services.request_done(actor=world.a.staff, request=req)
    serving = Serving.objects.get(visit=visit)
    assert serving.drink == coffee and not serving.refill


def test_a_refill_done_for_a_visit_that_cannot_take_it_is_still_done(world):
    """Not greeted yet: the serving is refused by the visit, the request is done, the reason in its history."""
    seat = make_seat(world.a)
    visit = _visit(world.a, seat, greeted=False)
    req = ask(world.a, seat, RequestKind.REFILL)
    req = services.request_done(actor=world.a.staff, request=req)
    assert req.state == RequestState.DONE
    assert not Serving.objects.filter(visit=visit).exists()
    assert history_for(req)[0].note


# --- What the customer may ask for -------------------------------------------------------------------


def test_a_drink_must_be_on_the_store_menu_and_available(world):
    seat = make_seat(world.a)
    for drink, code in (
        (make_drink(world.b, "乙店咖啡"), "invalid"),
        (make_drink(world.a, "果汁", available=False), "unavailable"),
        (None, "required"),
    ):
        with pytest.raises(ValidationError) as exc:
            ask(world.a, seat, RequestKind.DRINK, drink=drink)
        assert _codes(exc.value, "drink") == [code]
    assert not LoungeRequest.objects.exists()


def test_something_broken_opens_a_maintenance_ticket(world):
    """S4.11: the customer's report becomes a fault ticket of that facility, from the QR code."""
    seat = make_seat(world.a, "A2")
    tv = make_facility(world.a.store, "电视", kind="tv")
    req = ask(world.a, seat, RequestKind.FAULT, facility=tv, note="没有信号")
    fault = FaultTicket.objects.get()
    assert fault.facility == tv and fault.request == req and fault.source == FaultSource.QR
    assert fault.description == "没有信号" and fault.reported_by is None
    assert req.facility == tv and selectors.request_summary(req).endswith("电视")
    second = ask(world.a, seat, RequestKind.FAULT, facility=tv)
    assert second.facility == tv and FaultTicket.objects.count() == 1  # added to the open ticket


def test_something_broken_needs_a_facility_of_the_store(world):
    seat = make_seat(world.a)
    for facility, code in ((None, "required"), (make_facility(world.b.store), "invalid")):
        with pytest.raises(ValidationError) as exc:
            ask(world.a, seat, RequestKind.FAULT, facility=facility)
        assert _codes(exc.value, "facility") == [code]
    assert not FaultTicket.objects.exists()


@pytest.mark.parametrize(
    ("extra", "field", "code"),
    [
        ({"kind": "pizza"}, "kind", "invalid_choice"),
        ({"note": "好" * 201}, "note", "max_length"),
    ],
)
def test_bad_input_is_named_and_nothing_is_saved(world, extra, field, code):
    seat = make_seat(world.a)
    with pytest.raises(ValidationError) as exc:
        ask(world.a, seat, **extra)
    assert _codes(exc.value, field) == [code]
    assert not LoungeRequest.objects.exists()


def test_a_seat_of_another_store_or_out_of_use_is_refused(world):
    seat_b = make_seat(world.b)
    with pytest.raises(ValidationError) as exc:
        ask(world.a, seat_b)
    assert "seat" in exc.value.error_dict
    seat = make_seat(world.a)
    services.seat_update(actor=world.a.manager, seat=seat, active=False)
    seat.refresh_from_db()
    with pytest.raises(ValidationError):
        ask(world.a, seat)


def test_visit_of_another_store_is_refused(world):
    visit_b = _visit(world.b, make_seat(world.b))
    with pytest.raises(ValidationError) as exc:
        services.request_create(
            store=world.a.store, kind="help", visit=visit_b, source=RequestSource.BOARD, actor=world.a.staff
        )
    assert _codes(exc.value, "visit") == ["invalid"]


# --- Safe on a table: limits -----------------------------------------------------------------------


def test_a_table_may_send_only_the_store_number_of_requests_in_ten_minutes(world):
    """Safe on a table: beyond requests_per_seat_per_10_minutes the customer is asked to wait."""
    settings = lounge_settings(world.a.store)
    settings.requests_per_seat_per_10_minutes = 2
    settings.save()
    seat = make_seat(world.a)
    with time_machine.travel(MONDAY_10, tick=False):
        ask(world.a, seat)
        ask(world.a, seat, RequestKind.HELP)
        with pytest.raises(services.RequestLimitReached) as exc:
            ask(world.a, seat, RequestKind.ADVISOR)
        assert exc.value.code == "rate_limited"
        ask(world.a, make_seat(world.a, "A2"))  # another table is not held up
        services.request_create(  # nor is staff at the desk
            store=world.a.store, seat=seat, kind="help", source=RequestSource.BOARD, actor=world.a.staff
        )
    with time_machine.travel(MONDAY_10 + timedelta(minutes=10, seconds=1), tick=False):
        ask(world.a, seat)
    assert LoungeRequest.objects.filter(seat=seat, source=RequestSource.QR).count() == 3


def test_one_sender_may_send_only_a_fixed_number_over_all_tables(world, monkeypatch):
    monkeypatch.setattr(services, "QR_REQUESTS_PER_SENDER", 3)
    key = services.sender_key("203.0.113.9")
    seats = [make_seat(world.a, f"C{n}") for n in range(4)]
    with time_machine.travel(MONDAY_10, tick=False):
        for seat in seats[:3]:
            ask(world.a, seat, client_key=key)
        with pytest.raises(services.RequestLimitReached):
            ask(world.a, seats[3], client_key=key)
        ask(world.a, seats[3], client_key=services.sender_key("198.51.100.7"))


def test_the_sender_is_kept_only_as_a_keyed_hash(world):
    req = ask(world.a, make_seat(world.a), client_key=services.sender_key("203.0.113.9"))
    assert req.client_key and "203" not in req.client_key
    assert services.sender_key("203.0.113.9") == req.client_key
    assert services.sender_key(None) == ""


# --- Seats and codes ---------------------------------------------------------------------------------


def test_a_reissued_code_stops_the_old_one_and_history_keeps_no_code(world):
    with time_machine.travel(MONDAY_10 - timedelta(days=3), tick=False):  # the seat is made before the reissue
        seat = make_seat(world.a, "A5")
    old = seat.token
    assert selectors.seat_for_token(old) == seat
    with time_machine.travel(MONDAY_10, tick=False):
        seat = services.seat_reissue(actor=world.a.manager, seat=seat)
    assert seat.token != old and seat.issued_at == MONDAY_10
    assert selectors.seat_for_token(old) is None
    assert selectors.seat_for_token(seat.token) == seat
    entries = history_for(seat)
    assert entries[0].note and "issued_at" in entries[0].changes
    assert all(old not in str(e.changes) and seat.token not in str(e.changes) for e in entries)


def test_codes_of_seats_out_of_use_or_of_a_closed_store_do_not_work(world):
    seat = make_seat(world.a)
    assert selectors.seat_for_token(seat.token + "x") is None
    assert selectors.seat_for_token("x" * 500) is None
    assert selectors.seat_for_token("") is None
    services.seat_update(actor=world.a.manager, seat=seat, active=False)
    assert selectors.seat_for_token(seat.token) is None
    services.seat_update(actor=world.a.manager, seat=seat, active=True)
    world.a.store.active = False
    world.a.store.save()
    assert selectors.seat_for_token(seat.token) is None


@pytest.mark.parametrize(
    ("label", "code"),
    [("", "required"), ("   ", "required"), ("A" * 31, "max_length"), ("a1", "duplicate")],
)
def test_seat_names_are_required_short_and_unique_in_the_store(world, label, code):
    make_seat(world.a, "A1")
    make_seat(world.b, "B9")
    with pytest.raises(ValidationError) as exc:
        services.seat_create(actor=world.a.manager, store=world.a.store, label=label)
    assert _codes(exc.value, "label") == [code]


def test_seat_rename_and_history(world):
    seat = make_seat(world.a, "A1")
    make_seat(world.a, "A2")
    seat = services.seat_update(actor=world.a.manager, seat=seat, label=" 窗边 1 ")
    assert seat.label == "窗边 1"
    assert history_for(seat)[0].changes == {"label": ["A1", "窗边 1"]}
    with pytest.raises(ValidationError):
        services.seat_update(actor=world.a.manager, seat=seat, label="A2")
    assert services.seat_create(actor=world.b.manager, store=world.b.store, label="A1").store == world.b.store


@pytest.mark.parametrize("who", ["staff", "supervisor", "auditor"])
def test_only_managers_configure_seats(world, who):
    actor = getattr(world.a, who)
    with pytest.raises(PermissionDenied):
        services.seat_create(actor=actor, store=world.a.store, label="X1")
    seat = make_seat(world.a)
    with pytest.raises(PermissionDenied):
        services.seat_reissue(actor=actor, seat=seat)
    with pytest.raises(PermissionDenied):
        services.seat_create(actor=world.b.manager, store=world.a.store, label="X1")
