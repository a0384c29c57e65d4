from django.urls import path

from .views import people, rounds, templates

app_name = "checks"
urlpatterns = [
    path("", rounds.round_list, name="round_list"),
    path("rounds/<int:round_pk>/", rounds.round_detail, name="round_detail"),
    path("rounds/<int:round_pk>/start/", rounds.round_start, name="round_start"),
    path("rounds/<int:round_pk>/do/", rounds.round_do, name="round_do"),
    path("results/<int:result_pk>/photo/", rounds.result_photo, name="result_photo"),
    path("areas/<int:area_pk>/extra-round/", rounds.round_adhoc, name="round_adhoc"),
    path("actions/", rounds.action_list, name="action_list"),
    path("actions/<int:action_pk>/", rounds.action_detail, name="action_detail"),
    path("actions/<int:action_pk>/close/", rounds.action_close, name="action_close"),
    path("actions/<int:action_pk>/confirm/", people.correction_confirm, name="correction_confirm"),
    path("actions/<int:action_pk>/photo/", rounds.action_photo, name="action_photo"),
    path("rounds/<int:round_pk>/people/<int:subject_pk>/", people.subject_answer, name="subject_answer"),
    path("rounds/<int:round_pk>/people/<int:subject_pk>/all-pass/", people.subject_all_pass, name="subject_all_pass"),
    path("rounds/<int:round_pk>/people/<int:subject_pk>/absent/", people.subject_absent, name="subject_absent"),
    path("rounds/<int:round_pk>/people/add/", people.subject_add, name="subject_add"),
    path("rounds/<int:round_pk>/submit/", people.people_round_submit, name="people_round_submit"),
    path("people/<int:person_pk>/", people.person_checks, name="person_checks"),
    path("settings/", people.check_settings_edit, name="check_settings"),
    path("templates/", templates.template_list, name="template_list"),
    path("templates/new/", templates.template_create, name="template_create"),
    path("templates/default-lounge/", templates.template_default, name="template_default"),
    path("templates/standard/", templates.template_standard, name="template_standard"),
    path("templates/<int:template_pk>/", templates.template_detail, name="template_detail"),
    path("templates/<int:template_pk>/items/", templates.item_add, name="item_add"),
    path("items/<int:item_pk>/", templates.item_edit, name="item_edit"),
    path("items/<int:item_pk>/move/", templates.item_move, name="item_move"),
    path("items/<int:item_pk>/remove/", templates.item_remove, name="item_remove"),
    path("areas/", templates.area_list, name="area_list"),
    path("areas/new/", templates.area_create, name="area_create"),
    path("areas/<int:area_pk>/", templates.area_edit, name="area_edit"),
]
