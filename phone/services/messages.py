"""Writes about messages for absent colleagues (S2.3): take one, mark it read, its caller's number in full."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import history_record, snapshot
from core.models import HistoryAction
from core.validators import clean_number, mask_number
from customers.models import Customer
from customers.selectors import customer_for_number
from org.access import deny_unless
from org.models import Department, User
from promises.choices import NotificationKind, PromiseKind
from promises.services import notification_send, promise_make

from ..links import message_url
from ..models import Call, Message
from ..selectors import may_handle_message, message_recipients
from .calls import number_reveal

MESSAGE_CALLBACK_MINUTES = 120  # S2.3: a wanted call-back without a time is due in two business hours

MESSAGE_FIELDS = (
    "for_user",
    "for_department",
    "caller_name",
    "caller_number",
    "text",
    "callback_wanted",
    "callback_by",
)


@transaction.atomic
def message_take(
    *,
    actor: User,
    store,
    caller_name: str,
    text: str,
    for_user: User | None = None,
    for_department: Department | None = None,
    caller_number: str = "",
    callback_wanted: bool = False,
    callback_by: datetime | None = None,
    customer: Customer | None = None,
    call: Call | None = None,
) -> Message:
    """Take a message for a person or a department; a wanted call-back becomes their promise (S2.3)."""
    errors = {}
    person = for_user
    department = for_department
    if person is not None and (person.store_id != store.pk or not person.is_active):
        errors["for_user"] = [_("The recipient must work in this store.")]
    if department is not None and department.store_id != store.pk:
        errors["for_department"] = [_("The department must be one of this store's.")]
    if person is None and department is None:
        errors["for_user"] = [_("Choose the person or the department the message is for.")]
    caller_name = (caller_name or "").strip()
    if not caller_name:
        errors["caller_name"] = [_("Enter the caller's name.")]
    text = (text or "").strip()
    if not text:
        errors["text"] = [_("Write the message.")]
    try:
        number, digits = clean_number(caller_number or "", field="caller_number")
    except ValidationError as exc:
        errors.update(exc.error_dict)
        number, digits = "", ""
    wanted = bool(callback_wanted)
    callback_by = callback_by if wanted else None
    if wanted and not number and "caller_number" not in errors:
        errors["caller_number"] = [_("A call-back needs the caller's number.")]
    if callback_by is not None and callback_by <= timezone.now():
        errors["callback_by"] = [_("The call-back time must be in the future.")]
    if errors:
        raise ValidationError(errors)
    message = Message(
        store=store,
        call=call,
        for_user=person,
        for_department=department if person is None else (department or None),
        caller_name=caller_name,
        caller_number=number,
        customer=customer or customer_for_number(store, digits),
        text=text,
        callback_wanted=wanted,
        callback_by=callback_by,
        taken_by=actor,
        taken_at=timezone.now(),
    )
    message.full_clean()
    message.save()
    url = message_url(message)
    promise = None
    if wanted:
        promise = promise_make(
            store=store,
            kind=PromiseKind.MESSAGE_CALLBACK,
            rule_id="S2.3",
            # masked: the title goes to the bell, 我的承诺 and WeCom (PIPL); the row reveals it, logged
            title=_("Call back %(name)s (%(number)s)") % {"name": caller_name, "number": mask_number(number)},
            actor=actor,
            owner=person,
            owner_department=None if person is not None else department,
            subject=message,
            url=url,
            due_at=callback_by,
            business_minutes=None if callback_by else MESSAGE_CALLBACK_MINUTES,
        )
        message.promise = promise
        message.save(update_fields=["promise"])
    notification_send(
        recipients=message_recipients(message),
        store=store,
        title=_("Message from %(name)s: %(text)s") % {"name": caller_name, "text": text[:80]},
        kind=NotificationKind.ASSIGNED if promise else NotificationKind.INFO,
        promise=promise,
        url=url,
    )
    history_record(actor=actor, obj=message, action=HistoryAction.CREATE, after=snapshot(message, MESSAGE_FIELDS))
    return message


@transaction.atomic
def message_mark_read(*, actor, message: Message) -> Message:
    """The recipient has read the message (delivered messages without a call-back end here)."""
    deny_unless(may_handle_message(actor, message))
    message = Message.objects.select_for_update().get(pk=message.pk)
    if message.read_at is None:
        message.read_at = timezone.now()
        message.save(update_fields=["read_at"])
    return message


@transaction.atomic
def message_reveal_number(*, actor, message: Message) -> str:
    """The number of a message's caller in full, logged (PIPL); for the message's recipients (S2.3)."""
    deny_unless(may_handle_message(actor, message))
    return number_reveal(
        actor=actor,
        store_id=message.store_id,
        customer=message.customer,
        number=message.caller_number,
        field="caller_number",
        detail=_("Caller's number of message #%(id)s") % {"id": message.pk},
    )
