from django.urls import path

from . import lounge_views, views

app_name = "insights"
urlpatterns = [
    path("telephone/", views.telephone, name="telephone"),
    path("telephone/records/", views.telephone_records, name="telephone_records"),
    path("lounge/", lounge_views.lounge, name="lounge"),
    path("lounge/records/", lounge_views.lounge_records, name="lounge_records"),
]
