import os

from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from congress import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("", include("deputies.urls")),
    path("", include("projects.urls")),
    path("", include("meetings.urls")),
]
handler500 = "congress.views.server_error"

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

if os.environ.get("BENCH_THIN_ENDPOINT") == "1":  # `make bench` only: the thin endpoint it compares casting with
    from tests.bench_thin import thin_ballot

    urlpatterns.append(path("bench/thin/", thin_ballot))
