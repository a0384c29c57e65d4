from django.urls import path

from . import views

app_name = "promises"
urlpatterns = [
    path("", views.my_day, name="my_day"),
    path("bell/", views.bell, name="bell"),
    path("bell/read/", views.mark_read, name="mark_read"),
    path("<int:promise_pk>/", views.promise_detail, name="promise_detail"),
    path("<int:promise_pk>/<str:action>/", views.promise_action, name="promise_action"),
]
