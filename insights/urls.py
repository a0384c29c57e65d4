from django.urls import path

from . import views

app_name = "insights"
urlpatterns = [
    path("telephone/", views.telephone, name="telephone"),
    path("telephone/records/", views.telephone_records, name="telephone_records"),
]
