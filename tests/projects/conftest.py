import datetime

import pytest
from django.utils import timezone

from deputies.models import Mandate
from projects import services
from projects.models import Category, Project
from tests import factories


def make_candidates(body, n, year=2027):
    cat = Category.objects.get_or_create(name="停车设施")[0]
    out = []
    for i in range(n):
        p = services.project_propose(body=body, year=year, title=f"项目{i + 1}", category=cat,
                                     description="为居民办实事", source=Project.Source.STATION)
        services.project_move(project=p, to=Project.State.APPRAISAL)
        out.append(services.project_move(project=p, to=Project.State.CANDIDATE))
    return out


class Election:
    """A deliberation congress with seated deputies, a fixed attendee and candidate projects."""

    def __init__(self, deputies=5, candidates=4, fixed=1, division=None, **ballot_kw):
        self.body = factories.BodyFactory(seats=80, **({"division": division} if division else {}))
        self.term = factories.TermFactory(body=self.body, start_date=datetime.date(2024, 1, 10))
        area = factories.community(parent=self.body.division)
        self.people = [factories.PersonFactory(area=area) for _ in range(deputies)]
        for p in self.people:
            factories.seat(p, self.term)
        self.fixed = [factories.PersonFactory() for _ in range(fixed)]
        for p in self.fixed:
            factories.seat(p, self.term, role=Mandate.Role.FIXED_ATTENDEE)
        self.projects = make_candidates(self.body, candidates)
        now = timezone.now()
        kw = {"seats": 2, "max_choices": 2, "opens_at": now - datetime.timedelta(hours=1),
              "closes_at": now + datetime.timedelta(hours=2)}
        kw.update(ballot_kw)
        self.ballot = services.ballot_create(body=self.body, title="票决", year=2027, **kw)
        services.ballot_set_candidates(ballot=self.ballot, projects=self.projects)
        self.candidates = list(self.ballot.candidates.order_by("position"))

    def open(self):
        services.ballot_open(ballot=self.ballot)
        self.ballot.refresh_from_db()
        self.ballot.poll.refresh_from_db()
        return self

    def approve(self, person, *indexes):
        return services.ballot_vote(ballot=self.ballot, person=person,
                                    choices={"approve": [self.candidates[i].pk for i in indexes]})

    def close_and_count(self, reason=factories.CLOSE_REASON, acting_user=None):
        from django.test import TestCase

        with TestCase.captureOnCommitCallbacks(execute=True):  # eager Celery runs the tally on commit
            services.ballot_close(ballot=self.ballot, reason=reason, acting_user=acting_user)
        self.ballot.refresh_from_db()
        self.ballot.poll.refresh_from_db()
        return self.ballot.result


@pytest.fixture
def election(db):
    return Election
