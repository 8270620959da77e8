"""Every URL, with the strategy that fuzzes it.

`ENDPOINTS`, the URLs that take a submission: who posts (anonymous, the home body's deputy, the home district's
staff member), a strategy for the URL (the object in scope most of the time, sometimes another body's object or
an unknown id), a strategy for the form data (and files), the number of examples, and the models whose rows must
not change when the submission is refused (and must stay valid when it is accepted). `PAGES`, the pages that take
none: who opens them, their URLs and the query parameters they read. `test_every_url_has_a_strategy` fails
when a URL is added without an entry in one or the other, or when a page listed in `PAGES` starts reading a
submission.
"""

import csv
import datetime
import io
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import tablib
from django.core import signing
from django.urls import reverse
from django.utils import timezone
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from congress.models import Elector, SecretPoll
from deputies import liaison
from deputies.models import DutyReport, LiaisonStation, PointKind, PointRule, Reception, ResidentOpinion, Suggestion
from deputies.models.points import REPORTED_KINDS
from deputies.roster import COLUMNS, serialise_rows
from deputies.services import RosterRow
from deputies.views import IMPORT_SALT
from meetings.models import AgendaItem, Attendee, DeliberationOpinion, Meeting, Report, SatisfactionSurvey
from projects import services as project_services
from projects import supervision
from projects.models import (
    Ballot,
    Milestone,
    Project,
    ProjectSupervisor,
    ResidentRating,
    SiteVisit,
    SupervisionTask,
    TallyResult,
)
from tests.fuzz import strategies as s
from tests.fuzz.strategies import field as F
from tests.fuzz.strategies import many
from tests.fuzz.world import LOGIN_PASSWORD


@dataclass
class Endpoint:
    name: str
    role: str
    examples: int
    url: Any  # pools -> strategy of URLs
    data: Any = None  # pools -> strategy of form data
    files: Any = None  # pools -> strategy of {field: (filename, bytes)}
    watch: tuple = ()
    group: str = field(default="staff")


def urls(name, own, other=(), unknown=True):
    """The URL of an object in scope (three times out of four), of another body's object, or of no object."""
    def make(args):
        return reverse(name, args=args if isinstance(args, list | tuple) else [args])
    choices = [make(a) for a in own]
    outside = [make(a) for a in other]
    if unknown:
        outside.append(make([s.UNKNOWN_ID] * (len(own[0]) if isinstance(own[0], list | tuple) else 1)))
    return st.one_of(st.sampled_from(choices), st.sampled_from(choices), st.sampled_from(choices),
                     st.sampled_from(outside))


def none(p):
    return s.form({})


def open_form(p):
    """Naming the scrutineers when opening a poll."""
    return s.form({"scrutineers": F(s.plain("监票人甲\n监票人乙\n监票人丙", "甲\n乙")),
                   "threshold": F(s.choice([2, 3], bad=["1", "6", "0"]))})


def unseal_form(p, poll):
    """The scrutineers' cards: real ones of the poll (from the test's memory), or anything else."""
    from tests.ballot_box import CARDS

    cards = CARDS.get(poll.pk) or ["AAAA"]
    return s.form({f"share_{i}": F(s.plain(*cards)) for i in (1, 2, 3)})


def void_form(p):
    return s.form({"reason": F(s.plain("监票人密封卡遗失")), "confirm": F(s.boolean())})


def pks(*objs):
    return [o.pk for o in objs]


def attendee_ids(*meetings):
    return list(Attendee.objects.filter(meeting__in=meetings).values_list("pk", flat=True))


def text_fields(*names, good="合理的内容"):
    return {n: F(s.plain(good)) for n in names}


# --- uploads -----------------------------------------------------------------------

HEADERS = [str(label) for _key, label in COLUMNS]


def roster_row(p):
    """A row that imports, for the home body's community."""
    return ["居民甲", "女", "1985-03-02", "汉族", "CN", "bachelor", "resident", "masses", "13900000000", "是",
            p.h.community.code, "2015-01-01", "deliberation_deputy", timezone.localdate().isoformat()]


def roster_files(p):
    cell = st.one_of(st.sampled_from(["女", "CN", "bachelor", "resident", "masses", "是", "deliberation_deputy",
                                      p.h.community.code, p.a.community.code, "2015-01-01"]), s.junk)
    good = roster_row(p)
    row = st.one_of(st.just(good), st.lists(cell, min_size=0, max_size=16),
                    st.tuples(st.integers(0, len(good) - 1), cell).map(lambda t: good[:t[0]] + [t[1]] + good[t[0] + 1:]))
    header = st.one_of(st.just(HEADERS), st.lists(st.sampled_from(HEADERS + ["", "姓名", "x"]), max_size=16),
                       st.lists(s.text, max_size=5))

    def as_csv(parts):
        hdr, rows, bom = parts
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(hdr)
        for r in rows:
            writer.writerow(r)
        return (("\ufeff" if bom else "") + out.getvalue()).encode("utf-8", "surrogatepass")

    def as_xlsx(parts):
        # a spreadsheet cannot hold control characters: openpyxl refuses to write them
        def clean(values):
            return [ILLEGAL_CHARACTERS_RE.sub("", str(v)) for v in values]

        hdr, rows = clean(parts[0]), [clean(r) for r in parts[1]]
        width = len(hdr)
        ds = tablib.Dataset(headers=hdr) if width else tablib.Dataset()
        for r in rows:
            if width:
                ds.append((list(r) + [""] * width)[:width])
        return ds.export("xlsx")

    table = st.tuples(header, st.lists(row, max_size=4), st.booleans())
    good_rows = st.lists(st.sampled_from(["居民甲", "居民乙", "居民丙"]), min_size=1, max_size=3, unique=True).map(
        lambda names: [[n, *good[1:]] for n in names])
    good_table = st.tuples(st.just(HEADERS), good_rows, st.booleans())
    content = st.one_of(table.map(as_csv), table.map(as_xlsx), st.binary(max_size=300),
                        st.just(b"\x00" * 1000), st.just(b"PK\x03\x04" + b"\x00" * 200),
                        st.just(("姓名,性别\n" * 3).encode("gbk")))
    name = st.one_of(st.sampled_from(["roster.csv", "roster.xlsx", "ROSTER.CSV", "roster.txt", "roster",
                                      "名册.xlsx", "a" * 300 + ".csv", ".csv", "roster.csv.exe"]),
                     s.text.map(lambda t: t.replace("\x00", "") + ".csv"))
    good_file = st.one_of(st.tuples(st.just("名册.csv"), good_table.map(as_csv)),
                          st.tuples(st.just("roster.xlsx"), good_table.map(as_xlsx)))
    return st.one_of(st.fixed_dictionaries({"file": good_file}), st.fixed_dictionaries({"file": good_file}),
                     st.fixed_dictionaries({"file": st.tuples(name, content)}), st.just({}))


