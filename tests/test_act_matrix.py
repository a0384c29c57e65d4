"""Who may act on a record inside a store (org.access.may_act_on), for every kind of record, web and API.

The owner (a person, or any member of the owning desk for a desk's record), their supervisor, the store's
managers may act; a colleague of another department, a supervisor of another department and an auditor may
not (403); someone of another store does not see the record at all (404). Found in the trial: staff closed
another department's fault and a manager's corrective action; a 客服部 supervisor marked a 服务前台
call-back promise kept and so stopped its escalation.
"""

import pytest
import time_machine
from django.urls import reverse

from checks.models import CorrectiveAction
from checks.tests.helpers import done_round
from lounge.models import FaultTicket, LoungeRequest
from lounge.tests.wall import ask, make_seat, report_fault
from org.access import may_act_on, require_act
from org.choices import DepartmentKind, Role
from org.models import Department
from phone.models import Message
from promises.choices import PromiseState
from promises.models import Promise
from tests.clock import at
from tests.factories import make_user

PEOPLE = [
    "owner",
    "colleague",
    "other_staff",
    "own_supervisor",
    "other_supervisor",
    "manager",
    "admin",
    "auditor",
    "other_store",
]
# what each person gets: True may act; 403 may not; 404 does not see the record
PERSON_OWNED = {
    "owner": True,
    "colleague": 403,
    "other_staff": 403,
    "own_supervisor": True,
    "other_supervisor": 403,
    "manager": True,
    "admin": True,
    "auditor": 403,
    "other_store": 404,
}
DESK_OWNED = PERSON_OWNED | {"colleague": True}  # a desk's record: every member of the desk is its owner


@pytest.fixture
def cast(world):
    """The owning desk is the lounge (客户休息室): two of its staff and its supervisor; 客服部 is another
    department, with its own staff and supervisor."""
    store, lounge = world.a.store, world.a.lounge
    owner = make_user("desk1", role=Role.STAFF, store=store, department=lounge, name="休息区小王")
    colleague = make_user("desk2", role=Role.STAFF, store=store, department=lounge, name="休息区小李")
    own_supervisor = make_user("desksup", role=Role.SUPERVISOR, store=store, department=lounge, name="休息区主管")
    return {
        "owner": owner,
        "colleague": colleague,
        "other_staff": world.a.staff,
        "own_supervisor": own_supervisor,
        "other_supervisor": world.a.supervisor,
        "manager": world.a.manager,
        "admin": world.admin,
        "auditor": world.a.auditor,
        "other_store": world.b.manager,
    }


@pytest.fixture(autouse=True)
def _a_monday_morning():
    with time_machine.travel(at("2026-11-30 10:00"), tick=False):
        yield


def expect(client, response, outcome, changed: bool):
    if outcome is True:
        assert response.status_code in (200, 302), response.content[:300]
        assert changed
    else:
        assert response.status_code == outcome, response.content[:300]
        assert not changed


# --- Promises: keep, pause, cancel on the promise's page -----------------------------------------------


def _promise(world, cast, owned_by_person: bool):
    from promises.services import promise_make

    return promise_make(
        store=world.a.store,
        kind="message_callback",
        rule_id="S2.3",
        title="回电 李先生",
        owner=cast["owner"] if owned_by_person else None,
        owner_department=None if owned_by_person else world.a.lounge,
        business_minutes=60,
    )


@pytest.mark.parametrize("who", PEOPLE)
@pytest.mark.parametrize("owned_by_person", [True, False], ids=["person", "desk"])
@pytest.mark.parametrize("action", ["keep", "pause", "cancel"])
def test_promise_actions(client, world, cast, who, owned_by_person, action):
    promise = _promise(world, cast, owned_by_person)
    client.force_login(cast[who])
    url = reverse("promises:promise_action", args=[promise.pk, action])
    response = client.post(url, {"reason": "客户出差"})
    promise.refresh_from_db()
    changed = promise.state != PromiseState.OPEN or promise.paused_at is not None
    expect(client, response, (PERSON_OWNED if owned_by_person else DESK_OWNED)[who], changed)


