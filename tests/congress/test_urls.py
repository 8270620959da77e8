"""The root URLconf (congress/urls.py): the casting routes come first, so that a cast in the hall resolves on the
first patterns, and they reach the same views as the apps' named routes."""

import pytest
from django.urls import resolve, reverse

from meetings.views import surveys
from projects import views


@pytest.mark.parametrize(("name", "view"), [("projects:vote", views.vote), ("meetings:score", surveys.score)])
def test_a_cast_resolves_on_the_first_routes_to_the_named_routes_view(name, view):
    url = reverse(name, args=[7])
    match = resolve(url)
    assert match.func is view and match.kwargs == {"pk": 7}
    # resolved by the casting routes at the top, not by the app's include further down
    assert match.namespace == "" and match.url_name is None


def test_the_other_pages_of_the_apps_resolve_as_before():
    assert resolve(reverse("projects:result", args=[7])).namespace == "projects"
    assert resolve(reverse("meetings:my_meetings")).namespace == "meetings"