def roster_payloads(p):
    good = RosterRow(line=2, person_fields={
        "name": "居民乙", "gender": "F", "date_of_birth": datetime.date(1985, 3, 2), "ethnicity": "汉族",
        "nationality": "CN", "education": "bachelor", "sector": "resident", "affiliation": "masses", "phone": "",
        "is_community_worker": False, "area": p.h.community, "in_area_since": datetime.date(2015, 1, 1)},
        role="deliberation_deputy", start_date=timezone.localdate())
    rows = serialise_rows([good])
    payload = signing.dumps({"term": p.h.term.pk, "rows": rows}, salt=IMPORT_SALT, compress=True)
    away = signing.dumps({"term": p.a.term.pk, "rows": rows}, salt=IMPORT_SALT, compress=True)
    # signed by the server but not what it would ever sign: only someone with the key could send these
    odd = st.fixed_dictionaries({"term": st.one_of(st.just(p.h.term.pk), s.junk), "rows": st.one_of(
        st.just(rows), st.lists(st.dictionaries(s.text, s.junk, max_size=3), max_size=2), s.junk)}).map(
        lambda d: signing.dumps(d, salt=IMPORT_SALT, compress=True))
    tampered = st.tuples(st.integers(0, len(payload) - 1), st.sampled_from("0aZ:-_")).map(
        lambda t: payload[:t[0]] + t[1] + payload[t[0] + 1:])
    return s.form({"payload": s.Field(good=st.just(payload), bad=st.one_of(st.just(away), odd, tampered, s.junk))})


def attachments(p):
    content = st.one_of(st.binary(max_size=200), st.just(b"%PDF-1.4\n" + b"\x00" * 100))
    name = st.one_of(st.sampled_from(["photo.jpg", "报告.pdf", "a" * 300 + ".pdf", "x.exe", ".htaccess"]),
                     s.text.map(lambda t: (t.replace("\x00", "") or "f") + ".jpg"))
    return st.fixed_dictionaries({}, optional={"attachment": st.tuples(name, content)})


# --- the registry --------------------------------------------------------------------

def pools(w):
    """The ids and objects the strategies draw from, computed once per world."""
    if getattr(w, "_pools", None) is None:
        h, a = w.home, w.away
        fa_cands = list(h.for_against.candidates.values_list("pk", flat=True))
        w._pools = SimpleNamespace(
            h=h, a=a, e=h.e,
            ballot_cands=[c.pk for c in h.e.candidates], fa_cands=fa_cands,
            away_cands=[c.pk for c in a.e.candidates],
            all_people=pks(*h.people, *a.people),
            home_bodies=[h.body.pk, h.tied.poll.body_id], away_bodies=[a.body.pk],
            categories=[h.category.pk],
            divisions=[h.community.pk, h.sub.pk, h.district.pk, a.community.pk],
            opinions=pks(h.opinion, h.answered, a.opinion),
            meetings_home=[h.convening.pk, h.preparing.pk], meetings_away=[a.convening.pk, a.preparing.pk],
            attendees=attendee_ids(h.convening, h.preparing) + attendee_ids(a.convening),
            electors=list(Elector.objects.filter(poll__in=[h.e.ballot.poll, h.for_against.poll, a.e.ballot.poll])
                          .values_list("pk", flat=True)),
            projects_any=pks(h.proposed, h.appraisal, *h.draft_candidates, h.implementing, a.proposed),
            own_codes=[c for x in Attendee.objects.filter(meeting__in=[h.preparing, h.convening], person=h.people[0])
                       for c in (x.sign_in_code, x.sign_in_code.lower(), f" {x.sign_in_code} ")],
            other_codes=list(Attendee.objects.filter(meeting__in=[h.preparing, h.convening, a.convening]).exclude(
                person=h.people[0]).values_list("sign_in_code", flat=True)),
            tied_cands=list(h.tied.result.data["tied"]),
            untied_cands=list(h.tied.candidates.exclude(pk__in=h.tied.result.data["tied"]).values_list("pk", flat=True)),
            project_categories=list(Project.objects.values_list("category_id", flat=True).distinct()),
            polls_home=[h.draft.poll_id, h.survey.poll_id, h.grade_survey.poll_id, h.closed_survey.poll_id],
            polls_away=[a.e.ballot.poll_id, a.survey.poll_id, h.e.ballot.poll_id],
            supervisors=list(supervision.eligible_supervisors(h.implementing).values_list("pk", flat=True)),
        )
    return w._pools


# local times at the ends of the calendar: out of range once converted to UTC
EDGE_TIMES = ["0001-01-01T00:00", "0001-01-01 05:00:00", "9999-12-31T23:59:59"]


def ballot_fields(p):
    return {
        "title": F(s.plain("票决")), "year": F(s.integer(2025, 2030)),
        "method": F(s.choice(Ballot.Method.values)), "max_choices": F(s.integer(1, 3)),
        "seats": F(s.integer(1, 3)), "threshold": F(s.choice(Ballot.Threshold.values)),
        "tie_rule": F(s.choice(Ballot.TieRule.values)), "session": F(s.ids([p.h.session.pk], [p.a.session.pk])),
        "opens_at": s.Field(good=st.sampled_from(["2027-03-01T09:00", "2027-03-01 09:00:00", ""]),
                            bad=st.one_of(st.sampled_from(EDGE_TIMES), s.odd_dates)),
        "closes_at": s.Field(good=st.sampled_from(["2027-03-01T18:00", "2027-03-01 19:00:00", ""]),
                             bad=st.one_of(st.sampled_from(["2027-03-01T08:00", *EDGE_TIMES]), s.odd_dates)),
    }


def vote_fields(p):
    return {"approve": many(s.ids(p.ballot_cands, p.away_cands + p.fa_cands)),
            **{f"c{pk}": F(s.choice(["for", "against", "abstain"])) for pk in p.fa_cands}}


