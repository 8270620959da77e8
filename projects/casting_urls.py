"""The route of a cast ballot, which the root URLconf (congress/urls.py) tries first: in the hall every deputy's
ballot resolves on the first patterns instead of after every page's. projects/urls.py names it (projects:vote)."""

from django.urls import path

from projects import views

VOTE = "ballots/<int:pk>/vote/"
urlpatterns = [path(VOTE, views.vote)]
