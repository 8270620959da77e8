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



def _csp_headers(middleware_class, *, nonce=None, path="/", **response_attrs):
    from django.http import HttpResponse
    from django.test import RequestFactory

    def view(request):
        response = HttpResponse("ok")
        for name, value in response_attrs.items():
            setattr(response, name, value)
        return response

    request = RequestFactory().get(path)
    middleware = middleware_class(view)
    middleware.process_request(request)
    if nonce is not None:
        request._csp_nonce = nonce  # as the template's {{ request.csp_nonce }} does
    response = middleware.process_response(request, view(request))
    return response.get("Content-Security-Policy"), response.get("Content-Security-Policy-Report-Only")


@pytest.mark.parametrize("case", [
    {}, {"nonce": "bm9uY2Ux"}, {"nonce": "b3RoZXI="}, {"_csp_exempt": True}, {"_csp_update": {"img-src": ["https://tiles.example"]}},
    {"nonce": "bm9uY2Ux", "_csp_replace": {"script-src": ["'self'"]}}, {"path": "/excluded/page"},
])
@pytest.mark.parametrize("report_only", [False, True])
def test_the_built_once_policy_is_the_librarys(settings, case, report_only):
    """congress.middleware.ContentSecurityPolicyMiddleware gives the headers django-csp's middleware gives, for
    every kind of response: with and without a nonce (each its own), exempt, a view's policy of its own."""
    from csp.middleware import CSPMiddleware

    from congress.middleware import ContentSecurityPolicyMiddleware

    settings.CONTENT_SECURITY_POLICY = {**settings.CONTENT_SECURITY_POLICY, "EXCLUDE_URL_PREFIXES": ["/excluded/"]}
    if report_only:
        settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = {"DIRECTIVES": {"default-src": ["'self'"], "report-uri": "/r/"}}
    for _ in range(2):  # the second time from what was built the first
        ours = _csp_headers(ContentSecurityPolicyMiddleware, **case)
        assert ours == _csp_headers(CSPMiddleware, **case)
    if case.get("nonce"):
        assert f"'nonce-{case['nonce']}'" in ours[0]
    assert (ours[0] is None) == bool(case.get("_csp_exempt") or case.get("path"))
    assert (ours[1] is not None) == report_only  # the report-only policy excludes no prefix here


def test_the_built_once_policy_follows_the_settings(settings):
    from congress.middleware import ContentSecurityPolicyMiddleware

    before = _csp_headers(ContentSecurityPolicyMiddleware)[0]
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": ["'none'"]}}
    assert _csp_headers(ContentSecurityPolicyMiddleware)[0] == "default-src 'none'" != before


def test_every_page_gets_a_nonce_of_its_own(client):
    import re

    nonces = []
    for _ in range(2):
        resp = client.get("/accounts/login/")
        nonce = re.search(r"'nonce-([^']+)'", resp["Content-Security-Policy"]).group(1)
        assert f'nonce="{nonce}"' in resp.content.decode()
        nonces.append(nonce)
    assert nonces[0] != nonces[1]

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
