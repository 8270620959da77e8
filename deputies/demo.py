"""Deputies of the demo district: a few hundred people with their mandates, made deterministically."""

import datetime
import random

from django.utils import timezone

from congress.demo import DEMO_PASSWORD
from congress.models import Division
from congress.workdays import add_months
from deputies import liaison, points, services, suggestions
from deputies.models import Mandate, OpinionCategory, Person

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程魏苏吕丁任沈姚卢谭廖"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华红玉兰建国志文斌海燕春梅琳晓东雪松波宇欣怡佳琪思远晨光浩然"


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))


def _person(rng: random.Random, area: Division, *, women_share: float, community_share: float) -> Person:
    gender = Person.Gender.FEMALE if rng.random() < women_share else Person.Gender.MALE
    born = datetime.date(rng.randint(1958, 2000), rng.randint(1, 12), rng.randint(1, 28))
    community = rng.random() < community_share
    sector = Person.Sector.COMMUNITY if community else rng.choice(
        [s for s in Person.Sector.values if s != Person.Sector.COMMUNITY]
    )
    since = max(born + datetime.timedelta(days=365 * 18), datetime.date(rng.randint(1985, 2021), rng.randint(1, 12), 1))
    return services.person_create(
        name=_name(rng), gender=gender, date_of_birth=born, ethnicity=rng.choice(["汉族"] * 9 + ["土家族", "苗族"]),
        nationality="CN", education=rng.choice(Person.Education.values), sector=sector,
        affiliation=rng.choice([Person.Affiliation.CPC] * 3 + [Person.Affiliation.NONE] * 2 + [Person.Affiliation.DEMOCRATIC]),
        phone=f"1{rng.randint(3, 9)}{rng.randint(0, 999999999):09d}", is_community_worker=community,
        area=area, in_area_since=since,
    )


def _leaves(division: Division) -> list[Division]:
    return list(Division.objects.filter(path__startswith=division.path, level__in=[
        Division.Level.COMMUNITY, Division.Level.VILLAGE]).order_by("code"))


def seed(congress: dict, stdout=None) -> dict:
    rng = random.Random(20240110)  # nosec B311  # a reproducible demo roster, not a secret
    bodies, terms = congress["bodies"], congress["terms"]
    district_term = terms[bodies["district"].pk]
    start = district_term.start_date

    district_deputies = []
    all_leaves = _leaves(congress["district"])
    for _ in range(180):
        p = _person(rng, rng.choice(all_leaves), women_share=0.3, community_share=0.1)
        services.mandate_create(person=p, term=district_term, role=Mandate.Role.DEPUTY, start_date=start)
        district_deputies.append(p)

    for body, town in zip(bodies["towns"], congress["towns"], strict=False):
        leaves = _leaves(town)
        for _ in range(40):
            p = _person(rng, rng.choice(leaves), women_share=0.32, community_share=0.15)
            services.mandate_create(person=p, term=terms[body.pk], role=Mandate.Role.DEPUTY, start_date=start)

    first_deliberation_deputy = None
    for body, sub, filled in zip(bodies["subdistricts"], congress["subdistricts"], (58, 42), strict=False):
        term = terms[body.pk]
        leaves = _leaves(sub)
        for _ in range(filled):
            p = _person(rng, rng.choice(leaves), women_share=0.4, community_share=0.3)
            services.mandate_create(person=p, term=term, role=Mandate.Role.DELIBERATION_DEPUTY, start_date=start)
            first_deliberation_deputy = first_deliberation_deputy or p
        # Deputies of every level who live in the sub-district attend as fixed attendees.
        for p in district_deputies:
            if p.area.is_within(sub):
                services.mandate_create(person=p, term=term, role=Mandate.Role.FIXED_ATTENDEE, start_date=start)

    jiangnan = congress["subdistricts"][0]
    demo_deputy = next(p for p in district_deputies if p.area.is_within(jiangnan))
    services.deputy_account_create(person=demo_deputy, username="deputy", password=DEMO_PASSWORD)
    services.deputy_account_create(person=first_deliberation_deputy, username="yishi", password=DEMO_PASSWORD)
    return {"district_deputies": district_deputies, "demo_deputy": demo_deputy,
            "demo_deliberation_deputy": first_deliberation_deputy}


