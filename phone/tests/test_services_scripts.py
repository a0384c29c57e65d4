"""The departments' call scripts (S2.2–S2.10): filled in, overridden, edited by whom may."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from phone.choices import ScriptKind
from phone.models import GreetingScript
from phone.selectors import scripts_for
from phone.services.scripts import script_save


def test_scripts_are_filled_with_store_department_and_name(world):
    scripts = {s["kind"]: s for s in scripts_for(world.a.store, world.a.cs, person=world.a.staff)}
    assert len(scripts) == len(ScriptKind)
    assert scripts["greeting"]["filled"] == "您好\uff0c测试一店客服部\uff0c我是客服1\uff0c请问有什么可以帮助您的\uff1f"
    assert "测试一店客服部的客服1" in scripts["dropped"]["filled"]


def test_department_script_beats_the_store_script_beats_the_standard(world):
    GreetingScript.objects.create(store=world.a.store, kind="greeting", text="您好,{store}!")
    script_save(actor=world.a.manager, department=world.a.lounge, kind="greeting", text="欢迎,{department}{name}")
    lounge = scripts_for(world.a.store, world.a.lounge, person=world.a.staff)[0]
    cs = scripts_for(world.a.store, world.a.cs, person=world.a.staff)[0]
    assert lounge["filled"] == "欢迎,客户休息室客服1"
    assert cs["filled"] == "您好,测试一店!"
    script_save(actor=world.a.manager, department=world.a.lounge, kind="greeting", text="")
    assert scripts_for(world.a.store, world.a.lounge)[0]["filled"] == "您好,测试一店!"


def test_script_editing_is_for_managers_and_the_departments_supervisor(world):
    script_save(actor=world.a.supervisor, department=world.a.cs, kind="present", text="好的,请稍等。")
    with pytest.raises(PermissionDenied):
        script_save(actor=world.a.supervisor, department=world.a.lounge, kind="present", text="x")
    with pytest.raises(PermissionDenied):
        script_save(actor=world.a.staff, department=world.a.cs, kind="present", text="x")
    with pytest.raises(ValidationError) as exc:
        script_save(actor=world.a.manager, department=world.a.cs, kind="present", text="{nme}")
    assert "text" in exc.value.message_dict
