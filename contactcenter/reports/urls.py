from django.urls import path

from contactcenter.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.reports, name="reports"),
    path("export.csv", views.reports_csv, name="csv"),
]
