"""Mask the caller's number in the titles of existing call-back promises (PIPL, issue 8 §3).

Call-back promises (a missed call's, a message's) carried the number in full in their title, and the
bell's reminders copy that title. New titles carry it masked (phone/services.py); this masks the old
ones the same way: in the two call-back kinds only, every run of digits long enough to be a phone number
(+E.164, or seven digits or more as the phone system gave them) goes through core.validators.mask_number.
The notifications of those promises get the same replacement of the old title by the new one.
Posts already sent to WeCom are out of reach. Irreversible on purpose: the full numbers are not kept.
"""

import re

from django.db import migrations

from core.validators import mask_number

KINDS = ("missed_callback", "message_callback")  # phone.services.MISSED_KIND, MESSAGE_KIND
NUMBER = re.compile(r"\+\d{6,15}|\d{7,}")
BATCH = 500


def masked(title: str) -> str:
    return NUMBER.sub(lambda m: mask_number(m.group(0)), title)


def mask_titles(apps, schema_editor):
    Promise = apps.get_model("promises", "Promise")
    Notification = apps.get_model("promises", "Notification")
    changed = []
    for promise in Promise.objects.filter(kind__in=KINDS).only("pk", "title").iterator(chunk_size=BATCH):
        title = masked(promise.title)
        if title != promise.title:
            changed.append((promise.pk, promise.title, title))
            Promise.objects.filter(pk=promise.pk).update(title=title)
    for pk, old, new in changed:
        notes = list(Notification.objects.filter(promise_id=pk, title__contains=old).only("pk", "title"))
        for note in notes:
            note.title = note.title.replace(old, new)[:200]
        Notification.objects.bulk_update(notes, ["title"], batch_size=BATCH)


class Migration(migrations.Migration):
    dependencies = [
        ("phone", "0005_call_caller_name"),
        ("promises", "0001_initial"),
    ]

    operations = [migrations.RunPython(mask_titles, migrations.RunPython.noop)]
