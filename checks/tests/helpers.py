"""Builders for the checks tests: a small real PNG, the default lounge set-up, a round done with a failure."""

import io
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

TZ = ZoneInfo("Asia/Shanghai")


def png_bytes(size=(40, 30), color=(200, 60, 60)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format="PNG")
    return out.getvalue()


def png_upload(name="photo.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")


def lounge(store_world, *, actor=None):
    """The default lounge hygiene template (S4.6–S4.10) and its hourly area, for the store."""
    from checks.models import Area
    from checks.services.templates import template_default_lounge

    template = template_default_lounge(store_world.store, actor=actor)
    return template, Area.objects.get(store=store_world.store, template=template)


def person(world, who):
    """One of the people of the two-store world, by the name the parametrised tests use."""
    return {
        "manager": world.a.manager,
        "supervisor": world.a.supervisor,
        "staff": world.a.staff,
        "auditor": world.a.auditor,
        "b_staff": world.b.staff,
        "b_manager": world.b.manager,
    }[who]


def scheduled(world, now="2026-11-30 10:31"):
    """The round of store A's lounge area that the worker makes at `now` (Beijing time)."""
    from checks.models import Round
    from checks.services.rounds import rounds_schedule
    from tests.clock import at

    _template, area = lounge(world.a)
    rounds_schedule(now=at(now))
    return Round.objects.get(area=area)


def answers_all_pass(round, **overrides):
    """Every item passed (measured items at 0), with per-item overrides by position: {5: Answer(...)}."""
    from checks.choices import ItemKind
    from checks.services.rounds import Answer

    out = {}
    for result in round.results.order_by("position"):
        if result.kind == ItemKind.MEASURED:
            out[result.pk] = Answer(value=Decimal("0"))
        else:
            out[result.pk] = Answer(passed=True)
    by_position = {r.position: r.pk for r in round.results.all()}
    for position, answer in overrides.items():
        out[by_position[int(position.lstrip("p"))]] = answer
    return out


def done_round(store_world, *, actor=None, butts="5"):
    """An extra round of the lounge, done with the ashtray (item 5, S4.7) failing with a photo."""
    from checks.services.rounds import Answer, round_start_adhoc, round_submit

    _template, area = lounge(store_world)
    actor = actor or store_world.supervisor
    round = round_start_adhoc(actor=actor, area=area)
    answers = answers_all_pass(round, p5=Answer(value=Decimal(butts), comment="烟头未清", photo=png_upload()))
    return round_submit(actor=actor, round=round, answers=answers)


def grooming(store_world, *, schedule="daily", people=("客服甲", "客服乙"), department=None):
    """The standard grooming template (S6.1–S6.4) and a daily check of the people of a department (by default
    customer service), with two more staff in it; returns (area, [the new people])."""
    from checks.models import Area
    from checks.services.defaults import template_standard
    from org.choices import Role
    from tests.factories import make_user

    department = department or store_world.cs
    template = template_standard(store_world.store, kind="grooming")
    area = Area.objects.create(
        store=store_world.store,
        name=f"班前检查·{department.name}",
        template=template,
        department=department,
        schedule=schedule,
        checks_people=True,
        due_within_minutes=30,
    )
    code = store_world.store.code
    made = [
        make_user(f"{code}-g{n}", role=Role.STAFF, store=store_world.store, department=department, name=name)
        for n, name in enumerate(people, start=1)
    ]
    return area, made


def rest_day(store_world, person, day, kind="leave"):
    from org.models import RosterDay

    return RosterDay.objects.create(store=store_world.store, person=person, date=day, kind=kind)
