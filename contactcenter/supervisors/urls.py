from django.urls import path

from contactcenter.supervisors import views

app_name = "supervisors"
urlpatterns = [path("", views.supervisor_page, name="page")]