@pytest.mark.parametrize("who", PEOPLE)
def test_promise_page_shows_the_buttons_only_to_who_may_act(client, world, cast, who):
    promise = _promise(world, cast, owned_by_person=True)
    client.force_login(cast[who])
    response = client.get(reverse("promises:promise_detail", args=[promise.pk]))
    if PERSON_OWNED[who] == 404:
        assert response.status_code == 404
        return
    keep = reverse("promises:promise_action", args=[promise.pk, "keep"])
    assert (keep in response.content.decode()) is (PERSON_OWNED[who] is True)


def test_a_supervisor_of_another_department_cannot_stop_a_front_desk_call_back(client, world):
    """The trial's case: 客服部's supervisor kept 服务前台's call-back promise and so stopped its escalation."""
    from promises.services import promise_make

    front = Department.objects.create(store=world.a.store, kind=DepartmentKind.FRONT_DESK, name="服务前台")
    promise = promise_make(
        store=world.a.store,
        kind="message_callback",
        rule_id="S2.3",
        title="回电",
        owner_department=front,
        business_minutes=60,
    )
    client.force_login(world.a.supervisor)
    assert client.post(reverse("promises:promise_action", args=[promise.pk, "keep"])).status_code == 403
    promise.refresh_from_db()
    assert promise.state == PromiseState.OPEN


# --- Fault tickets: fix (web and API), close without a fix ---------------------------------------------


def _fault(world, cast, owned_by_person: bool) -> FaultTicket:
    fault = report_fault(world.a, actor=world.a.manager)
    assert fault.owner_department == world.a.lounge
    if owned_by_person:
        from lounge.services.faults import fault_start

        fault = fault_start(actor=world.a.manager, fault=fault, assignee=cast["owner"])
    return fault


@pytest.mark.parametrize("who", PEOPLE)
@pytest.mark.parametrize("owned_by_person", [True, False], ids=["person", "desk"])
@pytest.mark.parametrize("via", ["web", "api"])
def test_fault_fix(client, world, cast, who, owned_by_person, via):
    fault = _fault(world, cast, owned_by_person)
    client.force_login(cast[who])
    if via == "web":
        response = client.post(reverse("lounge:fault_fix", args=[fault.pk]), {"note": "换了加热管"})
    else:
        response = client.post(
            f"/api/v1/lounge/faults/{fault.pk}/fix", {"note": "换了加热管"}, content_type="application/json"
        )
    fault.refresh_from_db()
    expect(client, response, (PERSON_OWNED if owned_by_person else DESK_OWNED)[who], fault.state == "fixed")


@pytest.mark.parametrize("who", PEOPLE)
def test_fault_close_without_a_fix_only_by_its_supervisor_or_a_manager(client, world, cast, who):
    fault = _fault(world, cast, owned_by_person=False)
    client.force_login(cast[who])
    response = client.post(
        f"/api/v1/lounge/faults/{fault.pk}/close", {"reason": "误报"}, content_type="application/json"
    )
    fault.refresh_from_db()
    allowed = {"own_supervisor": True, "manager": True, "admin": True, "other_store": 404}.get(who, 403)
    expect(client, response, allowed, fault.state == "cancelled")


@pytest.mark.parametrize("who", PEOPLE)
def test_fault_page_shows_fix_and_close_only_to_who_may(client, world, cast, who):
    fault = _fault(world, cast, owned_by_person=False)
    client.force_login(cast[who])
    response = client.get(reverse("lounge:fault_detail", args=[fault.pk]))
    if DESK_OWNED[who] == 404:
        assert response.status_code == 404
        return
    body = response.content.decode()
    assert ('data-testid="fix-form"' in body) is (DESK_OWNED[who] is True)
    assert ('data-testid="close-form"' in body) is (who in ("own_supervisor", "manager", "admin"))


