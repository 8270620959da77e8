"""Pages that broke on the demo district's data though they passed on fixture worlds."""

import pytest

pytestmark = pytest.mark.django_db

STAFF = ["city", "district", "jiangnan"]


@pytest.mark.parametrize("username", STAFF)
def test_station_list_answers_for_every_staff_role(login, username):
    # two demo stations share a reception day: sorting (date, station) pairs used to compare stations (500)
    page = login(username).get("/staff/stations/")
    assert page.status_code == 200
