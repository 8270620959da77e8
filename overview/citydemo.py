"""A deterministic synthetic city at Chongqing's scale, with the figures of December 2023 (DOMAIN.md).

171 sub-districts with a deliberation congress in 34 districts, 9,291 deliberation
deputies, 97 deliberation meetings; 18 districts and 666 of 786 towns voting their
livelihood projects (84.7%); 14 districts with a mid-year meeting; 156 towns in 36
districts with quarterly meetings; 128 district-level and 3,347 town-level projects voted.

Written in bulk, not through the services: it lays down history (certified ballots,
held meetings) at a scale where one service call per row would take minutes.
The figures are checked by tests/overview/test_dashboard.py.
"""

from __future__ import annotations

import datetime

from django.db import transaction

from congress.models import CongressBody, Division, SecretPoll, Term
from deputies.models import Mandate, OpinionCategory, Person, ResidentOpinion
from meetings.models import Meeting
from projects.models import Ballot, BallotCandidate, Category, Project

CITY_CODE = "C50"
DISTRICTS = 38
SUBDISTRICTS = 171          # in the first 34 districts
SUBDISTRICT_DISTRICTS = 34
TOWNS = 786                 # 666 of them voting = 84.7%
VOTING_TOWNS = 666
VOTING_DISTRICTS = 18
MIDYEAR_DISTRICTS = 14
QUARTERLY_TOWNS = 156       # in 36 districts
QUARTERLY_DISTRICTS = 36
DELIBERATION_DEPUTIES = 9291
DELIBERATION_MEETINGS = 97
DISTRICT_PROJECTS = 128
TOWN_PROJECTS = 3347
YEAR = 2023


def spread(total: int, parts: int) -> list[int]:
    """Split total into parts as evenly as possible, the larger shares first (deterministic)."""
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


