from django.contrib import admin
from django.urls import include, path

from contactcenter.core import views
from contactcenter.metrics import views as metrics_views
from contactcenter.people import views as people_views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("metrics", metrics_views.metrics, name="metrics"),
    path("login/", people_views.SiteLoginView.as_view(), name="login"),
    path("logout/", people_views.site_logout, name="logout"),
    path("admin/", admin.site.urls),
    path("api/", include("contactcenter.campaigns.api.urls")),
    path("api/", include("contactcenter.people.api.urls")),
    path("api/", include("contactcenter.telephony.api.urls")),
    path("api/", include("contactcenter.supervisors.api.urls")),
    path("console/", include("contactcenter.console.urls")),
    path("wallboard/", include("contactcenter.wallboard.urls")),
    path("supervisor/", include("contactcenter.supervisors.urls")),
    path("api/", include("contactcenter.reports.api_urls")),
    path("reports/", include("contactcenter.reports.urls")),
]
