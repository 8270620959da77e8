import os

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from congress import views

urlpatterns = [
    # Casting first: the routes of a cast ballot and a cast score, tried before every page's (the apps name them)
    path("", include("projects.casting_urls")),
    path("", include("meetings.casting_urls")),
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("elder/", views.elder_mode, name="elder_mode"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("", include("deputies.urls")),
    path("", include("projects.urls")),
    path("", include("meetings.urls")),
    path("", include("overview.urls")),
]
handler500 = "congress.views.server_error"
# No route serves MEDIA_ROOT, not even under DEBUG: stored files go out only through views that check who may
# read them (congress/files.py).

if os.environ.get("BENCH_THIN_ENDPOINT") == "1":  # `make bench` only: the thin endpoint it compares casting with
    from tests.bench_thin import thin_ballot

    urlpatterns.insert(0, path("bench/thin/", thin_ballot))  # first too: resolved as cheaply as casting