# --- Corrective actions of a check round -----------------------------------------------------------------


def _action(world, cast, owned_by_person: bool) -> CorrectiveAction:
    done_round(world.a, actor=world.a.manager)
    action = CorrectiveAction.objects.get()
    assert action.owner_department == world.a.lounge or action.owner_id
    if owned_by_person:
        CorrectiveAction.objects.filter(pk=action.pk).update(owner=cast["owner"], owner_department=None)
    else:
        CorrectiveAction.objects.filter(pk=action.pk).update(owner=None, owner_department=world.a.lounge)
    return CorrectiveAction.objects.get(pk=action.pk)


@pytest.mark.parametrize("who", PEOPLE)
@pytest.mark.parametrize("owned_by_person", [True, False], ids=["person", "desk"])
@pytest.mark.parametrize("via", ["web", "api"])
def test_corrective_action_close(client, world, cast, who, owned_by_person, via):
    action = _action(world, cast, owned_by_person)
    client.force_login(cast[who])
    if via == "web":
        response = client.post(reverse("checks:action_close", args=[action.pk]), {"note": "已清空烟灰缸"})
    else:
        response = client.post(f"/api/v1/checks/actions/{action.pk}/close", {"note": "已清空烟灰缸"})
    action.refresh_from_db()
    expect(client, response, (PERSON_OWNED if owned_by_person else DESK_OWNED)[who], action.state == "done")


def test_staff_cannot_close_a_managers_corrective_action(client, world, cast):
    """The trial's case: a corrective action given to the manager is the manager's (or the admin's)."""
    action = _action(world, cast, owned_by_person=True)
    CorrectiveAction.objects.filter(pk=action.pk).update(owner=world.a.manager)
    for person in (cast["owner"], cast["colleague"], world.a.staff, world.a.supervisor, cast["own_supervisor"]):
        client.force_login(person)
        assert client.post(reverse("checks:action_close", args=[action.pk]), {"note": "x"}).status_code == 403
    action.refresh_from_db()
    assert action.state == "open"


# --- Lounge requests: on my way / done / cancel ----------------------------------------------------------


@pytest.mark.parametrize("who", PEOPLE)
@pytest.mark.parametrize("via", ["web", "api"])
@pytest.mark.parametrize("step", ["acknowledge", "done", "cancel"])
def test_lounge_request_steps(client, world, cast, who, via, step):
    req = ask(world.a, make_seat(world.a, "A1"))
    assert req.promise.owner_department == world.a.lounge
    client.force_login(cast[who])
    if via == "web":
        response = client.post(reverse(f"lounge:request_{step}", kwargs={"request_pk": req.pk}), {"reason": "重复"})
    else:
        response = client.post(
            f"/api/v1/lounge/requests/{req.pk}/{step}", {"reason": "重复"}, content_type="application/json"
        )
    changed = LoungeRequest.objects.get(pk=req.pk).state != "open"
    expect(client, response, DESK_OWNED[who], changed)


@pytest.mark.parametrize("who", ["owner", "other_staff", "other_supervisor", "auditor"])
def test_the_request_queue_shows_the_buttons_only_to_the_desk(client, world, cast, who):
    ask(world.a, make_seat(world.a, "A1"))
    client.force_login(cast[who])
    body = client.get(reverse("lounge:request_list")).content.decode()
    assert ('data-testid="request-acknowledge"' in body) is (who == "owner")


# --- Messages for a colleague: read, call back -------------------------------------------------------------


def _message(world, cast) -> Message:
    from phone.services.messages import message_take

    data = {
        "for_user": cast["owner"],
        "caller_name": "李先生",
        "caller_number": "13812345678",
        "text": "请回电",
        "callback_wanted": True,
    }
    return message_take(actor=world.a.staff, store=world.a.store, **data)