def seed_network(congress: dict, deputies: dict) -> dict:
    """江南街道's liaison network, "1+6+12", with reception days on the 20th of even months, and some opinions."""
    jiangnan = congress["subdistricts"][0]
    body = congress["bodies"]["subdistricts"][0]
    term = congress["terms"][body.pk]
    members = [m.person for m in Mandate.objects.filter(term=term, role=Mandate.Role.DELIBERATION_DEPUTY)
               .select_related("person").order_by("person_id")]
    communities = list(jiangnan.children.order_by("code"))
    home = liaison.station_create(kind="home", name="江南街道代表之家", division=jiangnan, address="江南大道88号",
                                   deputies=members[:8], reception_day=20, reception_months="even")
    stations = [liaison.station_create(kind="station", name=f"江南街道第{i + 1}代表活动站",
                                        division=communities[i % len(communities)], address=f"江南街道{i + 1}号",
                                        deputies=members[8 + 4 * i: 12 + 4 * i], reception_day=20,
                                        reception_months="quarterly") for i in range(6)]
    for i in range(12):
        liaison.station_create(kind="contact_point", name=f"江南街道第{i + 1}民情联络点",
                                division=communities[i % len(communities)], address=f"江南街道联络点{i + 1}",
                                deputies=members[32 + i: 33 + i])
    today = timezone.localdate()
    liaison.reception_record(station=home, date=datetime.date(today.year, 2, 20), on_duty=members[:3], residents=46)
    cats = list(OpinionCategory.objects.order_by("order"))
    texts = ["小区停车难，希望增加停车位", "老旧小区加装电梯进展慢", "背街小巷路灯不亮", "农贸市场周边占道经营",
             "社区养老服务站缺少助餐服务", "雨季道路积水严重"]
    ops = []
    for i, text in enumerate(texts):
        ops.append(liaison.opinion_receive(division=communities[i % len(communities)], category=cats[i % len(cats)],
                                            text=text, channel=["reception", "station", "visit"][i % 3],
                                            station=home if i % 3 == 0 else stations[i % 6], taken_by=members[i]))
    liaison.opinion_transition(opinion=ops[0], to="referred", unit="江南街道城管办", due_date=today + datetime.timedelta(days=20))
    liaison.opinion_transition(opinion=ops[1], to="referred", unit="区住建委", due_date=today - datetime.timedelta(days=5))
    liaison.opinion_transition(opinion=ops[1], to="in_progress")
    liaison.resident_opinions_flag_overdue(on_date=today)
    liaison.opinion_transition(opinion=ops[2], to="referred", unit="江南街道城管办", due_date=today)
    liaison.opinion_transition(opinion=ops[2], to="resolved", reply="已更换路灯12盏")
    liaison.opinion_transition(opinion=ops[3], to="deferred", reason="条件暂不具备，纳入明年市场改造", reply="将在市场改造中统筹解决")
    s = suggestions.suggestion_submit(body=body, lead=members[0], co_authors=members[1:3], title="关于增设社区公交微循环线路的建议",
                                      text="建议开通连接各社区与轨道站点的微循环公交。", submitted_on=today - datetime.timedelta(days=60))
    seed_deadlines_and_points(body, members, s)
    suggestions.supervision_group_create(body=body, name="城市建设与环境保护监督组", members=members[:5],
                                         matters="老旧小区改造；背街小巷整治")
    return {"home": home, "opinions": ops}


def seed_deadlines_and_points(body, members, first_suggestion) -> None:
    """Handling units with a unit account, suggestions at each step (one returned, one extended, one published,
    one confidential), and duty reports awaiting approval, approved and rejected."""
    today = timezone.localdate()
    traffic = suggestions.handling_unit_create(body=body, name="区交通局")
    housing = suggestions.handling_unit_create(body=body, name="区住建委")
    suggestions.handling_unit_create(body=body, name="区城管局")
    suggestions.handling_unit_account_create(unit=traffic, username="unit", password=DEMO_PASSWORD)
    suggestions.suggestion_assign(suggestion=first_suggestion, unit=traffic, assisting=[housing], on=today)
    items = [("关于老旧小区加装电梯的建议", "建议简化加装电梯审批流程。"), ("关于背街小巷停车管理的建议", "建议划定夜间临时停车位。"),
             ("关于社区助餐点建设的建议", "建议在每个社区建设老年助餐点。"), ("关于河道沿岸安全设施的建议", "建议增设护栏和警示标志。")]
    made = [suggestions.suggestion_submit(body=body, lead=members[i + 1], title=t, text=x,
                                          submitted_on=today - datetime.timedelta(days=100 - 10 * i))
            for i, (t, x) in enumerate(items)]
    assigned = today - datetime.timedelta(days=65)
    lift = suggestions.suggestion_assign(suggestion=made[0], unit=housing, on=assigned)
    ext = suggestions.suggestion_extension_request(suggestion=lift, until=add_months(assigned, 5),
                                                   reason="需与供电、燃气部门协调管线迁改", on=today - datetime.timedelta(days=10))
    suggestions.suggestion_extension_decide(extension=ext, approve=True, note="同意延期")
    parking = suggestions.suggestion_assign(suggestion=made[1], unit=traffic, on=today)
    suggestions.suggestion_return(suggestion=parking, reason="停车位划设属区城管局职责", on=today)
    meals = suggestions.suggestion_assign(suggestion=made[2], unit="区民政局", on=assigned)
    meals = suggestions.suggestion_reply(suggestion=meals, reply="已在江南街道6个社区建成助餐点，其余社区明年完成。",
                                         on=today - datetime.timedelta(days=20))
    suggestions.suggestion_evaluate(suggestion=meals, satisfaction="basic", on=today - datetime.timedelta(days=15))
    river = suggestions.suggestion_assign(suggestion=made[3], unit=housing, on=assigned)
    suggestions.suggestion_reply(suggestion=river, reply="涉及防汛设施布点，答复不公开。", on=today - datetime.timedelta(days=5),
                                 confidential=True)
    suggestions.suggestions_flag_overdue(on_date=today)

    points.point_rules_set(body=body, points={"inspection": 4, "research": 4, "outreach": 2})
    quarter_start = datetime.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    reports = [points.duty_report_submit(person=members[i % 4], body=body, kind=kind,
                                         date=max(quarter_start, today - datetime.timedelta(days=3 * i)),
                                         description=text)
               for i, (kind, text) in enumerate([
                   ("inspection", "视察江南大道排水管网改造工地"), ("research", "走访三个社区调研养老助餐需求"),
                   ("outreach", "在代表之家宣讲新修订的《重庆市物业管理条例》"), ("training", "参加区人大代表履职培训"),
                   ("reception", "在第二代表活动站接待群众8人次"), ("inspection", "视察背街小巷整治")])]
    points.duty_reports_decide(approve=reports[:3], reject={reports[3]: "培训签到表中无该代表记录"})
