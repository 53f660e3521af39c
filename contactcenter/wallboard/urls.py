from django.urls import path

from contactcenter.wallboard import views

app_name = "wallboard"
urlpatterns = [
    path("", views.wallboard, name="board"),
    path("callbacks/", views.callbacks, name="callbacks"),
]
