from django.urls import path

from . import views

app_name = "checks"
urlpatterns = [
    path("", views.round_list, name="round_list"),
    path("rounds/<int:round_pk>/", views.round_detail, name="round_detail"),
    path("rounds/<int:round_pk>/start/", views.round_start, name="round_start"),
    path("rounds/<int:round_pk>/do/", views.round_do, name="round_do"),
    path("results/<int:result_pk>/photo/", views.result_photo, name="result_photo"),
    path("areas/<int:area_pk>/extra-round/", views.round_adhoc, name="round_adhoc"),
    path("actions/", views.action_list, name="action_list"),
    path("actions/<int:action_pk>/", views.action_detail, name="action_detail"),
    path("actions/<int:action_pk>/close/", views.action_close, name="action_close"),
    path("actions/<int:action_pk>/photo/", views.action_photo, name="action_photo"),
    path("templates/", views.template_list, name="template_list"),
    path("templates/new/", views.template_create, name="template_create"),
    path("templates/default-lounge/", views.template_default, name="template_default"),
    path("templates/<int:template_pk>/", views.template_detail, name="template_detail"),
    path("templates/<int:template_pk>/items/", views.item_add, name="item_add"),
    path("items/<int:item_pk>/", views.item_edit, name="item_edit"),
    path("items/<int:item_pk>/move/", views.item_move, name="item_move"),
    path("items/<int:item_pk>/remove/", views.item_remove, name="item_remove"),
    path("areas/", views.area_list, name="area_list"),
    path("areas/new/", views.area_create, name="area_create"),
    path("areas/<int:area_pk>/", views.area_edit, name="area_edit"),
]