@transaction.atomic
def seed() -> dict:
    if Division.objects.filter(code=CITY_CODE).exists():
        return {"created": False}
    city = Division.objects.create(code=CITY_CODE, name="示例市", level=Division.Level.MUNICIPALITY, path=f"{CITY_CODE}/")
    districts = Division.objects.bulk_create([
        Division(code=f"{CITY_CODE}{d:02d}", name=f"第{d}区", level=Division.Level.DISTRICT, parent=city,
                 path=f"{city.path}{CITY_CODE}{d:02d}/") for d in range(1, DISTRICTS + 1)
    ])
    subs_per = spread(SUBDISTRICTS, SUBDISTRICT_DISTRICTS)
    towns_per = spread(TOWNS, DISTRICTS)
    non_voting_per = spread(TOWNS - VOTING_TOWNS, DISTRICTS)
    quarterly_per = spread(QUARTERLY_TOWNS, QUARTERLY_DISTRICTS)
    sub_divs, town_divs, town_flags = [], [], []
    for i, d in enumerate(districts):
        for s in range(subs_per[i] if i < SUBDISTRICT_DISTRICTS else 0):
            code = f"{d.code}0{s:02d}"
            sub_divs.append(Division(code=code, name=f"{d.name}第{s + 1}街道", level=Division.Level.SUBDISTRICT,
                                     parent=d, path=f"{d.path}{code}/"))
        for t in range(towns_per[i]):
            code = f"{d.code}1{t:02d}"
            town_divs.append(Division(code=code, name=f"{d.name}第{t + 1}镇", level=Division.Level.TOWN, parent=d,
                                      path=f"{d.path}{code}/"))
            voting = t < towns_per[i] - non_voting_per[i]
            quarterly = i < QUARTERLY_DISTRICTS and t < quarterly_per[i]
            town_flags.append((voting, quarterly))
    Division.objects.bulk_create(sub_divs + town_divs, batch_size=1000)

    start = datetime.date(2021, 12, 28)
    end = datetime.date(2026, 12, 27)
    district_bodies = CongressBody.objects.bulk_create([
        CongressBody(name=f"{d.name}人民代表大会", kind=CongressBody.Kind.DISTRICT_CONGRESS, division=d) for d in districts
    ])
    deliberation_bodies = CongressBody.objects.bulk_create([
        CongressBody(name=f"{s.name}议事代表会议", kind=CongressBody.Kind.DELIBERATION_CONGRESS, division=s, seats=80)
        for s in sub_divs
    ])
    town_bodies = CongressBody.objects.bulk_create([
        CongressBody(name=f"{t.name}人民代表大会", kind=CongressBody.Kind.TOWNSHIP_CONGRESS, division=t) for t in town_divs
    ], batch_size=1000)
    terms = Term.objects.bulk_create([
        Term(body=b, number=1, start_date=start, end_date=end) for b in deliberation_bodies
    ])

    # 9,291 deliberation deputies, 30 to 80 per congress
    people, mandates = [], []
    seats = spread(DELIBERATION_DEPUTIES, len(deliberation_bodies))
    for sub, n in zip(sub_divs, seats, strict=True):
        for k in range(n):
            people.append(Person(name=f"议事代表{sub.code}-{k:02d}", gender="F" if k % 5 < 2 else "M",
                                 date_of_birth=datetime.date(1960 + k % 40, 1 + k % 12, 1 + k % 28),
                                 education="senior", sector="resident", affiliation="masses", area=sub,
                                 in_area_since=datetime.date(2010, 1, 1), is_community_worker=k % 4 == 0))
    Person.objects.bulk_create(people, batch_size=2000)
    i = 0
    for term, n in zip(terms, seats, strict=True):
        for _k in range(n):
            mandates.append(Mandate(person=people[i], term=term, role=Mandate.Role.DELIBERATION_DEPUTY, start_date=start))
            i += 1
    Mandate.objects.bulk_create(mandates, batch_size=2000)

    meetings = []
    for b in deliberation_bodies[:DELIBERATION_MEETINGS]:
        meetings.append(Meeting(body=b, kind=Meeting.Kind.DELIBERATION_MIDYEAR, title=f"{b.name}{YEAR}年年中会议",
                                date=datetime.date(YEAR, 7, 15), place=b.division.name, state=Meeting.State.CLOSED))
    for b in district_bodies[:MIDYEAR_DISTRICTS]:
        meetings.append(Meeting(body=b, kind=Meeting.Kind.MIDYEAR_SESSION, title=f"{b.name}{YEAR}年年中会议",
                                date=datetime.date(YEAR, 8, 1), place=b.division.name, state=Meeting.State.CLOSED))
    for b, (_voting, quarterly) in zip(town_bodies, town_flags, strict=True):
        if quarterly:
            meetings.append(Meeting(body=b, kind=Meeting.Kind.QUARTERLY, title=f"{b.name}{YEAR}年第二季度会议",
                                    date=datetime.date(YEAR, 5, 20), place=b.division.name, state=Meeting.State.CLOSED))
    Meeting.objects.bulk_create(meetings, batch_size=1000)

    # certified project ballots and the projects they adopted
    voters = list(district_bodies[:VOTING_DISTRICTS]) + [b for b, (v, _q) in zip(town_bodies, town_flags, strict=True) if v]
    polls = SecretPoll.objects.bulk_create([
        SecretPoll(body=b, purpose=SecretPoll.Purpose.PROJECT_BALLOT, title=f"{b.name}{YEAR}年民生实事项目票决",
                   state=SecretPoll.State.CERTIFIED) for b in voters
    ], batch_size=1000)
    ballots = Ballot.objects.bulk_create([Ballot(poll=p, year=YEAR, seats=10, max_choices=10) for p in polls],
                                         batch_size=1000)
    per_ballot = (spread(DISTRICT_PROJECTS, VOTING_DISTRICTS) + spread(TOWN_PROJECTS, VOTING_TOWNS))
    category = Category.objects.order_by("order").first() or Category.objects.create(name="城镇建设管理")
    projects, owners = [], []
    for ballot, body, n in zip(ballots, voters, per_ballot, strict=True):
        for k in range(n):
            projects.append(Project(body=body, year=YEAR, title=f"{body.division.name}民生实事{k + 1}", category=category,
                                    description="票决通过的民生实事项目", source=Project.Source.STATION,
                                    state=Project.State.IMPLEMENTATION))
            owners.append((ballot, k))
    Project.objects.bulk_create(projects, batch_size=2000)
    BallotCandidate.objects.bulk_create([
        BallotCandidate(ballot=ballot, project=p, position=k, adopted=True, rank=k + 1)
        for p, (ballot, k) in zip(projects, owners, strict=True)
    ], batch_size=2000)

    # Baitao's opinions: 157 collected, 139 resolved, 7 being pushed, 11 deferred
    cat = OpinionCategory.objects.order_by("order").first() or OpinionCategory.objects.create(name="其他事项")
    first = sub_divs[0]
    opinions = []
    for k in range(157):
        state, reason, unit, due = ("resolved", "", "街道办事处", datetime.date(YEAR, 12, 31))
        if k >= 139:
            state, reason = ("in_progress", "") if k < 146 else ("deferred", "条件暂不具备")
        opinions.append(ResidentOpinion(reference=f"CITY{k:04d}", division=first, category=cat, channel="reception",
                                        text=f"群众意见{k + 1}", state=state, state_reason=reason, unit=unit,
                                        due_date=due, reply="已答复" if state != "in_progress" else ""))
    ResidentOpinion.objects.bulk_create(opinions)
    return {"created": True, "city": city}
