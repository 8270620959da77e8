"""factory_boy factories. Objects with invariants are built through their services."""

import datetime

import factory

from congress import services as congress_services
from congress.models import CongressBody, Division, Term, User
from deputies import services as deputy_services
from deputies.models import Mandate, Person


class DivisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Division

    code = factory.Sequence(lambda n: f"9{n:07d}")
    name = factory.Sequence(lambda n: f"区划{n}")
    level = Division.Level.MUNICIPALITY
    parent = None

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return congress_services.division_create(**kwargs)


def city():
    return Division.objects.filter(level=Division.Level.MUNICIPALITY).first() or DivisionFactory(name="重庆市")


def district(parent=None, **kw):
    return DivisionFactory(level=Division.Level.DISTRICT, parent=parent or city(), **kw)


def subdistrict(parent=None, **kw):
    return DivisionFactory(level=Division.Level.SUBDISTRICT, parent=parent or district(), **kw)


def town(parent=None, **kw):
    return DivisionFactory(level=Division.Level.TOWN, parent=parent or district(), **kw)


def community(parent=None, **kw):
    return DivisionFactory(level=Division.Level.COMMUNITY, parent=parent or subdistrict(), **kw)


class BodyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CongressBody

    name = factory.Sequence(lambda n: f"机构{n}")
    kind = CongressBody.Kind.DELIBERATION_CONGRESS
    division = factory.LazyFunction(subdistrict)
    parent = None
    seats = None
    fixed_attendees_vote = False

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return congress_services.body_create(**kwargs)


class TermFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Term

    body = factory.SubFactory(BodyFactory)
    number = 1
    start_date = datetime.date(2024, 1, 10)
    end_date = None

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return congress_services.term_create(**kwargs)


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    name = factory.Sequence(lambda n: f"代表{n}")
    gender = Person.Gender.FEMALE
    date_of_birth = datetime.date(1980, 5, 1)
    ethnicity = "汉族"
    nationality = "CN"
    education = Person.Education.BACHELOR
    sector = Person.Sector.RESIDENT
    affiliation = Person.Affiliation.NONE
    phone = "13800000000"
    is_community_worker = False
    area = factory.LazyFunction(community)
    in_area_since = datetime.date(2010, 1, 1)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return deputy_services.person_create(**kwargs)


def seat(person, term, role=Mandate.Role.DELIBERATION_DEPUTY, start_date=None):
    mandate, _warnings = deputy_services.mandate_create(
        person=person, term=term, role=role, start_date=start_date or term.start_date
    )
    return mandate


def seated_deputy(term, role=Mandate.Role.DELIBERATION_DEPUTY):
    """A person living in the body's division (so eligible for it), seated in `term`."""
    person = PersonFactory(area=community(parent=term.body.division))
    seat(person, term, role=role)
    return person


def staff(division, username=None):
    return congress_services.staff_account_create(
        username=username or f"staff{User.objects.count() + 1}", password="x-Secret-123", division=division
    )


# Closing early or thin needs a reason; certifying needs a second staff member and the scrutineers present.
CLOSE_REASON = "会议议程调整，提前结束投票"
SCRUTINEERS = ["王监票", "赵监票"]


def certifying(body, username=None) -> dict:
    """The keyword arguments of a certification by a staff member of the body's division (not its closer)."""
    return {"acting_user": staff(body.division, username=username), "scrutineers": list(SCRUTINEERS)}
