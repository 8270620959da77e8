"""The congress part of the demo district: a fictional district of a real-shaped city."""

import datetime

from congress import services
from congress.models import CongressBody, Division, User

DEMO_DISTRICT_CODE = "500199"
DEMO_PASSWORD = "renda2026"  # nosec B105  # the published password of the demo accounts, never of real ones

TOWNS = [
    ("500199101", "青山镇", Division.Level.TOWN),
    ("500199102", "石桥镇", Division.Level.TOWN),
    ("500199201", "云岭乡", Division.Level.TOWNSHIP),
]
SUBDISTRICTS = [
    ("500199001", "江南街道", 62),
    ("500199002", "龙湾街道", 45),
]
COMMUNITIES = ["东风社区", "新华社区", "桂花社区"]
VILLAGES = ["红岩村", "柏树村", "大田村"]
TERM_START = datetime.date(2024, 1, 10)
SESSION_DATES = [datetime.date(2024, 1, 10), datetime.date(2025, 1, 8), datetime.date(2026, 1, 7)]


def seed(stdout=None) -> dict:
    city = Division.objects.filter(code="500000").first() or services.division_create(
        code="500000", name="重庆市", level=Division.Level.MUNICIPALITY
    )
    district = services.division_create(code=DEMO_DISTRICT_CODE, name="示范区", level=Division.Level.DISTRICT,
                                        parent=city)
    towns, subdistricts = [], []
    for code, name, level in TOWNS:
        town = services.division_create(code=code, name=name, level=level, parent=district)
        for i, village in enumerate(VILLAGES, start=1):
            services.division_create(code=f"{code}{i:03d}", name=village, level=Division.Level.VILLAGE, parent=town)
        towns.append(town)
    for code, name, _seats in SUBDISTRICTS:
        sub = services.division_create(code=code, name=name, level=Division.Level.SUBDISTRICT, parent=district)
        for i, community in enumerate(COMMUNITIES, start=1):
            services.division_create(code=f"{code}{i:03d}", name=f"{name[:2]}{community}",
                                     level=Division.Level.COMMUNITY, parent=sub)
        subdistricts.append(sub)

    bodies = {}
    if not CongressBody.objects.filter(division=city).exists():
        city_congress = services.body_create(name="重庆市人民代表大会", kind=CongressBody.Kind.MUNICIPAL_CONGRESS,
                                             division=city)
        services.body_create(name="重庆市人民代表大会常务委员会", kind=CongressBody.Kind.MUNICIPAL_STANDING_COMMITTEE,
                             division=city, parent=city_congress)
    district_congress = services.body_create(
        name="示范区人民代表大会", kind=CongressBody.Kind.DISTRICT_CONGRESS, division=district, seats=200
    )
    services.body_create(name="示范区人大常委会", kind=CongressBody.Kind.DISTRICT_STANDING_COMMITTEE,
                         division=district, parent=district_congress, seats=29)
    bodies["district"] = district_congress
    bodies["towns"] = []
    for town in towns:
        congress_ = services.body_create(name=f"{town.name}人民代表大会", kind=CongressBody.Kind.TOWNSHIP_CONGRESS,
                                         division=town, seats=45)
        services.body_create(name=f"{town.name}人大主席团", kind=CongressBody.Kind.TOWNSHIP_PRESIDIUM,
                             division=town, parent=congress_)
        bodies["towns"].append(congress_)
    bodies["subdistricts"] = []
    for sub, (_c, _n, seats) in zip(subdistricts, SUBDISTRICTS, strict=False):
        bodies["subdistricts"].append(services.body_create(
            name=f"{sub.name}议事代表会议", kind=CongressBody.Kind.DELIBERATION_CONGRESS, division=sub, seats=seats,
        ))

    terms = {}
    for body in [bodies["district"], *bodies["towns"], *bodies["subdistricts"]]:
        term = services.term_create(body=body, number=7 if body.kind != CongressBody.Kind.DELIBERATION_CONGRESS else 2,
                                    start_date=TERM_START)
        for n, day in enumerate(SESSION_DATES, start=1):
            services.session_create(term=term, number=n, start_date=day, end_date=day + datetime.timedelta(days=2))
        terms[body.pk] = term

    accounts = [
        ("city", "市人大办公厅", city),
        ("district", "示范区人大常委会办公室", district),
        ("jiangnan", "江南街道人大工委", subdistricts[0]),
    ]
    for username, title, division in accounts:
        if not User.objects.filter(username=username).exists():
            services.staff_account_create(username=username, password=DEMO_PASSWORD, division=division,
                                          first_name=title)
    return {"city": city, "district": district, "towns": towns, "subdistricts": subdistricts,
            "bodies": bodies, "terms": terms}
