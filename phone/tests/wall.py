"""Records of store B that tests/test_wall.py puts to the wall, keyed by URL keyword argument."""


def records(world) -> dict:
    from phone.services.calls import call_incoming, call_log
    from phone.services.messages import message_take
    from phone.services.settings import phone_settings_update

    b = world.b
    call = call_log(
        actor=b.staff,
        store=b.store,
        number="13987654321",
        purpose="enquiry",
        outcome="dropped",
        ring_seconds=3,
    )
    message = message_take(
        actor=b.staff,
        store=b.store,
        for_user=b.supervisor,
        caller_name="乙店来电人",
        caller_number="13987654321",
        text="请回电",
        callback_wanted=True,
    )
    incoming = call_incoming(store=b.store, number="13987654321", extension=b.staff.extension)
    from phone.models import CdrImport

    cdr = CdrImport.objects.create(store=b.store, created_by=b.manager, filename="Master.csv")
    # store B's own telephone settings: its settings page (named by store_pk) must be walled
    phone_settings_update(actor=b.manager, store=b.store, ring_cycle_seconds=6, max_rings=3, missed_callback_minutes=20)
    return {
        "cdr_pk": cdr.pk,
        "call_pk": call.pk,
        "message_pk": message.pk,
        "incoming_pk": incoming.pk,
        "call_id": call.pk,
        "message_id": message.pk,
    }
