from django.contrib import admin
from django.urls import include, path

from config.views import healthz

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("", include("quiz.account_urls")),
    path("", include("quiz.urls")),
    path("", include("content.urls")),
]
