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
    # the API names the same records
    return ids | {
        "round_id": round.pk,
        "area_id": round.area_id,
        "result_id": result.pk,
        "action_id": action.pk,
    }
