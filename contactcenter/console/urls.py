from django.urls import path

from contactcenter.console import views

app_name = "console"

urlpatterns = [
    path("", views.console_page, name="page"),
    path("login/", views.ConsoleLoginView.as_view(), name="login"),
    path("logout/", views.console_logout, name="logout"),
    path("api/session", views.session_api, name="session"),
    path("ringtone.wav", views.ringtone, name="ringtone"),
    path("api/state", views.state_api, name="state"),
    path("api/wrap-up/end", views.wrap_up_end_api, name="wrap_up_end"),
    path("api/history", views.history_api, name="history"),
    path("api/calls", views.offer_api, name="offer"),
    path("api/calls/<int:pk>/answered", views.answered_api, name="answered"),
    path("api/calls/<int:pk>/ended", views.ended_api, name="ended"),
    path("api/calls/<int:pk>/disposition", views.disposition_api, name="disposition"),
]
