"""The addresses of a round's and a corrective action's pages (kept in their promises and notifications)."""

from django.urls import reverse


def round_url(round) -> str:
    return reverse("checks:round_detail", kwargs={"round_pk": round.pk})


def action_url(action) -> str:
    return reverse("checks:action_detail", kwargs={"action_pk": action.pk})
