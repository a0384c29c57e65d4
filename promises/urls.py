from django.urls import path

from . import views

app_name = "promises"
urlpatterns = [
    path("", views.my_day, name="my_day"),
    path("bell/", views.bell, name="bell"),
    path("bell/read/", views.mark_read, name="mark_read"),
    path("rules/defaults/", views.default_rule_list, name="default_rule_list"),
    path("rules/defaults/<str:kind>/", views.default_rule_edit, name="default_rule_edit"),
    path("rules/defaults/<str:kind>/delete/", views.default_rule_delete, name="default_rule_delete"),
    path("rules/<int:store_pk>/", views.rule_list, name="rule_list"),
    path("rules/<int:store_pk>/<str:kind>/", views.rule_edit, name="rule_edit"),
    path("rules/<int:store_pk>/<str:kind>/delete/", views.rule_delete, name="rule_delete"),
    path("<int:promise_pk>/", views.promise_detail, name="promise_detail"),
    path("<int:promise_pk>/<str:action>/", views.promise_action, name="promise_action"),
]
