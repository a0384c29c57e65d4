from django.urls import path

from . import views

app_name = "complaints"
urlpatterns = [
    path("", views.complaint_list, name="complaint_list"),
    path("new/", views.complaint_create, name="complaint_create"),
    path("verifications/", views.verification_inbox, name="verification_inbox"),
    path("verifications/<int:verification_pk>/answer/", views.verification_answer, name="verification_answer"),
    path("<int:complaint_pk>/", views.complaint_detail, name="complaint_detail"),
    path("<int:complaint_pk>/reveal-phone/", views.complaint_reveal_phone, name="complaint_reveal_phone"),
    path("<int:complaint_pk>/acknowledge/", views.complaint_acknowledge, name="complaint_acknowledge"),
    path("<int:complaint_pk>/verifications/", views.complaint_verify, name="complaint_verify"),
    path("<int:complaint_pk>/reply/", views.complaint_reply, name="complaint_reply"),
    path("<int:complaint_pk>/follow-up/", views.complaint_followup, name="complaint_followup"),
    path("<int:complaint_pk>/close/", views.complaint_close, name="complaint_close"),
    path("<int:complaint_pk>/reopen/", views.complaint_reopen, name="complaint_reopen"),
]
