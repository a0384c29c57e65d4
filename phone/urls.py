from django.urls import include, path

from . import views

app_name = "phone"
urlpatterns = [
    path("", views.console, name="console"),
    path("caller/", views.caller, name="caller"),
    path("incoming/", views.incoming, name="incoming"),
    path("incoming/<int:incoming_pk>/take/", views.incoming_take, name="incoming_take"),
    path("calls/", views.call_list, name="call_list"),
    path("calls/new/", views.call_create, name="call_create"),
    path("calls/<int:call_pk>/", views.call_detail, name="call_detail"),
    path("calls/<int:call_pk>/call-back/", views.call_call_back, name="call_call_back"),
    path("calls/<int:call_pk>/reveal-number/", views.call_reveal_number, name="call_reveal_number"),
    path("messages/", views.message_list, name="message_list"),
    path("messages/new/", views.message_create, name="message_create"),
    path("messages/<int:message_pk>/read/", views.message_read, name="message_read"),
    path("messages/<int:message_pk>/call-back/", views.message_call_back, name="message_call_back"),
    path("messages/<int:message_pk>/reveal-number/", views.message_reveal_number, name="message_reveal_number"),
    path("scripts/", views.script_list, name="script_list"),
    path("scripts/<int:department_pk>/", views.script_edit, name="script_edit"),
    path("settings/<int:store_pk>/", views.phone_settings_edit, name="settings"),
    path("records/", include("phone.cdr.urls")),
]
