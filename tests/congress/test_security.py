import csv
import io

import pytest

from congress.models import AuditLog
from tests import factories

pytestmark = pytest.mark.django_db


def test_content_security_policy_on_every_page(client):
    resp = client.get("/accounts/login/")
    policy = resp["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert resp["X-Frame-Options"] == "DENY"


def test_login_lockout_per_account_and_address(client, settings):
    """An attacker's failures lock the attacker's address out of that account, not the account: a deputy's login
    is predictable, and a lock on the account alone would let anyone keep a deputy from voting."""
    from axes.utils import reset

    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    reset()
    user = factories.staff(factories.district(), username="target")
    user.set_password("right-Password-1")
    user.save()
    for _ in range(3):
        client.post("/accounts/login/", {"username": "target", "password": "wrong"}, REMOTE_ADDR="10.0.0.1")
    # the attacker's address is locked for this account, even with the right password
    resp = client.post("/accounts/login/", {"username": "target", "password": "right-Password-1"}, REMOTE_ADDR="10.0.0.1")
    assert resp.status_code == 429 and "_auth_user_id" not in client.session
    assert 'id="locked-out"' in resp.content.decode()
    # the account holder, from another address, signs in
    resp = client.post("/accounts/login/", {"username": "target", "password": "right-Password-1"}, REMOTE_ADDR="10.0.0.2")
    assert resp.status_code == 302 and client.session["_auth_user_id"] == str(user.pk)
    client.logout()
    # the attacker's address stays locked for the account after the holder's success
    resp = client.post("/accounts/login/", {"username": "target", "password": "right-Password-1"}, REMOTE_ADDR="10.0.0.1")
    assert resp.status_code == 429
    reset()
    resp = client.post("/accounts/login/", {"username": "target", "password": "right-Password-1"}, REMOTE_ADDR="10.0.0.1")
    assert resp.status_code == 302


def test_audit_log_is_exportable_and_read_only(client):
    division = factories.district()
    staff = factories.staff(division)
    client.force_login(staff)
    factories.BodyFactory(division=factories.subdistrict(parent=division))
    ids = list(AuditLog.objects.in_scope(staff).values_list("pk", flat=True))
    resp = client.post("/admin/congress/auditlog/", {"action": "export_audit_csv", "_selected_action": ids})
    assert resp["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(resp.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["at", "actor", "action"] and any(r[2] == "body.create" for r in rows[1:])
    entry = AuditLog.objects.first()
    assert client.post(f"/admin/congress/auditlog/{entry.pk}/change/", {}).status_code == 403
    assert client.post(f"/admin/congress/auditlog/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
