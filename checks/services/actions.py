"""Corrective actions: a failed item of a round, put right by its owner within business hours (S4.6–S4.10).

Each action is a promise with a clock (promises app): PromiseKind.CHECK_CORRECTION due in business hours.
"""

from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import history_record, snapshot
from core.images import photo_clean
from core.models import HistoryAction
from org.access import Right, deny_unless, has_right, may_act_on
from org.choices import DepartmentKind
from org.models import Department
from promises.choices import NotificationKind, PromiseKind, PromiseState
from promises.services import notification_send, owners_of, promise_keep, promise_make

from ..choices import ActionState, ItemKind
from ..links import action_url
from ..models import CorrectiveAction, Round, RoundResult

# A failed item is to be put right within this many business minutes (the corrective action's clock).
CORRECTION_BUSINESS_MINUTES = settings.CHECKS_CORRECTION_BUSINESS_MINUTES

ACTION_FIELDS = ["state", "owner", "owner_department", "done_at", "done_by", "done_note"]


def may_confirm_correction(user, action: CorrectiveAction) -> bool:
    """Confirm a correction of a check of people (S6.1–S6.4, S1.D3): the checker who found it, the person's
    supervisor, the store's managers (org.access.may_act_on) — never the person checked themself."""
    if user is None or not getattr(user, "pk", None) or user.pk == action.owner_id:
        return False
    if not has_right(user, Right.EDIT, action.store_id):
        return False
    if user.pk == action.result.round.submitted_by_id:
        return True
    return may_act_on(user, store_id=action.store_id, owner_id=action.owner_id)


def may_close_action(user, action: CorrectiveAction) -> bool:
    """Close a corrective action: its owner (or the owning desk's members), their supervisor, the store's
    managers (org.access.may_act_on) — not a colleague of another department, nor staff closing a manager's.
    A correction of a person checked is confirmed by someone else (may_confirm_correction)."""
    if action.result.subject_id is not None:
        return may_confirm_correction(user, action)
    return may_act_on(
        user, store_id=action.store_id, owner_id=action.owner_id, department_id=action.owner_department_id
    )


def _desk_of(round: Round):
    """The department that puts a failed item right: the area's, else the store's lounge desk."""
    if round.area is not None:
        return round.area.department
    return (
        Department.objects.filter(store_id=round.store_id, kind=DepartmentKind.LOUNGE, active=True)
        .order_by("pk")
        .first()
    )


def action_open(
    *,
    round: Round,
    result: RoundResult,
    owner,
    actor,
    now: datetime,
    kind: str = PromiseKind.CHECK_CORRECTION,
    business_minutes: int | None = None,
) -> CorrectiveAction:
    """A failed item becomes a corrective action with an owner and a clock (a promise).

    In a check of people the owner is the person checked, the kind GROOMING_CORRECTION for grooming
    (S6.1–S6.4) and the clock the store's CheckSettings.correction_minutes."""
    description = result.text
    if result.kind == ItemKind.MEASURED and result.value is not None:
        description = f"{description}({result.value.normalize():f}{result.unit})"
    if result.comment:
        description = f"{description} — {result.comment}"
    department = None if owner is not None else _desk_of(round)
    if owner is None and department is None:
        owner = actor
    action = CorrectiveAction(
        store_id=round.store_id,
        result=result,
        description=description[:300],
        owner=owner,
        owner_department=department,
        created_at=now,
    )
    action.full_clean()
    action.save()
    area_name = round.area.name if round.area is not None else round.template_name
    action.promise = promise_make(
        store=round.store,
        kind=kind,
        rule_id=result.rule_id,
        title=_("Put right (%(area)s): %(item)s") % {"area": area_name, "item": result.text},
        actor=actor,
        owner=owner,
        owner_department=department,
        subject=action,
        url=action_url(action),
        business_minutes=business_minutes or CORRECTION_BUSINESS_MINUTES,
        now=now,
    )
    action.save(update_fields=["promise"])
    history_record(actor=actor, obj=action, action=HistoryAction.CREATE, after=snapshot(action, ACTION_FIELDS))
    notification_send(
        recipients=owners_of(action.promise),
        store=round.store,
        title=action.promise.title,
        kind=NotificationKind.ASSIGNED,
        promise=action.promise,
        url=action.promise.url,
    )
    return action


