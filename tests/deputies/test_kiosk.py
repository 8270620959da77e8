"""A liaison station's shared kiosk: staff type walk-in residents' opinions themselves, past the public limits."""

import pytest
from django.core.cache import cache

from congress.models import AuditLog
from deputies import liaison
from deputies.models import OpinionCategory, ResidentOpinion
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def kiosk(client):
    cache.clear()
    sub = factories.subdistrict(name="白桃街道")
    comm = factories.community(parent=sub, name="桂花社区")
    station = liaison.station_create(kind="station", name="桂花代表活动站", division=sub, address="桂花路1号")
    staff = factories.staff(sub)
    client.force_login(staff)
    cat = OpinionCategory.objects.get_or_create(name="城市建设管理")[0]
    return {"sub": sub, "comm": comm, "station": station, "staff": staff, "cat": cat,
            "url": f"/staff/stations/{station.pk}/walk-in/"}


def test_the_kiosk_is_not_locked_out_by_the_public_limit(kiosk, client, settings):
    settings.PUBLIC_FORM_RATE = "1/h"
    good = {"division": kiosk["comm"].pk, "category": kiosk["cat"].pk, "text": "楼道灯不亮", "consent": "on"}
    # the kiosk's address has used up the public form's allowance
    assert client.post("/opinions/new/", good).status_code == 302
    assert client.post("/opinions/new/", good).status_code == 429
    for i in range(5):  # a busy reception day
        response = client.post(kiosk["url"], {**good, "text": f"居民反映第{i}件事", "resident_name": "王阿姨"})
        assert response.status_code == 302, response.content.decode()[:300]
    walk_ins = ResidentOpinion.objects.filter(channel="station", station=kiosk["station"])
    assert walk_ins.count() == 5
    # audited, with the staff member as the actor
    assert AuditLog.objects.filter(action="opinion.receive", actor=kiosk["staff"]).count() == 5


def test_the_resident_gets_the_receipt_with_reference_link_and_qr(kiosk, client):
    page = client.get(kiosk["url"])
    assert page.status_code == 200 and 'id="walk-in-form"' in page.content.decode()
    response = client.post(kiosk["url"], {"division": kiosk["comm"].pk, "category": kiosk["cat"].pk,
                                          "text": "小区门口积水"})
    assert response.status_code == 302
    opinion = ResidentOpinion.objects.get()
    assert response["Location"] == f"/staff/stations/{kiosk['station'].pk}/walk-in/{opinion.pk}/"
    html = client.get(response["Location"]).content.decode()
    token = liaison.rating_token(opinion)
    assert opinion.reference in html and f"/opinions/track/{token}/" in html
    assert 'id="track-qr"' in html and "<svg" in html and 'data-action="print"' in html
    assert "您的编号：" in html  # Chinese punctuation on the printed receipt
    # reloading the receipt records nothing again
    client.get(response["Location"])
    assert ResidentOpinion.objects.count() == 1


def test_refused_input_is_kept_and_nothing_is_saved(kiosk, client):
    elsewhere = factories.community(parent=factories.subdistrict(parent=kiosk["sub"].parent))
    response = client.post(kiosk["url"], {"division": elsewhere.pk, "category": kiosk["cat"].pk, "text": "积水"})
    assert response.status_code == 422  # a place outside the station's area
    response = client.post(kiosk["url"], {"division": kiosk["comm"].pk, "category": kiosk["cat"].pk, "text": " "})
    assert response.status_code == 422
    assert not ResidentOpinion.objects.exists()


def test_the_kiosk_is_staff_only_and_in_scope(kiosk, client):
    opinion = liaison.opinion_receive(division=kiosk["comm"], category=kiosk["cat"], text="积水", channel="station",
                                       station=kiosk["station"])
    other_station = liaison.station_create(kind="station", name="另一站", division=kiosk["sub"], address="x")
    receipt = f"/staff/stations/{kiosk['station'].pk}/walk-in/{opinion.pk}/"
    assert client.get(receipt).status_code == 200
    # the receipt is of this station's opinion only
    assert client.get(f"/staff/stations/{other_station.pk}/walk-in/{opinion.pk}/").status_code == 404
    client.force_login(factories.staff(factories.subdistrict()))  # staff of another sub-district
    assert client.get(kiosk["url"]).status_code == 404 and client.get(receipt).status_code == 404
    before = ResidentOpinion.objects.count()
    assert client.post(kiosk["url"], {"division": kiosk["comm"].pk, "category": kiosk["cat"].pk,
                                      "text": "积水"}).status_code == 404
    assert ResidentOpinion.objects.count() == before
    client.logout()
    assert client.get(kiosk["url"]).status_code == 302  # to the sign-in page
