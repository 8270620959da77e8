import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from congress.models import CongressBody
from deputies import services
from deputies.models import Mandate
from tests import factories

pytestmark = pytest.mark.django_db
START = datetime.date(2024, 1, 10)


def person_in(body, **kw):
    return factories.PersonFactory(area=factories.community(parent=body.division), **kw)


def test_eligible_deliberation_deputy_is_seated(sub_body):
    body, term = sub_body
    mandate = factories.seat(person_in(body), term)
    assert mandate.role == Mandate.Role.DELIBERATION_DEPUTY and mandate.body == body


def test_nationality_rule(sub_body):
    body, term = sub_body
    with pytest.raises(ValidationError) as exc:
        factories.seat(person_in(body, nationality="US"), term)
    assert "nationality" in " ".join(exc.value.messages).lower() or "国籍" in " ".join(exc.value.messages)


def test_age_rule_on_the_start_date(sub_body):
    body, term = sub_body
    eighteen_tomorrow = datetime.date(START.year - 18, START.month, START.day + 1)
    with pytest.raises(ValidationError, match="18"):
        factories.seat(person_in(body, date_of_birth=eighteen_tomorrow, in_area_since=eighteen_tomorrow), term)
    eighteen_today = datetime.date(START.year - 18, START.month, START.day)
    assert factories.seat(person_in(body, date_of_birth=eighteen_today, in_area_since=eighteen_today), term)


def test_one_year_in_the_subdistrict(sub_body):
    body, term = sub_body
    with pytest.raises(ValidationError, match="one year|一年"):
        factories.seat(person_in(body, in_area_since=datetime.date(2023, 6, 1)), term)
    assert factories.seat(person_in(body, in_area_since=datetime.date(2023, 1, 10)), term)


def test_must_live_or_work_in_the_subdistrict(sub_body):
    body, term = sub_body
    elsewhere = factories.PersonFactory()  # a community of another sub-district
    with pytest.raises(ValidationError):
        factories.seat(elsewhere, term)


def test_rules_do_not_apply_to_fixed_attendees(sub_body):
    body, term = sub_body
    district_deputy = factories.PersonFactory(area=factories.community(parent=factories.subdistrict()))
    mandate = factories.seat(district_deputy, term, role=Mandate.Role.FIXED_ATTENDEE)
    assert mandate.role == Mandate.Role.FIXED_ATTENDEE


def test_roles_fit_the_body(sub_body):
    body, term = sub_body
    with pytest.raises(ValidationError, match="roles|身份"):
        factories.seat(person_in(body), term, role=Mandate.Role.DEPUTY)
    dist_body = factories.BodyFactory(kind=CongressBody.Kind.DISTRICT_CONGRESS, division=factories.district())
    dist_term = factories.TermFactory(body=dist_body)
    with pytest.raises(ValidationError):
        factories.seat(factories.PersonFactory(), dist_term, role=Mandate.Role.DELIBERATION_DEPUTY)


def test_one_person_several_mandates_but_one_open_per_term(sub_body):
    body, term = sub_body
    person = person_in(body)
    dist_body = factories.BodyFactory(kind=CongressBody.Kind.DISTRICT_CONGRESS, division=body.division.parent)
    dist_term = factories.TermFactory(body=dist_body)
    factories.seat(person, dist_term, role=Mandate.Role.DEPUTY)
    factories.seat(person, term, role=Mandate.Role.FIXED_ATTENDEE)
    assert person.mandates.count() == 2
    with pytest.raises(ValidationError, match="open mandate|任职"):
        factories.seat(person, term)
    with pytest.raises(IntegrityError), transaction.atomic():
        Mandate.objects.create(person=person, term=term, role=Mandate.Role.DELIBERATION_DEPUTY, start_date=START)


def test_at_most_100_seats_and_warning_outside_30_to_80(sub_body):
    body, term = sub_body
    from congress import services as cs

    cs.body_update(body=body, seats=100)
    area = factories.community(parent=body.division)
    warnings_seen = []
    for _i in range(100):
        p = factories.PersonFactory(area=area)
        _m, warnings = services.mandate_create(person=p, term=term, role=Mandate.Role.DELIBERATION_DEPUTY,
                                               start_date=START)
        warnings_seen.append(bool(warnings))
    # warned below 30 and above 80, silent in between
    assert warnings_seen[:29] == [True] * 29
    assert warnings_seen[29:80] == [False] * 51
    assert all(warnings_seen[80:])
    with pytest.raises(ValidationError, match="100"):
        services.mandate_create(person=factories.PersonFactory(area=area), term=term,
                                role=Mandate.Role.DELIBERATION_DEPUTY, start_date=START)
    # fixed attendees do not take seats
    assert services.mandate_create(person=factories.PersonFactory(area=area), term=term,
                                   role=Mandate.Role.FIXED_ATTENDEE, start_date=START)


def test_ending_a_mandate_frees_the_seat_and_needs_a_reason(sub_body):
    body, term = sub_body
    m = factories.seat(person_in(body), term)
    with pytest.raises(ValidationError):
        services.mandate_end(mandate=m, end_date=datetime.date(2025, 1, 1), reason="")
    services.mandate_end(mandate=m, end_date=datetime.date(2025, 1, 1), reason=Mandate.EndReason.MOVED)
    m.refresh_from_db()
    assert m.end_reason == "moved" and not m.is_active_on(datetime.date(2025, 6, 1))
    with pytest.raises(ValidationError):
        services.mandate_end(mandate=m, end_date=datetime.date(2025, 2, 1), reason=Mandate.EndReason.DIED)
    with pytest.raises(IntegrityError), transaction.atomic():
        Mandate.objects.filter(pk=m.pk).update(end_reason="")


def test_mandate_starts_within_term(sub_body):
    body, term = sub_body
    with pytest.raises(ValidationError, match="term|届"):
        factories.seat(person_in(body), term, start_date=datetime.date(2035, 1, 1))


def test_no_national_id_number_is_stored():
    from deputies.models import Person

    names = {f.name for f in Person._meta.get_fields()}
    assert not any("id_number" in n or "identity" in n or "national_id" in n for n in names)