ENDPOINTS = [
    # --- public -----------------------------------------------------------------------
    Endpoint("login", "anonymous", 250, lambda p: st.just(reverse("login")), lambda p: s.form({
        "username": F(s.plain("fuzz-login", p.h.deputy.username, p.h.staff.username)),
        "password": F(s.plain(LOGIN_PASSWORD)), "next": F(s.plain("/", "/me/", "//evil.example/", "http://x.y/")),
    }), group="public"),
    Endpoint("logout", "anonymous", 40, lambda p: st.just(reverse("logout")), none, group="public"),
    Endpoint("set_language", "anonymous", 100, lambda p: st.just(reverse("set_language")), lambda p: s.form({
        "language": F(s.choice(["zh-hans", "en"], ["fr", "zh-Hans", "EN"])),
        "next": F(s.plain("/", "/opinions/new/", "//evil.example/", "javascript:alert(1)")),
    }), group="public"),
    Endpoint("elder_mode", "anonymous", 60, lambda p: st.just(reverse("elder_mode")), lambda p: s.form({
        "elder": F(s.choice(["1", "0"])),
        "next": F(s.plain("/", "/opinions/new/", "//evil.example/", "javascript:alert(1)")),
    }), group="public"),
    Endpoint("deputies:opinion_public", "anonymous", 350, lambda p: st.just(reverse("deputies:opinion_public")),
             lambda p: s.form({
                 "division": F(s.ids(p.divisions)), "category": F(s.ids(p.categories)),
                 "text": F(s.plain("小区门口的路灯坏了很久")), "resident_name": F(s.plain("王女士")),
                 "resident_contact": F(s.plain("13900000000")), "consent": F(s.boolean()),
                 "website": s.Field(good=st.sampled_from([s.MISSING, ""]), bad=s.junk),
             }), watch=(ResidentOpinion,), group="public"),
    Endpoint("deputies:opinion_track", "anonymous", 250, lambda p: st.one_of(
        st.just(reverse("deputies:opinion_track", args=[liaison.rating_token(p.h.answered)])),
        st.just(reverse("deputies:opinion_track", args=[liaison.rating_token(p.h.answered)])),
        st.just(reverse("deputies:opinion_track", args=[liaison.rating_token(p.h.opinion)])),
        s.text.filter(lambda t: t and "/" not in t and "\x00" not in t).map(
            lambda t: reverse("deputies:opinion_track", args=[t])),
    ), lambda p: s.form({"rating": F(s.choice([1, 2, 3, 4, 5], ["0", "6", "-1", "3.5"]))}),
        watch=(ResidentOpinion,), group="public"),
    Endpoint("projects:propose", "anonymous", 350, lambda p: st.just(reverse("projects:propose")),
             lambda p: s.form({
                 "body": F(s.ids(p.home_bodies, p.away_bodies, [p.h.finished.poll.body_id])),
                 "title": F(s.plain("增设停车位")), "category": F(s.ids(p.project_categories)),
                 "description": F(s.plain("小区停车难，希望增设停车位。")), "proposer_name": F(s.plain("李先生")),
                 "proposer_contact": F(s.plain("13900000000")), "consent": F(s.boolean()),
                 "website": s.Field(good=st.sampled_from([s.MISSING, ""]), bad=s.junk),
             }), watch=(Project,), group="public"),

    # --- the deputy's own pages ----------------------------------------------------------
    Endpoint("projects:vote", "deputy", 200,
             lambda p: urls("projects:vote", [p.e.ballot.pk, p.h.for_against.pk], [p.a.e.ballot.pk, p.h.draft.pk]),
             lambda p: s.form(vote_fields(p)), group="deputy"),
    Endpoint("meetings:sign_in", "deputy", 120,
             lambda p: urls("meetings:sign_in", [p.h.preparing.pk, p.h.convening.pk], p.meetings_away),
             lambda p: s.form({"code": s.Field(good=st.sampled_from(p.own_codes),
                                               bad=st.one_of(st.sampled_from(p.other_codes), s.junk))}),
             watch=(Attendee,), group="deputy"),
    Endpoint("meetings:score", "deputy", 200,
             lambda p: urls("meetings:score", [p.h.survey.pk, p.h.grade_survey.pk, p.h.closed_survey.pk],
                            [p.a.survey.pk]),
             lambda p: s.form({"value": F(s.integer(0, 100))}), group="deputy"),
    Endpoint("meetings:request_leave", "deputy", 100,
             lambda p: urls("meetings:request_leave", [p.h.preparing.pk, p.h.convening.pk], p.meetings_away),
             lambda p: s.form({"reason": F(s.plain("出差"))}), watch=(Attendee,), group="deputy"),
    Endpoint("deputies:suggestion_new", "deputy", 150, lambda p: st.just(reverse("deputies:suggestion_new")),
             lambda p: s.form({
                 "body": F(s.ids([p.h.body.pk], p.away_bodies)), "title": F(s.plain("关于增设停车位的建议")),
                 "text": F(s.plain("建议如下")), "co_authors": many(s.ids(pks(*p.h.people[1:]), pks(*p.a.people))),
                 "meeting": s.Field(good=st.sampled_from([s.MISSING, "", str(p.h.convening.pk)]),
                                    bad=s.ids([], [p.h.preparing.pk, *p.meetings_away]).bad),
             }), watch=(Suggestion,), group="deputy"),
    Endpoint("deputies:suggestion_evaluate", "deputy", 100,
             lambda p: urls("deputies:suggestion_evaluate", [p.h.answered_suggestion.pk],
                            [p.h.suggestion.pk, p.a.answered_suggestion.pk]),
             lambda p: s.form({"satisfaction": F(s.choice(Suggestion.Satisfaction.values))}),
             watch=(Suggestion,), group="deputy"),

    # --- staff: deputies, opinions, stations, suggestions ------------------------------------
    Endpoint("deputies:roster_import", "staff", 120,
             lambda p: urls("deputies:roster_import", [p.h.body.pk], [p.a.body.pk]),
             lambda p: s.form({"term": F(s.ids([p.h.term.pk], [p.a.term.pk]))}), files=roster_files),
    Endpoint("deputies:roster_import#confirm", "staff", 80,
             lambda p: urls("deputies:roster_import", [p.h.body.pk], [p.a.body.pk]), roster_payloads),
    Endpoint("deputies:opinion_new", "staff", 80, lambda p: st.just(reverse("deputies:opinion_new")),
             lambda p: s.form({
                 "division": F(s.ids(p.divisions)), "channel": F(s.choice(ResidentOpinion.Channel.values)),
                 "station": F(s.ids([p.h.station.pk], [p.a.station.pk])),
                 "taken_by": F(s.ids(pks(*p.h.people), pks(*p.a.people))), "category": F(s.ids(p.categories)),
                 **text_fields("text", "resident_name", "resident_contact"),
             })),
    Endpoint("deputies:opinion_act", "staff", 100,
             lambda p: urls("deputies:opinion_act", [p.h.opinion.pk, p.h.answered.pk], [p.a.opinion.pk]),
             lambda p: s.form({
                 "to": F(s.choice(ResidentOpinion.State.values)), "unit": F(s.plain("街道办")),
                 "due_date": F(s.date()), **text_fields("reason", "reply"),
             }), watch=(ResidentOpinion,)),
    Endpoint("deputies:station", "staff", 80, lambda p: urls("deputies:station", [p.h.station.pk], [p.a.station.pk]),
             lambda p: s.form({
                 "date": F(s.date()), "on_duty": many(s.ids(pks(*p.h.people[:2]), pks(*p.h.people[2:], *p.a.people))),
                 "residents": F(s.integer(0, 200)), "notes": F(s.plain("接待居民")),
             }), watch=(LiaisonStation, Reception)),
    Endpoint("deputies:walk_in", "staff", 80, lambda p: urls("deputies:walk_in", [p.h.station.pk], [p.a.station.pk]),
             lambda p: s.form({
                 "division": F(s.ids(p.divisions)), "category": F(s.ids(p.categories)),
                 "taken_by": F(s.ids(pks(*p.h.people), pks(*p.a.people))),
                 **text_fields("text", "resident_name", "resident_contact"),
             }), watch=(ResidentOpinion,)),
    Endpoint("deputies:suggestion", "staff", 80,
             lambda p: urls("deputies:suggestion", [p.h.suggestion.pk, p.h.answered_suggestion.pk],
                            [p.a.suggestion.pk]),
             lambda p: s.form({
                 "action": F(s.choice(["assign", "reply", "extension", "return"])), "unit": F(s.plain("建设局")),
                 "due_date": F(s.date()), "reply": F(s.plain("已办理")), "reason": F(s.plain("不属该单位职责")),
                 "main_unit": F(s.ids([p.h.unit.pk], [p.a.unit.pk])), "assisting": many(s.ids([p.h.unit.pk], [p.a.unit.pk])),
                 "confidential": F(s.boolean()), "extension": F(s.ids([s.UNKNOWN_ID])),
                 "decision": F(s.choice(["approve", "refuse"])), "note": F(s.plain("同意")),
             }), watch=(Suggestion,)),
    Endpoint("deputies:unit_suggestion", "unit", 100,
             lambda p: urls("deputies:unit_suggestion", [p.h.unit_suggestion.pk],
                            [p.h.suggestion.pk, p.a.unit_suggestion.pk]),
             lambda p: s.form({
                 "action": F(s.choice(["return", "reply", "extend"])), "reason": F(s.plain("不属本单位职责")),
                 "reply": F(s.plain("已办理")), "confidential": F(s.boolean()), "until": F(s.date()),
             }), watch=(Suggestion,), group="unit"),
    Endpoint("deputies:my_reports", "deputy", 100, lambda p: st.just(reverse("deputies:my_reports")),
             lambda p: s.form({
                 "body": F(s.ids([p.h.body.pk], p.away_bodies)), "kind": F(s.choice(REPORTED_KINDS, bad=["meeting"])),
                 "date": F(s.date()), "description": F(s.plain("视察河道")),
             }), files=lambda p: attachments(p).map(lambda d: {"photo": d["attachment"]} if d else {}),
             watch=(DutyReport,), group="deputy"),
    Endpoint("deputies:reports_review", "staff", 80, lambda p: st.just(reverse("deputies:reports_review")),
             lambda p: s.form({
                 f"d{p.h.duty_report.pk}": F(s.choice(["", "approve", "reject"])),
                 f"reason{p.h.duty_report.pk}": F(s.plain("无佐证")),
                 f"d{p.a.duty_report.pk}": F(s.choice(["approve", "reject"])),
             }), watch=(DutyReport,)),
    Endpoint("deputies:point_rules", "staff", 60,
             lambda p: urls("deputies:point_rules", [p.h.body.pk], [p.a.body.pk]),
             lambda p: s.form({k: F(s.integer(0, 100)) for k in PointKind.values}), watch=(PointRule,)),

    # --- staff: projects ---------------------------------------------------------------------
    Endpoint("projects:project_new", "staff", 100, lambda p: st.just(reverse("projects:project_new")),
             lambda p: s.form({
                 "body": F(s.ids(p.home_bodies, p.away_bodies)), "year": F(s.integer(2025, 2030)),
                 "category": F(s.ids([p.h.project_category.pk])),
                 "estimated_budget": s.Field(good=st.sampled_from(["12.5", "0", "9999999999.99", ""]),
                                             bad=st.one_of(st.sampled_from(["-1", "99999999999", "1e3", "0.001"]),
                                                           s.junk)),
                 "source": F(s.choice(Project.Source.values)),
                 **text_fields("title", "description", "responsible_unit", "source_detail", "proposer_name",
                               "proposer_contact"),
             })),
    Endpoint("projects:from_opinion", "staff", 60,
             lambda p: urls("projects:from_opinion", [p.h.opinion.pk, p.h.answered.pk], [p.a.opinion.pk]),
             lambda p: s.form({
                 "body": F(s.ids([p.h.body.pk], p.home_bodies[1:] + p.away_bodies)), "year": F(s.integer(2025, 2030)),
                 "title": F(s.plain("积水治理")), "category": F(s.ids([p.h.project_category.pk])),
             }), watch=(ResidentOpinion,)),
    Endpoint("projects:project_move", "staff", 80,
             lambda p: urls("projects:project_move", [p.h.proposed.pk, p.h.appraisal.pk, p.h.implementing.pk],
                            [p.a.proposed.pk]),
             lambda p: s.form({"to": s.choice(["appraisal", "candidate", "not_adopted", "completed", "evaluated"],
                                              Project.State.values),
                               "reason": s.plain("条件不具备")}),
             watch=(Project,)),
    Endpoint("projects:project_milestone", "staff", 60,
             lambda p: urls("projects:project_milestone", [p.h.implementing.pk, p.h.proposed.pk], [p.a.proposed.pk]),
             lambda p: s.form({"title": F(s.plain("竣工")), "due_date": F(s.date())}), watch=(Milestone,)),
    Endpoint("projects:milestone_done", "staff", 30,
             lambda p: urls("projects:milestone_done", [(p.h.implementing.pk, p.h.milestone.pk)],
                            [(p.h.proposed.pk, p.h.milestone.pk), (p.a.proposed.pk, p.h.milestone.pk)]),
             none, watch=(Milestone,)),
    Endpoint("projects:project_progress", "staff", 80,
             lambda p: urls("projects:project_progress", [p.h.implementing.pk, p.h.proposed.pk], [p.a.proposed.pk]),
             lambda p: s.form({"date": F(s.date()), "percent": F(s.integer(0, 100)),
                               "text": F(s.plain("已完成主体工程"))}),
             files=attachments, watch=(Project,)),

    # --- staff: ballots ------------------------------------------------------------------------
    Endpoint("projects:ballot_new", "staff", 120, lambda p: st.just(reverse("projects:ballot_new")),
             lambda p: s.form({"body": F(s.ids(p.home_bodies, p.away_bodies)), **ballot_fields(p)})),
    Endpoint("projects:ballot_rules", "staff", 100,
             lambda p: urls("projects:ballot_rules", [p.h.draft.pk, p.e.ballot.pk], [p.a.draft.pk]),
             lambda p: s.form(ballot_fields(p)), watch=(Ballot, SecretPoll)),
    Endpoint("projects:ballot_candidates", "staff", 80,
             lambda p: urls("projects:ballot_candidates", [p.h.draft.pk, p.e.ballot.pk], [p.a.draft.pk]),
             lambda p: s.form({"projects": many(s.ids(pks(*p.h.draft_candidates), p.projects_any))}),
             watch=(Project,)),
    *[Endpoint(f"projects:ballot_{action}", "staff", 25,
               lambda p, n=f"projects:ballot_{action}": urls(
                   n, [p.h.draft.pk, p.e.ballot.pk, p.h.tied.pk, p.h.finished.pk], [p.a.e.ballot.pk]),
               open_form if action == "open" else none, watch=(Ballot, SecretPoll, TallyResult))
      for action in ("open", "recount")],
    Endpoint("projects:ballot_unseal", "staff", 40,
             lambda p: urls("projects:ballot_unseal", [p.e.ballot.pk, p.h.tied.pk, p.h.draft.pk], [p.a.e.ballot.pk]),
             lambda p: unseal_form(p, p.e.ballot.poll), watch=(Ballot, SecretPoll)),
    Endpoint("projects:ballot_void", "staff", 30,
             lambda p: urls("projects:ballot_void", [p.e.ballot.pk, p.h.tied.pk, p.h.draft.pk], [p.a.e.ballot.pk]),
             void_form, watch=(Ballot, SecretPoll, TallyResult)),
    # the steps that cannot be undone: a confirmation, and a reason (close) or the scrutineers (certify)
    Endpoint("projects:ballot_close", "staff", 60,
             lambda p: urls("projects:ballot_close", [p.e.ballot.pk, p.h.for_against.pk, p.h.draft.pk, p.h.counted.pk],
                            [p.a.e.ballot.pk]),
             lambda p: s.form({"confirm": F(s.boolean()), "reason": F(s.plain("会议议程调整，提前结束"))}),
             watch=(Ballot, SecretPoll, TallyResult)),
    Endpoint("projects:ballot_certify", "staff", 60,
             lambda p: urls("projects:ballot_certify", [p.h.counted.pk, p.h.tied.pk, p.h.finished.pk, p.e.ballot.pk],
                            [p.a.e.ballot.pk]),
             lambda p: s.form({"confirm": F(s.boolean()),
                               "scrutineers": F(s.plain("王监票\n赵监票", "王监票、赵监票、钱监票", "王监票"))}),
             watch=(Ballot, SecretPoll, TallyResult, Project)),
    Endpoint("projects:ballot_tie", "staff", 80,
             lambda p: urls("projects:ballot_tie", [p.h.tied.pk, p.e.ballot.pk], [p.a.e.ballot.pk]),
             lambda p: s.form({
                 "candidates": many(s.ids(p.tied_cands, p.untied_cands + p.ballot_cands)),
                 "reason": F(s.plain("抽签决定")),
             }), watch=(Ballot, TallyResult)),
    Endpoint("projects:ballot_paper", "staff", 120,
             lambda p: urls("projects:ballot_paper", [p.e.ballot.pk, p.h.for_against.pk, p.h.draft.pk],
                            [p.a.e.ballot.pk]),
             lambda p: s.form({
                 "what": F(s.choice(["voters", "ballot"])), "electors": many(s.ids(p.electors)),
                 "status": F(s.choice(["valid", "blank", "invalid"])), **vote_fields(p),
             })),

    # --- staff: meetings -----------------------------------------------------------------------
    Endpoint("meetings:meeting_new", "staff", 100, lambda p: st.just(reverse("meetings:meeting_new")),
             lambda p: s.form({
                 "body": F(s.ids(p.home_bodies, p.away_bodies)), "session": F(s.ids([p.h.session.pk], [p.a.session.pk])),
                 "kind": F(s.choice(Meeting.Kind.values)), "date": F(s.date()),
                 **text_fields("title", "place"),
             })),
    Endpoint("meetings:transition", "staff", 60,
             lambda p: urls("meetings:transition", p.meetings_home, p.meetings_away),
             lambda p: s.form({"to": F(s.choice(Meeting.State.values))}), watch=(Meeting,)),
    Endpoint("meetings:agenda_add", "staff", 80,
             lambda p: urls("meetings:agenda_add", p.meetings_home, p.meetings_away),
             lambda p: s.form({
                 "kind": F(s.choice(AgendaItem.Kind.values)),
                 "ballot": s.Field(good=st.sampled_from([s.MISSING, s.MISSING, str(p.h.draft.pk)]),
                                   bad=s.ids([], [p.a.draft.pk, p.e.ballot.pk]).bad),
                 "projects": many(s.ids(p.projects_any)), **text_fields("title", "reporter", "reporting_unit"),
             }), watch=(Ballot, SecretPoll)),
    Endpoint("meetings:attendance", "staff", 80,
             lambda p: urls("meetings:attendance", p.meetings_home, p.meetings_away),
             lambda p: s.form({"attendee": F(s.ids(p.attendees)), "status": F(s.choice(Attendee.Status.values)),
                               "reason": F(s.plain("病假"))}), watch=(Attendee,)),
    Endpoint("meetings:open_ballot", "staff", 25,
             lambda p: urls("meetings:open_ballot", [(p.h.convening.pk, p.h.item.pk)],
                            [(p.h.preparing.pk, p.h.item.pk), (p.a.convening.pk, p.h.item.pk)]),
             open_form, watch=(Ballot, SecretPoll)),
    Endpoint("meetings:survey_create", "staff", 80,
             lambda p: urls("meetings:survey_create", p.meetings_home, p.meetings_away),
             lambda p: s.form({
                 "subject": F(s.plain("满意度")), "scale": F(s.choice(SatisfactionSurvey.Scale.values)),
                 "item": F(s.ids([p.h.item.pk])), "project": F(s.ids(p.projects_any)),
                 "bands": s.Field(good=st.sampled_from(["90,80,60", "90，80", "95", ""]),
                                  bad=st.one_of(st.sampled_from(["60,80", "0,50", "101", "90,90", ",,", "9" * 40]),
                                                st.lists(s.numbers, max_size=4).map(",".join), s.junk)),
             })),
    Endpoint("meetings:deliberation_opinion_send", "staff", 60,
             lambda p: urls("meetings:deliberation_opinion_send", p.meetings_home, p.meetings_away),
             lambda p: s.form({"text": F(s.plain("加快进度")), "unit": F(s.plain("建设局")), "due_date": F(s.date()),
                               "item": F(s.ids([p.h.item.pk]))})),
    Endpoint("meetings:inspection_add", "staff", 60,
             lambda p: urls("meetings:inspection_add", p.meetings_home, p.meetings_away),
             lambda p: s.form({"date": F(s.date()), "place": F(s.plain("某小区")), "findings": F(s.plain("积水")),
                               "participants": many(s.ids(p.attendees))})),
    Endpoint("meetings:group_add", "staff", 60, lambda p: urls("meetings:group_add", p.meetings_home, p.meetings_away),
             lambda p: s.form({"name": F(s.plain("第一组")), "members": many(s.ids(p.attendees))}),
             watch=(Attendee,)),
    Endpoint("meetings:deliberation_opinions_gather", "staff", 50,
             lambda p: urls("meetings:deliberation_opinions_gather", p.meetings_home, p.meetings_away),
             lambda p: s.form({"opinions": many(s.ids(p.opinions))})),
    Endpoint("meetings:deliberation_opinion_respond", "staff", 60,
             lambda p: urls("meetings:deliberation_opinion_respond", [(p.h.convening.pk, p.h.delib_opinion.pk)],
                            [(p.h.preparing.pk, p.h.delib_opinion.pk), (p.a.convening.pk, p.a.delib_opinion.pk)]),
             lambda p: s.form({"response": F(s.plain("已落实")), "close": F(s.boolean())}),
             watch=(DeliberationOpinion,)),
    *[Endpoint(f"meetings:{action}", "staff", 25,
               lambda p, n=f"meetings:{action}": urls(n, p.meetings_home, p.meetings_away),
               none, watch=(Meeting, Report))
      for action in ("report_request", "notices_send")],
    Endpoint("meetings:report_rebuild", "staff", 25,
             lambda p: urls("meetings:report_rebuild", [p.h.report.pk], [p.a.report.pk]), none, watch=(Report,)),
    Endpoint("meetings:survey_open", "staff", 25,
             lambda p: urls("meetings:survey_open", [p.h.survey.pk, p.h.closed_survey.pk], [p.a.survey.pk]),
             open_form, watch=(SecretPoll, SatisfactionSurvey)),
    Endpoint("meetings:survey_close", "staff", 50,
             lambda p: urls("meetings:survey_close", [p.h.survey.pk, p.h.grade_survey.pk, p.h.closed_survey.pk],
                            [p.a.survey.pk]),
             lambda p: s.form({"confirm": F(s.boolean()), "reason": F(s.plain("会议议程调整，提前结束"))}),
             watch=(SecretPoll, SatisfactionSurvey, Report)),
    Endpoint("meetings:survey_unseal", "staff", 40,
             lambda p: urls("meetings:survey_unseal", [p.h.survey.pk, p.h.closed_survey.pk], [p.a.survey.pk]),
             lambda p: unseal_form(p, p.h.survey.poll), watch=(SecretPoll, SatisfactionSurvey)),
    Endpoint("meetings:survey_void", "staff", 30,
             lambda p: urls("meetings:survey_void", [p.h.survey.pk, p.h.closed_survey.pk], [p.a.survey.pk]),
             void_form, watch=(SecretPoll, SatisfactionSurvey)),
    Endpoint("meetings:survey_paper", "staff", 100,
             lambda p: urls("meetings:survey_paper", [p.h.survey.pk, p.h.grade_survey.pk, p.h.closed_survey.pk],
                            [p.a.survey.pk]),
             lambda p: s.form({
                 "what": F(s.choice(["voters", "form"])), "people": many(s.ids(p.all_people)),
                 "status": F(s.choice(["valid", "blank", "invalid"])), "value": F(s.integer(0, 100)),
             })),
]

