"""The one helper that decides whether a request gets a partial or a full page."""

from django.shortcuts import render


def is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-Boosted") != "true"


def render_page(request, template: str, partial: str, context: dict, status: int = 200):
    """Full page for a normal request; only the partial (which the page includes) for htmx."""
    return render(request, partial if is_htmx(request) else template, context, status=status)