@transaction.atomic
def action_close(
    *, actor, action: CorrectiveAction, note: str, photo=None, now: datetime | None = None
) -> CorrectiveAction:
    """Close a corrective action with what was done (and a photo after, if taken); its promise is kept."""
    deny_unless(actor is None or has_right(actor, Right.EDIT, action.store_id))
    action = (
        CorrectiveAction.objects.select_for_update(of=("self",))
        .select_related("promise", "result", "result__round")
        .get(pk=action.pk)
    )
    deny_unless(actor is None or may_close_action(actor, action))
    if action.state != ActionState.OPEN:
        raise ValidationError(_("This corrective action is already closed."), code="not_open")
    errors: dict[str, list] = {}
    note = str(note or "").strip()
    if not note:
        errors["note"] = [ValidationError(_("Say what was done to put it right."), code="required")]
    elif len(note) > 300:
        errors["note"] = [ValidationError(_("At most %(limit)d characters."), code="max_length", params={"limit": 300})]
    cleaned = None
    if photo:
        try:
            cleaned = photo_clean(photo)
        except ValidationError as exc:
            errors["photo"] = exc.error_list
    if errors:
        raise ValidationError(errors)
    now = now or timezone.now()
    before = snapshot(action, ACTION_FIELDS)
    action.state = ActionState.DONE
    action.done_at = now
    action.done_by = actor if getattr(actor, "pk", None) else None
    action.done_note = note
    if cleaned is not None:
        action.photo.save(cleaned.name, cleaned, save=False)
    action.full_clean()
    action.save(update_fields=["state", "done_at", "done_by", "done_note", "photo"])
    if action.promise is not None and action.promise.state == PromiseState.OPEN:
        promise_keep(promise=action.promise, actor=actor, at=now)
    history_record(
        actor=actor, obj=action, action=HistoryAction.UPDATE, before=before, after=snapshot(action, ACTION_FIELDS)
    )
    return action


@transaction.atomic
def correction_confirm(
    *, actor, action: CorrectiveAction, photo=None, note: str = "", now: datetime | None = None
) -> CorrectiveAction:
    """Confirm with a tap that a person put a failed item right (S6.1–S6.4, S1.D3), optionally with a second
    photo and a note; the correction's promise is kept (on time or late). Only the checker, the person's
    supervisor or a manager confirms (may_confirm_correction)."""
    deny_unless(actor is not None and has_right(actor, Right.EDIT, action.store_id))
    action = (
        CorrectiveAction.objects.select_for_update(of=("self",))
        .select_related("promise", "result", "result__round")
        .get(pk=action.pk)
    )
    if action.result.subject_id is None:
        raise ValidationError(_("Only a correction of a person checked is confirmed with a tap."), code="not_people")
    deny_unless(may_confirm_correction(actor, action))
    if action.state != ActionState.OPEN:
        raise ValidationError(_("This correction is already confirmed or closed."), code="not_open")
    note = str(note or "").strip()
    errors: dict[str, list] = {}
    if len(note) > 300:
        errors["note"] = [ValidationError(_("At most %(limit)d characters."), code="max_length", params={"limit": 300})]
    cleaned = None
    if photo:
        try:
            cleaned = photo_clean(photo)
        except ValidationError as exc:
            errors["photo"] = exc.error_list
    if errors:
        raise ValidationError(errors)
    now = now or timezone.now()
    before = snapshot(action, ACTION_FIELDS)
    action.state = ActionState.DONE
    action.done_at = now
    action.done_by = actor
    action.done_note = note or _("Confirmed put right.")
    if cleaned is not None:
        action.photo.save(cleaned.name, cleaned, save=False)
    action.full_clean()
    action.save(update_fields=["state", "done_at", "done_by", "done_note", "photo"])
    if action.promise is not None and action.promise.state == PromiseState.OPEN:
        promise_keep(promise=action.promise, actor=actor, at=now)
    history_record(
        actor=actor,
        obj=action,
        action=HistoryAction.UPDATE,
        before=before,
        after=snapshot(action, ACTION_FIELDS),
        note=_("Confirmed"),
    )
    return action
