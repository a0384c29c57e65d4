"""The lounge board, visits and their one-tap steps, the drink menu and the lounge settings."""

from django.urls import path

from lounge.views import visits as views

urlpatterns = [
    path("board/", views.board, name="board"),
    path("board/live/", views.board_live, name="board_live"),
    path("board/lookup/", views.board_lookup, name="board_lookup"),
    path("board/arrive/", views.visit_arrive, name="visit_arrive"),
    path("visits/", views.visit_list, name="visit_list"),
    path("visits/<int:visit_pk>/", views.visit_detail, name="visit_detail"),
    path("visits/<int:visit_pk>/edit/", views.visit_update, name="visit_update"),
    path("visits/<int:visit_pk>/greet/", views.visit_greet, name="visit_greet"),
    path("visits/<int:visit_pk>/offer/", views.visit_offer, name="visit_offer"),
    path("visits/<int:visit_pk>/serve/", views.visit_serve, name="visit_serve"),
    path("visits/<int:visit_pk>/introduce/", views.visit_introduce, name="visit_introduce"),
    path("visits/<int:visit_pk>/help/", views.visit_help, name="visit_help"),
    path("visits/<int:visit_pk>/farewell/", views.visit_farewell, name="visit_farewell"),
    path("visits/<int:visit_pk>/depart/", views.visit_depart, name="visit_depart"),
    path("drinks/", views.drink_list, name="drink_list"),
    path("drinks/new/", views.drink_create, name="drink_create"),
    path("drinks/<int:drink_pk>/", views.drink_edit, name="drink_edit"),
    path("drinks/<int:drink_pk>/available/", views.drink_available, name="drink_available"),
    path("settings/<int:store_pk>/", views.lounge_settings_edit, name="settings"),
]
