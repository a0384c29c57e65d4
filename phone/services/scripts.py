"""Writes of the departments' call scripts (S2.2–S2.10); the texts themselves are read in phone.selectors."""

from django.db import transaction
from django.utils.translation import gettext as _

from core.audit import history_record, snapshot
from core.models import HistoryAction
from core.validators import field_error
from org.access import deny_unless

from ..choices import ScriptKind
from ..models import GreetingScript
from ..selectors import PLACEHOLDER_PATTERN, PLACEHOLDERS, may_edit_scripts


@transaction.atomic
def script_save(*, actor, department, kind: str, text: str) -> GreetingScript | None:
    """Set a department's script for one case; an empty text returns the case to the default."""
    deny_unless(may_edit_scripts(actor, department))
    if kind not in ScriptKind.values:
        raise field_error("kind", _("Choose a valid case."))
    text = (text or "").strip()
    unknown = [p for p in PLACEHOLDER_PATTERN.findall(text) if p not in PLACEHOLDERS]
    if unknown:
        raise field_error(
            "text",
            _("Unknown placeholder {%(name)s}: use {store}, {department}, {name} or {target}."),
            code="placeholder",
            params={"name": unknown[0]},
        )
    existing = GreetingScript.objects.select_for_update().filter(
        store=department.store, department=department, kind=kind
    )
    script = existing.first()
    if not text:
        if script is not None:
            history_record(actor=actor, obj=script, action=HistoryAction.DELETE, before=snapshot(script, ["text"]))
            script.delete()
        return None
    if script is None:
        script = GreetingScript(store=department.store, department=department, kind=kind, text=text, updated_by=actor)
        script.full_clean()
        script.save()
        history_record(actor=actor, obj=script, action=HistoryAction.CREATE, after=snapshot(script, ["text"]))
        return script
    before = snapshot(script, ["text"])
    script.text = text
    script.updated_by = actor
    script.full_clean()
    script.save(update_fields=["text", "updated_by", "updated_at"])
    history_record(
        actor=actor, obj=script, action=HistoryAction.UPDATE, before=before, after=snapshot(script, ["text"])
    )
    return script
