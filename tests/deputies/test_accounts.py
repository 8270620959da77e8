import pytest
from django.core.exceptions import ValidationError

from deputies import services
from tests import factories

pytestmark = pytest.mark.django_db


def test_deputy_signs_in_with_own_account_and_sees_own_mandates(client, sub_body):
    body, term = sub_body
    person = factories.PersonFactory(area=factories.community(parent=body.division), name="李代表")
    factories.seat(person, term)
    other = factories.PersonFactory(area=factories.community(parent=body.division), name="王代表")
    factories.seat(other, term)
    user, password = services.deputy_account_create(person=person)
    assert user.person == person and not user.is_staff
    assert client.login(username=user.username, password=password)
    resp = client.get("/", follow=True)
    html = resp.content.decode()
    assert resp.redirect_chain[-1][0] == "/me/"
    assert body.name in html and "李代表" in html and "王代表" not in html
    # a deputy is not staff
    assert client.get("/staff/bodies/").status_code == 403
    assert client.get("/admin/").status_code == 302
    with pytest.raises(ValidationError):
        services.deputy_account_create(person=person)


def test_admin_action_creates_accounts_once(client, sub_body):
    body, term = sub_body
    people = [factories.PersonFactory(area=factories.community(parent=body.division)) for _ in range(2)]
    client.force_login(factories.staff(body.division.parent))
    resp = client.post("/admin/deputies/person/", {"action": "create_accounts", "_selected_action": [p.pk for p in people]},
                       follow=True)
    assert resp.status_code == 200
    for p in people:
        p.refresh_from_db()
        assert p.user is not None
    resp = client.post("/admin/deputies/person/", {"action": "create_accounts", "_selected_action": [people[0].pk]},
                       follow=True)
    assert any("already" in str(m) or "已有" in str(m) for m in resp.context["messages"])


def test_admin_mandate_form_shows_rule_errors_and_saves_nothing(client, sub_body):
    body, term = sub_body
    client.force_login(factories.staff(body.division))
    foreigner = factories.PersonFactory(area=factories.community(parent=body.division), nationality="JP")
    resp = client.post("/admin/deputies/mandate/add/", {
        "person": foreigner.pk, "term": term.pk, "role": "deliberation_deputy", "start_date": "2024-02-01",
    })
    assert resp.status_code == 200
    assert "JP" in resp.content.decode()
    assert not foreigner.mandates.exists()
    ok = factories.PersonFactory(area=factories.community(parent=body.division))
    resp = client.post("/admin/deputies/mandate/add/", {
        "person": ok.pk, "term": term.pk, "role": "deliberation_deputy", "start_date": "2024-02-01",
    })
    assert resp.status_code == 302 and ok.mandates.count() == 1