def poll_field(p):
    return s.ids(p.polls_home, p.polls_away)


def photos(p):
    content = st.one_of(st.binary(max_size=200), st.just(b"\xff\xd8\xff\xe0" + b"\x00" * 100),
                        st.just(b"%PDF-1.4\n" + b"\x00" * 100))
    name = st.one_of(st.sampled_from(["photo.jpg", "现场.png", "a" * 300 + ".jpg", "x.exe", ".htaccess"]),
                     s.text.map(lambda t: (t.replace("\x00", "") or "f") + ".jpg"))
    return st.fixed_dictionaries({}, optional={"photo": st.tuples(name, content)})


ENDPOINTS += [
    # --- staff: the chair's console and the hall screen's link ----------------------------------
    Endpoint("meetings:console_start", "staff", 60,
             lambda p: urls("meetings:console_start", p.meetings_home, p.meetings_away),
             lambda p: s.form({"poll": F(poll_field(p)), "minutes": F(s.choice([1, 2, 3, 5, 10, 15, 30], ["0", "4"])),
                               "scrutineers": F(s.plain("监票人甲\n监票人乙\n监票人丙", "甲\n乙")),
                               "threshold": F(s.choice([2, 3], bad=["1", "6", "0"]))}),
             watch=(Ballot, SecretPoll, SatisfactionSurvey)),
    Endpoint("meetings:console_extend", "staff", 50,
             lambda p: urls("meetings:console_extend", p.meetings_home, p.meetings_away),
             lambda p: s.form({"poll": F(poll_field(p)), "minutes": F(s.choice([1, 2, 3, 5], ["0", "4", "30"]))}),
             watch=(SecretPoll,)),
    Endpoint("meetings:console_announce", "staff", 40,
             lambda p: urls("meetings:console_announce", p.meetings_home, p.meetings_away),
             lambda p: s.form({"poll": F(poll_field(p))}), watch=(SecretPoll,)),
    Endpoint("meetings:console_rules", "staff", 50,
             lambda p: urls("meetings:console_rules", p.meetings_home, p.meetings_away),
             lambda p: s.form({"poll": F(poll_field(p)), "present_only": F(s.boolean()),
                               "hall_result": F(s.choice(SecretPoll.HallResult.values))}), watch=(SecretPoll,)),
    Endpoint("meetings:console_attendance", "staff", 60,
             lambda p: urls("meetings:console_attendance", p.meetings_home, p.meetings_away),
             lambda p: s.form({"attendee": F(s.ids(p.attendees)), "status": F(s.choice(Attendee.Status.values)),
                               "reason": F(s.plain("病假"))}), watch=(Attendee,)),
    Endpoint("meetings:screen_link", "staff", 30,
             lambda p: urls("meetings:screen_link", p.meetings_home, p.meetings_away),
             lambda p: s.form({"what": F(s.choice(["revoke", "new"]))}), watch=(Meeting,)),
    Endpoint("meetings:year_end_evaluation", "staff", 40,
             lambda p: urls("meetings:year_end_evaluation", [p.h.evaluation.pk, p.h.evaluation.pk, p.h.convening.pk], p.meetings_away),
             lambda p: s.form({"year": F(s.integer(p.h.implementing.year, p.h.implementing.year))}), watch=(SatisfactionSurvey, SecretPoll)),
    # --- staff: run-offs and supervision -------------------------------------------------------
    Endpoint("projects:ballot_runoff", "staff", 25,
             lambda p: urls("projects:ballot_runoff", [p.h.tied.pk, p.h.finished.pk, p.h.counted.pk, p.e.ballot.pk],
                            [p.a.e.ballot.pk]), none, watch=(Ballot, SecretPoll, TallyResult)),
    Endpoint("projects:project_supervisors", "staff", 60,
             lambda p: urls("projects:project_supervisors", [p.h.implementing.pk, p.h.proposed.pk], [p.a.proposed.pk]),
             lambda p: s.form({"presidium": F(s.ids(p.supervisors, p.all_people)),
                               "deputies": many(s.ids(p.supervisors, p.all_people))}), watch=(ProjectSupervisor,)),
    Endpoint("projects:task_close", "staff", 50,
             lambda p: urls("projects:task_close", [(p.h.implementing.pk, p.h.task.pk)],
                            [(p.h.proposed.pk, p.h.task.pk), (p.a.proposed.pk, p.h.task.pk)]),
             lambda p: s.form({"outcome": F(s.plain("已整改"))}), watch=(SupervisionTask,)),
    Endpoint("projects:public", "anonymous", 80,
             lambda p: urls("projects:public", [p.h.implementing.pk], [p.h.proposed.pk, p.a.proposed.pk]),
             lambda p: s.form({"stars": F(s.choice([1, 2, 3, 4, 5], ["0", "6", "-1", "3.5"])),
                               "comment": F(s.plain("进度很快")),
                               "website": s.Field(good=st.sampled_from([s.MISSING, ""]), bad=s.junk)}),
             watch=(ResidentRating,), group="public"),
    Endpoint("projects:site_visit", "deputy", 80,
             lambda p: urls("projects:site_visit", [p.h.implementing.pk], [p.h.proposed.pk, p.a.proposed.pk]),
             lambda p: s.form({"date": F(s.date()), "findings": F(s.plain("已开工"))}), photos,
             watch=(SiteVisit,), group="deputy"),
]
REGISTRY = {ep.name: ep for ep in ENDPOINTS}


