from django.contrib import admin
from django.urls import include, path

from contactcenter.core import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/", include("contactcenter.campaigns.api.urls")),
    path("console/", include("contactcenter.console.urls")),
    path("wallboard/", include("contactcenter.wallboard.urls")),
]
