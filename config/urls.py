from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from config.views import healthz

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    # Browsers ask for /favicon.ico on pages that link no icon (the admin's).
    path("favicon.ico", RedirectView.as_view(url=settings.STATIC_URL + "favicon.svg", permanent=True)),
    path("", include("quiz.api.urls")),
    path("", include("quiz.accounts.urls")),
    path("", include("quiz.assignments.urls")),
    path("", include("quiz.classes.urls")),
    path("", include("quiz.leaderboards.urls")),
    path("", include("quiz.play.urls")),
    path("", include("quiz.live.urls")),
    path("", include("quiz.study.urls")),
    path("", include("quiz.reports.urls")),
    path("", include("content.urls")),
]