# --- pages that take no submission, only a query string (filters, a year, a format) ---------------------------

@dataclass
class Page:
    name: str
    role: str
    url: Any  # pools -> strategy of URLs
    params: tuple = ()  # the query parameters the view reads
    examples: int = 20
    audited: bool = False  # each download writes an audit row (the scrutineers' verification bundles)


def _fmt(name, objects):
    """An export URL: an object in scope or not, and a format that exists or not."""
    return lambda p: st.tuples(st.sampled_from(objects(p)), st.sampled_from(["csv", "xlsx", "pdf", "CSV", "x"])
                               ).map(lambda t: reverse(name, args=list(t)))


def _token_urls(name, good_token):
    """A receipt or tracking page: its good token, or any text in its place (404)."""
    return st.one_of(st.just(reverse(name, args=[good_token])),
                     s.text.filter(lambda t: t and "/" not in t and "\x00" not in t).map(
                         lambda t: reverse(name, args=[t])))


def just(name):
    return lambda p: st.just(reverse(name))


PAGES = [
    Page("home", "anonymous", just("home")), Page("healthz", "anonymous", just("healthz")),
    Page("deputies:me", "deputy", just("deputies:me")),
    Page("deputies:bodies", "staff", just("deputies:bodies")),
    Page("deputies:body", "staff", lambda p: urls("deputies:body", [p.h.body.pk], [p.a.body.pk]), ("term",)),
    Page("deputies:composition_export", "staff", _fmt("deputies:composition_export", lambda p: [p.h.body.pk, p.a.body.pk]),
         ("term",)),
    Page("deputies:roster_export", "staff", _fmt("deputies:roster_export", lambda p: [p.h.body.pk, p.a.body.pk]), ("term",)),
    Page("deputies:opinions", "staff", just("deputies:opinions"), ("state", "category", "overdue")),
    Page("deputies:opinion", "staff", lambda p: urls("deputies:opinion", p.opinions[:2], p.opinions[2:])),
    Page("deputies:stations", "staff", just("deputies:stations")),
    Page("deputies:walk_in_receipt", "staff", lambda p: urls(
        "deputies:walk_in_receipt", [[p.h.station.pk, o] for o in p.opinions], [[p.a.station.pk, p.a.opinion.pk]])),
    Page("deputies:my_suggestions", "deputy", just("deputies:my_suggestions")),
    Page("deputies:suggestions", "staff", just("deputies:suggestions"), ("state",)),
    Page("deputies:public_replies", "anonymous", just("deputies:public_replies")),
    Page("deputies:unit_queue", "unit", just("deputies:unit_queue")),
    Page("projects:unit_tasks", "unit", just("projects:unit_tasks")),
    Page("deputies:my_report_photo", "deputy", lambda p: urls("deputies:my_report_photo", [p.h.duty_report.pk],
                                                              [p.a.duty_report.pk])),
    Page("deputies:report_photo", "staff", lambda p: urls("deputies:report_photo", [p.h.duty_report.pk],
                                                          [p.a.duty_report.pk])),
    Page("meetings:quarterly_points", "deputy", lambda p: urls(
        "meetings:quarterly_points", [[p.h.body.pk, 2026, 4], [p.h.body.pk, 1999, 1], [p.h.body.pk, 2026, 9]],
        [[p.a.body.pk, 2026, 4]]), ("format",)),
    Page("projects:propose_thanks", "anonymous", lambda p: _token_urls(
        "projects:propose_thanks", project_services.proposal_token(p.h.proposed)), examples=5),
    Page("projects:propose_track", "anonymous", lambda p: _token_urls(
        "projects:propose_track", project_services.proposal_token(p.h.proposed)), examples=5),
    Page("deputies:opinion_thanks", "anonymous", lambda p: _token_urls(
        "deputies:opinion_thanks", liaison.rating_token(p.h.opinion)), examples=5),
    Page("projects:my_ballots", "deputy", just("projects:my_ballots")),
    Page("projects:result", "anonymous", lambda p: urls("projects:result", [p.h.finished.pk], [p.e.ballot.pk])),
    Page("projects:result_print", "anonymous",
         lambda p: urls("projects:result_print", [p.h.finished.pk], [p.e.ballot.pk])),
    Page("projects:result_export", "anonymous", _fmt("projects:result_export",
                                                     lambda p: [p.h.finished.pk, p.e.ballot.pk, s.UNKNOWN_ID])),
    Page("projects:projects", "staff", just("projects:projects"), ("body", "year", "category", "state", "level", "q")),
    Page("projects:project", "staff", lambda p: urls("projects:project", p.projects_any[:-1], p.projects_any[-1:])),
    Page("projects:progress_attachment", "staff", lambda p: urls(
        "projects:progress_attachment", [[p.h.implementing.pk, 1], [p.h.implementing.pk, s.UNKNOWN_ID]],
        [[p.a.proposed.pk, 1]])),
    Page("projects:ballots", "staff", just("projects:ballots")),
    Page("projects:ballot", "staff", lambda p: urls("projects:ballot", [p.h.draft.pk, p.e.ballot.pk, p.h.tied.pk,
                                                                         p.h.finished.pk], [p.a.e.ballot.pk])),
    Page("meetings:my_meetings", "deputy", just("meetings:my_meetings")),
    Page("meetings:meetings", "staff", just("meetings:meetings")),
    Page("meetings:meeting", "staff", lambda p: urls("meetings:meeting", p.meetings_home, p.meetings_away)),
    Page("meetings:sign_in_sheet", "staff", lambda p: urls("meetings:sign_in_sheet", [p.h.preparing.pk],
                                                           p.meetings_away), examples=3),
    Page("meetings:paper_forms", "staff", lambda p: urls("meetings:paper_forms", [p.h.convening.pk], p.meetings_away),
         examples=3),
    Page("meetings:report_download", "staff", lambda p: urls("meetings:report_download", [p.h.report.pk],
                                                             [p.a.report.pk])),
    Page("meetings:survey_report", "staff", lambda p: urls("meetings:survey_report", [p.h.survey.pk], [p.a.survey.pk])),
    Page("overview:my_record", "deputy", just("overview:my_record"), ("year", "format")),
    Page("overview:duty_record", "staff", lambda p: urls("overview:duty_record", pks(*p.h.people), pks(*p.a.people)),
         ("year", "format")),
    Page("overview:dashboard", "staff", just("overview:dashboard"), ("division",)),
]

