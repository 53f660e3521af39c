from django.urls import path

from contactcenter.reports.api import ReportView

urlpatterns = [path("reports/", ReportView.as_view(), name="api-reports")]