@pytest.mark.parametrize("who", PEOPLE)
@pytest.mark.parametrize("via", ["web", "api"])
def test_message_read(client, world, cast, who, via):
    message = _message(world, cast)
    client.force_login(cast[who])
    if via == "web":
        response = client.post(reverse("phone:message_read", args=[message.pk]))
    else:
        response = client.post(f"/api/v1/messages/{message.pk}/read")
    message.refresh_from_db()
    expect(client, response, PERSON_OWNED[who], message.read_at is not None)


@pytest.mark.parametrize("who", PEOPLE)
def test_message_call_back_keeps_the_promise_only_for_who_may(client, world, cast, who):
    message = _message(world, cast)
    client.force_login(cast[who])
    response = client.post(reverse("phone:message_call_back", args=[message.pk]), {"outcome": "handled"})
    promise = Promise.objects.get(pk=message.promise_id)
    expect(client, response, PERSON_OWNED[who], promise.state != PromiseState.OPEN)


# --- The rule itself -----------------------------------------------------------------------------------------


def test_may_act_on_and_require_act(world, cast):
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    store = world.a.store.pk
    assert may_act_on(cast["owner"], store_id=store, owner_id=cast["owner"].pk)
    assert may_act_on(cast["own_supervisor"], store_id=store, owner_id=cast["owner"].pk)  # the owner's supervisor
    assert not may_act_on(world.a.supervisor, store_id=store, owner_id=cast["owner"].pk)
    assert may_act_on(world.a.staff, store_id=store)  # a record of nobody: everyday work of the store
    assert not may_act_on(world.a.auditor, store_id=store)  # never an auditor
    assert not may_act_on(world.b.manager, store_id=store)
    with pytest.raises(Http404):
        require_act(world.b.manager, store_id=store, department_id=world.a.lounge.pk)
    with pytest.raises(PermissionDenied):
        require_act(world.a.staff, store_id=store, department_id=world.a.lounge.pk)
    require_act(cast["colleague"], store_id=store, department_id=world.a.lounge.pk)


# --- Complaints: a stage (acknowledge) and a verification answer ---------------------------------------------


def _complaint(world):
    from complaints.tests.wall import log_complaint

    return log_complaint(world.a, department=world.a.lounge)


@pytest.mark.parametrize("who", PEOPLE)
def test_complaint_acknowledge_by_the_departments_supervisor_or_a_manager(client, world, cast, who):
    """A complaint's stages are handled by the complained-about department's supervisor or a manager (S2.6)."""
    complaint = _complaint(world)
    client.force_login(cast[who])
    response = client.post(reverse("complaints:complaint_acknowledge", args=[complaint.pk]))
    complaint.refresh_from_db()
    allowed = {"own_supervisor": True, "manager": True, "admin": True, "other_store": 404}.get(who, 403)
    expect(client, response, allowed, complaint.acknowledged_at is not None)


@pytest.mark.parametrize("who", PEOPLE)
@pytest.mark.parametrize("via", ["web", "api"])
def test_complaint_verification_answer(client, world, cast, who, via):
    from complaints.services.stages import complaint_acknowledge, verification_request

    complaint = _complaint(world)
    complaint_acknowledge(actor=world.a.manager, complaint=complaint)
    (verification,) = verification_request(
        actor=world.a.manager, complaint=complaint, departments=[world.a.lounge], question="当天谁接待?"
    )
    client.force_login(cast[who])
    if via == "web":
        url = reverse("complaints:verification_answer", args=[verification.pk])
        response = client.post(url, {"answer": "李四接待"})
    else:
        url = f"/api/v1/complaints/{complaint.pk}/verifications/{verification.pk}/answer"
        response = client.post(url, {"answer": "李四接待"}, content_type="application/json")
    verification.refresh_from_db()
    expect(client, response, DESK_OWNED[who], bool(verification.answer))