def _screen(name):
    return lambda p: _token_urls(name, p.h.convening.screen_token)


PAGES += [
    *[Page(f"meetings:{n}", "staff", lambda p, n=f"meetings:{n}": urls(n, p.meetings_home, p.meetings_away),
           examples=5) for n in ("console", "console_state", "console_events")],
    *[Page(f"meetings:{n}", "anonymous", _screen(f"meetings:{n}"), examples=5)
      for n in ("hall_screen", "hall_state", "hall_events")],
    Page("meetings:survey_verification", "staff", lambda p: urls(
        "meetings:survey_verification", [p.h.survey.pk, p.h.closed_survey.pk], [p.a.survey.pk]), examples=5, audited=True),
    Page("projects:ballot_verification", "staff", lambda p: urls(
        "projects:ballot_verification", [p.e.ballot.pk, p.h.tied.pk, p.h.finished.pk, p.h.draft.pk],
        [p.a.e.ballot.pk]), examples=5, audited=True),
    Page("projects:board", "staff", just("projects:board"), ("body",)),
    Page("projects:board_print", "staff", lambda p: urls("projects:board_print", [
        [p.h.implementing.body_id, "A4"], [p.h.implementing.body_id, "A3"], [p.h.body.pk, "A4"],
        [p.h.body.pk, "a4"]], [[p.a.body.pk, "A4"]], unknown=False), examples=4),
    Page("projects:project_code", "staff", lambda p: urls(
        "projects:project_code", [p.h.implementing.pk, p.h.proposed.pk], [p.a.proposed.pk]), examples=4),
    Page("projects:public_photo", "anonymous", lambda p: urls(
        "projects:public_photo", [[p.h.implementing.pk, 1]], [[p.h.proposed.pk, 1]]), examples=5),
    Page("projects:ratings_export", "staff", _fmt("projects:ratings_export",
                                                  lambda p: [p.h.implementing.pk, p.a.proposed.pk, s.UNKNOWN_ID])),
    Page("projects:site_visit_photo", "staff", lambda p: urls(
        "projects:site_visit_photo", [[p.h.implementing.pk, 1]], [[p.a.proposed.pk, 1]]), examples=5),
]
GET_ONLY = {page.name for page in PAGES}


def url_name(endpoint_name: str) -> str:
    return endpoint_name.split("#")[0]


