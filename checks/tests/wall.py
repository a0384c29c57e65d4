"""Records of store B that tests/test_wall.py puts to the wall, keyed by URL keyword argument."""


def records(world) -> dict:
    from checks.models import CorrectiveAction

    from .helpers import done_round

    round = done_round(world.b)
    result = round.results.get(position=5)
    action = CorrectiveAction.objects.get(result=result)
    item = round.template.items.first()
    ids = {
        "template_pk": round.template_id,
        "item_pk": item.pk,
        "area_pk": round.area_id,
        "round_pk": round.pk,
        "result_pk": result.pk,
        "action_pk": action.pk,
    }
    # a check of people in store B (S6): one person on it, and the person's checks page
    from checks.models import Round
    from checks.services.rounds import round_start
    from tests.clock import at

    from .helpers import grooming

    area, made = grooming(world.b, people=("二店员工",))
    round_start(
        actor=world.b.supervisor,
        round=Round.objects.create(
            store=world.b.store, area=area, template=area.template, template_name="x", purpose="grooming"
        ),
        now=at("2026-11-30 08:00"),
    )
    subject = area.rounds.get().subjects.get(person=made[0])
    ids |= {"subject_pk": subject.pk, "subject_id": subject.pk, "person_pk": made[0].pk}
    # the API names the same records
    return ids | {
        "round_id": round.pk,
        "area_id": round.area_id,
        "result_id": result.pk,
        "action_id": action.pk,
    }
