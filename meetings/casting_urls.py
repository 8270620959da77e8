"""The route of a cast score, which the root URLconf (congress/urls.py) tries first: in the hall every deputy's
score resolves on the first patterns instead of after every page's. meetings/urls.py names it (meetings:score)."""

from django.urls import path

from meetings.views import surveys

SCORE = "surveys/<int:pk>/"
urlpatterns = [path(SCORE, surveys.score)]
