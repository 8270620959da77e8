"""Projects of the demo district: proposals in every state, and an open ballot the demo deputies can vote in."""

import datetime

from django.utils import timezone

from congress.models import Session
from projects import services, supervision
from projects.models import Category, Project

PROPOSALS = [
    ("新增江南社区小型停车场3个", "停车设施", 320), ("东风社区老旧小区加装电梯", "老旧小区改造", 450),
    ("滨江步道夜间照明改造", "路灯照明", 120), ("社区嵌入式养老服务站", "养老服务", 260),
    ("桂花社区供水管网改造", "供水设施", 380), ("背街小巷路面整治", "城镇建设管理", 210),
    ("新华社区卫生服务站提档升级", "医疗卫生", 300), ("学校周边交通安全设施", "交通出行", 90),
    ("垃圾分类收集点改造", "生态环境", 75), ("社区儿童游乐场建设", "城镇建设管理", 140),
    ("公交站台风雨棚安装", "交通出行", 60), ("老年食堂建设", "养老服务", 180),
    ("社区书屋扩建", "教育", 55), ("河道护栏修缮", "生态环境", 95), ("农贸市场改造", "城镇建设管理", 400),
]


DEMO_SCRUTINEERS = ["王监票", "李监票", "陈监票"]


def seed(congress: dict, deputies: dict) -> dict:
    body = congress["bodies"]["subdistricts"][0]  # 江南街道议事代表会议
    year = timezone.localdate().year + 1
    cats = {c.name: c for c in Category.objects.all()}
    projects = []
    for i, (title, cat, budget) in enumerate(PROPOSALS):
        p = services.project_propose(
            body=body, year=year, title=title, category=cats[cat], description=f"{title}：居民反映强烈，建议纳入民生实事。",
            estimated_budget=budget, source=[Project.Source.ONLINE, Project.Source.STATION, Project.Source.RECEPTION,
                                             Project.Source.VISIT][i % 4],
            responsible_unit="江南街道办事处",
        )
        services.project_move(project=p, to=Project.State.APPRAISAL)
        services.project_move(project=p, to=Project.State.CANDIDATE)
        projects.append(p)
    extra = services.project_propose(body=body, year=year, title="修建大型体育中心", category=cats["城镇建设管理"],
                                     description="投资过大，超出街道财力。", source=Project.Source.ONLINE)
    services.project_move(project=extra, to=Project.State.NOT_ADOPTED, reason="投资规模超出街道财力，条件暂不具备")
    session = Session.objects.filter(term__body=body).order_by("-number").first()
    now = timezone.now()
    ballot = services.ballot_create(
        body=body, title=f"江南街道{year}年民生实事项目票决", year=year, seats=10, max_choices=10, session=session,
        opens_at=now - datetime.timedelta(hours=1), closes_at=now + datetime.timedelta(days=30),
    )
    services.ballot_set_candidates(ballot=ballot, projects=projects)
    ballot = services.ballot_open(ballot=ballot, scrutineers=DEMO_SCRUTINEERS, threshold=2)
    implemented = seed_implemented(body, cats)
    return {"ballot": ballot, "projects": projects, "cards": ballot.poll.share_cards, "implemented": implemented}


# This year's projects, voted last year (that ballot is not replayed): one of each colour on the five-colour board.
IMPLEMENTED = [
    # title, category, progress (%), month of planned completion, a milestone overdue
    ("江南社区口袋公园建设", "城镇建设管理", 100, 6, False),
    ("滨江社区充电桩安装", "交通出行", 95, 12, False),
    ("老旧小区雨污分流改造", "老旧小区改造", 75, 12, False),
    ("社区日间照料中心", "养老服务", 45, 12, False),
    ("背街小巷路灯补装", "路灯照明", 60, 12, True),
    ("农贸市场公厕改造", "城镇建设管理", 10, 10, False),
]


def seed_implemented(body, cats) -> list:
    today = timezone.localdate()
    start = datetime.date(today.year, 1, 1)
    people = list(supervision.eligible_supervisors(Project(body=body))[:6])
    out = []
    for i, (title, cat, progress, months, overdue) in enumerate(IMPLEMENTED):
        p = services.project_propose(body=body, year=today.year, title=title, category=cats[cat],
                                     description=f"{title}：{today.year}年民生实事项目。", estimated_budget=80 + 20 * i,
                                     source=Project.Source.STATION, responsible_unit="江南街道办事处")
        Project.objects.filter(pk=p.pk).update(state=Project.State.IMPLEMENTATION, budget=80 + 20 * i,
                                               planned_start=start,
                                               planned_completion=datetime.date(today.year, months, 28))
        p.refresh_from_db()
        due = today - datetime.timedelta(days=10) if overdue else today + datetime.timedelta(days=30)
        services.milestone_add(project=p, title="主体完工" if overdue else "竣工验收", due_date=due)
        services.progress_report(project=p, date=today, percent=progress, text=f"已完成{progress}%", public=True)
        if people:
            supervision.project_set_supervisors(project=p, presidium=people[i % len(people)],
                                                deputies=[q for q in people[:3] if q != people[i % len(people)]])
        if progress == 100:
            services.project_move(project=p, to=Project.State.COMPLETED)
        out.append(p)
    return out
