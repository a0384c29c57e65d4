from django.urls import path

from .views import lounge, people, telephone

app_name = "insights"
urlpatterns = [
    path("telephone/", telephone.telephone, name="telephone"),
    path("telephone/records/", telephone.telephone_records, name="telephone_records"),
    path("lounge/", lounge.lounge, name="lounge"),
    path("lounge/records/", lounge.lounge_records, name="lounge_records"),
    path("people/", people.people, name="people"),
    path("people/records/", people.people_records, name="people_records"),
    path("people/<int:person_pk>/", people.person, name="person"),
]
