"""Every write of the livelihood-project pipeline and its ballots."""

from __future__ import annotations

import datetime
import hashlib
import json

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from congress import polls, safeguards, verification, workflows
from congress.models import CongressBody, SecretPoll
from congress.queue import send_after_commit
from congress.services import audit_record, snapshot
from congress.tracking import new_reference
from deputies.models import Mandate, Person
from deputies.rules import SEAT_ROLES
from projects import supervision, tallying
from projects.models import (
    Ballot,
    BallotCandidate,
    Category,
    Milestone,
    ProgressReport,
    Project,
    TallyResult,
)


class ProjectError(ValidationError):
    pass


# --- the pipeline ------------------------------------------------------------

def project_transition(*, project: Project, to: str, acting_user=None, reason: str = "") -> Project:
    """The one way a project changes state: checks the table, records the move."""
    workflows.check(project, to, error=ProjectError)
    if to in Project.NEEDS_REASON and not reason.strip():
        raise ProjectError(_("Give the reason why the project is not adopted."))
    if reason:
        project.state_reason = reason.strip()[:300]
    workflows.transition(project, to, actor=acting_user, note=reason, also=["state_reason"], error=ProjectError)
    return project


PROJECT_FIELDS = ("body", "year", "title", "category", "description", "estimated_budget", "responsible_unit",
                  "handling_unit", "source", "source_detail", "proposer_name", "proposer_contact", "opinion")


def _name_unit(project: Project) -> None:
    """A project's handling unit belongs to its body; the unit's name is then the project's responsible unit (the
    free text remains only for projects without one)."""
    unit = project.handling_unit
    if unit is None:
        return
    if unit.body_id != project.body_id:
        raise ProjectError(_("The handling unit belongs to another body."))
    project.responsible_unit = unit.name


@transaction.atomic
def project_propose(*, acting_user=None, **fields) -> Project:
    unknown = set(fields) - set(PROJECT_FIELDS)
    if unknown:
        raise ValueError(f"project_propose got unknown fields {sorted(unknown)}")
    project = Project(reference=new_reference(PROPOSAL_PREFIX), **fields)
    _name_unit(project)
    project.full_clean()
    project.save()
    workflows.record(project, from_state="", actor=acting_user, note=project.get_source_display())
    audit_record(actor=acting_user, action="project.propose", obj=project, division=project.body.division,
                 after=snapshot(project, fields=["title", "year", "source"]))
    return project


PROPOSAL_PREFIX = "MS"  # 民生
PROPOSAL_SALT = "projects.proposal-track"


def proposal_token(project: Project) -> str:
    """What the proposer keeps to follow the proposal (no account needed)."""
    return signing.dumps(project.reference, salt=PROPOSAL_SALT)


def proposal_for_token(token: str) -> Project | None:
    try:
        reference = signing.loads(token, salt=PROPOSAL_SALT)
    except signing.BadSignature:
        return None
    return Project.objects.select_related("body").filter(reference=reference).first() if reference else None


@transaction.atomic
def project_from_opinion(*, opinion, body: CongressBody, year: int, title: str, category: Category,
                         acting_user=None) -> Project:
    """Turn a resident's opinion into a livelihood-project proposal; the link is kept both ways."""
    if not opinion.division.path.startswith(body.division.path):
        raise ProjectError(_("The opinion was raised outside this body's division."))
    return project_propose(body=body, year=year, title=title, category=category, description=opinion.text,
                           source=Project.Source.OPINION, source_detail=opinion.reference, opinion=opinion,
                           acting_user=acting_user)


@transaction.atomic
def project_update(*, project: Project, acting_user=None, **fields) -> Project:
    allowed = {"title", "category", "description", "estimated_budget", "responsible_unit", "handling_unit",
               "source_detail", "budget", "planned_completion", "planned_start", "unit_email"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValueError(f"project_update cannot change {sorted(unknown)}")
    if project.state in (Project.State.ON_BALLOT,) and {"title", "description"} & set(fields):
        raise ProjectError(_("A project on an open ballot cannot be renamed or redescribed."))
    before = snapshot(project)
    for k, v in fields.items():
        setattr(project, k, v)
    _name_unit(project)
    project.full_clean()
    project.save()
    audit_record(actor=acting_user, action="project.update", obj=project, division=project.body.division,
                 before=before, after=snapshot(project))
    if {"planned_start", "planned_completion"} & set(fields):  # a new plan: the colour measures against it
        return supervision.project_recolour(project=project, acting_user=acting_user)
    return project


@transaction.atomic
def project_move(*, project: Project, to: str, acting_user=None, reason: str = "") -> Project:
    """A staff move (appraisal, candidate, not adopted, completed, evaluated). Ballot moves are the ballot's."""
    if to in (Project.State.ON_BALLOT, Project.State.SELECTED, Project.State.NOT_SELECTED,
              Project.State.IMPLEMENTATION):
        raise ProjectError(_("This change happens through the ballot, not by hand."))
    project = Project.objects.select_for_update().get(pk=project.pk)
    project_transition(project=project, to=to, acting_user=acting_user, reason=reason)
    audit_record(actor=acting_user, action="project.move", obj=project, division=project.body.division,
                 after={"state": to, "reason": reason})
    return supervision.project_recolour(project=project, acting_user=acting_user)


# --- ballots -------------------------------------------------------------------

@transaction.atomic
def ballot_create(*, body: CongressBody, title: str, year: int, seats: int, method: str = Ballot.Method.APPROVE_UP_TO,
                  max_choices: int | None = None, threshold: str = Ballot.Threshold.NONE,
                  tie_rule: str = Ballot.TieRule.INCLUDE_ALL, session=None, opens_at=None, closes_at=None,
                  acting_user=None) -> Ballot:
    if method == Ballot.Method.APPROVE_UP_TO and not max_choices:
        max_choices = seats
    if method == Ballot.Method.FOR_AGAINST:
        max_choices = None
    if session is not None and session.term.body_id != body.pk:
        raise ProjectError(_("The session belongs to another body."))
    poll = SecretPoll(body=body, purpose=SecretPoll.Purpose.PROJECT_BALLOT, title=title, opens_at=opens_at,
                      closes_at=closes_at)
    poll.full_clean()
    poll.save()
    ballot = Ballot(poll=poll, session=session, year=year, method=method, max_choices=max_choices, seats=seats,
                    threshold=threshold, tie_rule=tie_rule)
    ballot.full_clean()
    ballot.save()
    audit_record(actor=acting_user, action="ballot.create", obj=poll, division=body.division,
                 after=snapshot(ballot, fields=["year", "method", "max_choices", "seats", "threshold", "tie_rule"]))
    return ballot


@transaction.atomic
def ballot_runoff_create(*, ballot: Ballot, opens_at=None, closes_at=None, acting_user=None) -> Ballot:
    """The next round of a certified ballot whose tie at the cut-off goes to a run-off (the Election Law's practice).

    A new ballot, linked to this one as its previous round, among only the projects tied at the cut-off, for the
    seats left; approve up to that many, no threshold. It opens like any ballot, with its own electorate
    snapshot and its own sealed box; the previous round's result is never touched.
    """
    ballot = Ballot.objects.select_for_update(of=("self",)).select_related("poll__body__division").get(pk=ballot.pk)
    result = TallyResult.objects.filter(ballot=ballot).first()
    if ballot.tie_rule != Ballot.TieRule.RUNOFF:
        raise ProjectError(_("This ballot does not resolve ties by a run-off round."))
    if ballot.poll.state != SecretPoll.State.CERTIFIED or result is None:
        raise ProjectError(_("Certify this round first: the run-off follows its announced result."))
    if not result.data.get("tied"):
        raise ProjectError(_("There is no tie at the cut-off: no run-off is needed."))
    if Ballot.objects.filter(previous_round=ballot).exists():
        raise ProjectError(_("The run-off round of this ballot already exists."))
    seats = result.data["open_seats_in_tie"]
    tied = list(ballot.candidates.filter(pk__in=result.data["tied"]).select_related("project").order_by("position"))
    round_number = ballot.round_number + 1
    title = _("%(title)s (round %(n)s)") % {"title": ballot.poll.title, "n": round_number}
    poll = SecretPoll(body=ballot.poll.body, purpose=SecretPoll.Purpose.PROJECT_BALLOT, title=title[:200],
                      opens_at=opens_at, closes_at=closes_at, requires_quorum=ballot.poll.requires_quorum)
    poll.full_clean()
    poll.save()
    runoff = Ballot(poll=poll, session=ballot.session, year=ballot.year, method=Ballot.Method.APPROVE_UP_TO,
                    max_choices=seats, seats=seats, threshold=Ballot.Threshold.NONE, tie_rule=Ballot.TieRule.RUNOFF,
                    previous_round=ballot, round_number=round_number)
    runoff.full_clean()
    runoff.save()
    BallotCandidate.objects.bulk_create(
        [BallotCandidate(ballot=runoff, project=c.project, position=i) for i, c in enumerate(tied)])
    audit_record(actor=acting_user, action="ballot.runoff_create", obj=poll, division=ballot.body.division,
                 after={"previous_round": ballot.pk, "round": round_number, "seats": seats,
                        "projects": [c.project_id for c in tied]})
    return runoff


def _require_draft(ballot: Ballot) -> None:
    if ballot.poll.state != SecretPoll.State.DRAFT:
        raise ProjectError(_("The ballot has opened: its rules and candidates can no longer change."))


@transaction.atomic
def ballot_update_rules(*, ballot: Ballot, acting_user=None, **fields) -> Ballot:
    ballot = Ballot.objects.select_for_update().select_related("poll").get(pk=ballot.pk)
    _require_draft(ballot)
    before = snapshot(ballot)
    poll_fields = {k: fields.pop(k) for k in ("title", "opens_at", "closes_at") if k in fields}
    allowed = {"method", "max_choices", "seats", "threshold", "tie_rule", "session", "year"}
    if set(fields) - allowed:
        raise ValueError(f"ballot_update_rules cannot change {sorted(set(fields) - allowed)}")
    if ballot.is_runoff and "seats" in fields and fields["seats"] != ballot.seats:
        raise ProjectError(_("A run-off round is for the seats left by the previous round: %(n)s.")
                           % {"n": ballot.seats})
    for k, v in fields.items():
        setattr(ballot, k, v)
    for k, v in poll_fields.items():
        setattr(ballot.poll, k, v)
    ballot.poll.full_clean()
    ballot.poll.save()
    ballot.full_clean()
    ballot.save()
    audit_record(actor=acting_user, action="ballot.update_rules", obj=ballot.poll, division=ballot.body.division,
                 before=before, after=snapshot(ballot))
    return ballot


@transaction.atomic
def ballot_set_candidates(*, ballot: Ballot, projects: list[Project], acting_user=None) -> list[BallotCandidate]:
    ballot = Ballot.objects.select_for_update().select_related("poll").get(pk=ballot.pk)
    _require_draft(ballot)
    if ballot.is_runoff:
        raise ProjectError(_("The candidates of a run-off round are the projects tied in the previous round."))
    fresh = Project.objects.select_for_update().in_bulk([p.pk for p in projects])
    projects = [fresh[p.pk] for p in projects]
    if len(projects) > SecretPoll.MAX_OPTIONS:
        raise ProjectError(_("A ballot lists at most %(n)s projects.") % {"n": SecretPoll.MAX_OPTIONS})
    wrong = [p for p in projects if p.body_id != ballot.poll.body_id or p.state != Project.State.CANDIDATE]
    if wrong:
        raise ProjectError(
            _("Only candidate projects of this body can go on the ballot: %(titles)s.")
            % {"titles": ", ".join(p.title for p in wrong)}
        )
    if len({p.pk for p in projects}) != len(projects):
        raise ProjectError(_("A project is listed twice."))
    ballot.candidates.all().delete()
    created = BallotCandidate.objects.bulk_create(
        [BallotCandidate(ballot=ballot, project=p, position=i) for i, p in enumerate(projects)]
    )
    audit_record(actor=acting_user, action="ballot.set_candidates", obj=ballot.poll, division=ballot.body.division,
                 after={"projects": [p.pk for p in projects]})
    return created


def electorate_for(ballot: Ballot, on_date: datetime.date):
    """The deputies holding a voting mandate in the ballot's body on the date (fixed attendees if the body says so)."""
    roles = list(SEAT_ROLES)
    if ballot.poll.body.fixed_attendees_vote:
        roles.append(Mandate.Role.FIXED_ATTENDEE)
    mandates = Mandate.objects.filter(term__body=ballot.poll.body, role__in=roles,
                                      term__start_date__lte=on_date, term__end_date__gte=on_date).active_on(on_date)
    seated = mandates.filter(role__in=SEAT_ROLES).values("person").distinct().count()
    people = Person.objects.filter(pk__in=mandates.values("person")).order_by("pk")
    return people, seated


@transaction.atomic
def ballot_open(*, ballot: Ballot, scrutineers=None, threshold=None, acting_user=None, now=None,
                quorum=None) -> Ballot:
    """Open voting and seal the box. `ballot.poll.share_cards` holds the scrutineers' cards, in memory only."""
    ballot = Ballot.objects.select_for_update().select_related("poll__body__division").get(pk=ballot.pk)
    _require_draft(ballot)
    candidates = list(ballot.candidates.select_related("project"))
    if len(candidates) < 1:
        raise ProjectError(_("Put candidate projects on the ballot before opening it."))
    if ballot.method == Ballot.Method.APPROVE_UP_TO and ballot.max_choices > len(candidates):
        raise ProjectError(_("N is larger than the number of candidates."))
    if ballot.seats > len(candidates):
        raise ProjectError(_("More projects to adopt than candidates on the ballot."))
    now = now or timezone.now()
    people, seated = electorate_for(ballot, timezone.localdate(now))
    ballot.fixed_attendees_vote = ballot.poll.body.fixed_attendees_vote
    ballot.save(update_fields=["fixed_attendees_vote"])
    ballot.poll = polls.poll_open(poll=ballot.poll, electors=people, seated_count=seated, scrutineers=scrutineers,
                                  threshold=threshold, acting_user=acting_user, quorum=quorum)
    for c in candidates:
        if ballot.is_runoff and c.project.state == Project.State.ON_BALLOT:
            continue  # still on the ballot since the previous round's tie
        project_transition(project=c.project, to=Project.State.ON_BALLOT, acting_user=acting_user,
                           reason=ballot.poll.title)
    return ballot


def ballot_contents(ballot: Ballot, choices: dict) -> polls.Contents:
    """Turn a deputy's form choices into ballot contents, or refuse the whole ballot.

    choices: for APPROVE_UP_TO {"approve": [candidate ids]}; for FOR_AGAINST
    {candidate id: "for" | "against" | "abstain"} covering every candidate.
    """
    positions = {c.pk: c.position for c in ballot.candidates.all()}  # the prefetched candidates, if any
    if ballot.method == Ballot.Method.APPROVE_UP_TO:
        chosen = choices.get("approve", [])
        if any(c not in positions for c in chosen):
            raise ProjectError(_("A chosen project is not on this ballot. Nothing was recorded."))
        if len(set(chosen)) != len(chosen):
            raise ProjectError(_("A project was chosen twice. Nothing was recorded."))
        if len(chosen) > ballot.max_choices:
            raise ProjectError(
                _("You may choose at most %(n)s projects; you chose %(k)s. Nothing was recorded.")
                % {"n": ballot.max_choices, "k": len(chosen)}
            )
        if not chosen:
            return polls.Contents(status="blank")
        mask = 0
        for c in chosen:
            mask |= 1 << positions[c]
        return polls.Contents(approvals=mask)
    extra = set(choices) - set(positions)
    if extra:
        raise ProjectError(_("A chosen project is not on this ballot. Nothing was recorded."))
    missing = set(positions) - set(choices)
    if missing:
        raise ProjectError(_("Choose for, against or abstain on every project. Nothing was recorded."))
    masks = {"for": 0, "against": 0, "abstain": 0}
    for cid, choice in choices.items():
        if choice not in masks:
            raise ProjectError(_("Choose for, against or abstain on every project. Nothing was recorded."))
        masks[choice] |= 1 << positions[cid]
    return polls.Contents(approvals=masks["for"], rejections=masks["against"], abstentions=masks["abstain"])


def ballot_rules_check(ballot: Ballot):
    """The frozen rules, as a check of an opened ballot's contents (one that fails counts as invalid)."""
    n = ballot.candidates.count()
    every = (1 << n) - 1

    def check(c: polls.Contents) -> bool:
        if c.score is not None or (c.approvals | c.rejections | c.abstentions) & ~every:
            return False
        if ballot.method == Ballot.Method.APPROVE_UP_TO:
            chosen = c.approvals.bit_count()
            blank = c.status == "blank"
            return (not c.rejections and not c.abstentions and chosen <= ballot.max_choices
                    and (chosen == 0) == blank)
        disjoint = not (c.approvals & c.rejections or c.approvals & c.abstentions or c.rejections & c.abstentions)
        return c.status == "valid" and disjoint and (c.approvals | c.rejections | c.abstentions) == every

    return check


def ballot_vote(*, ballot: Ballot, person=None, choices: dict, now=None, user_id: int | None = None,
                signed_in: polls.SignedIn | None = None) -> polls.Receipt:
    """A deputy's web ballot, sealed. Returns the receipt (the tracker); refuses whole on any broken rule.

    With `user_id` (the vote page, with the ballot as `selectors.ballot_for_casting` keeps it) the ballot is stored
    by one statement that also finds the elector; refusals are `polls.CastRefused` with a reason (STALE: the poll
    was opened again since the ballot was loaded: load it again). With `signed_in` (a cast pass) the statement also
    checks that the session still holds (else SIGNED_OUT).
    """
    contents = ballot_contents(ballot, choices)
    if user_id is not None:
        return polls.cast(poll=ballot.poll, user_id=user_id, contents=contents, now=now, signed_in=signed_in)
    return polls.poll_cast_web(poll=ballot.poll, person=person, contents=contents, now=now)


@transaction.atomic
def ballot_enter_paper(*, ballot: Ballot, status: str, choices: dict | None = None, acting_user=None) -> None:
    if status == "valid":
        contents = ballot_contents(ballot, choices or {})
    elif status in ("invalid", "blank"):
        contents = polls.Contents(status=status)
    else:
        raise ProjectError(_("Say whether the paper ballot is valid, blank or invalid."))
    polls.poll_cast_paper(poll=ballot.poll, contents=contents, acting_user=acting_user)
    # who entered a paper ballot, and when; never what it said (nor whether it was valid)
    audit_record(actor=acting_user, action="ballot.enter_paper", obj=ballot.poll, division=ballot.body.division)


@transaction.atomic
def ballot_close(*, ballot: Ballot, acting_user=None, now=None, reason: str = "") -> Ballot:
    """Close voting. The count is queued when the scrutineers open the ballot box (`ballot_unseal`).

    Closing before the end time or below the body's minimum turnout needs `reason` (congress.safeguards).
    """
    poll = SecretPoll.objects.select_for_update().select_related("body").get(pk=ballot.poll_id)
    facts = safeguards.close_facts(poll, now)
    reason = safeguards.require_close_reason(facts, reason, acting_user)
    polls.poll_close(poll=poll, acting_user=acting_user, now=now, reason=reason, facts=facts.as_dict())
    return ballot


@transaction.atomic
def ballot_unseal(*, ballot: Ballot, shares: list[str], acting_user=None) -> int:
    """The scrutineers open the closed ballot's box with their cards; the count is queued on commit."""
    ballot = Ballot.objects.select_for_update().select_related("poll__body__division").get(pk=ballot.pk)
    opened = polls.poll_unseal(poll=ballot.poll, shares=shares, check=ballot_rules_check(ballot),
                               acting_user=acting_user)
    ballot.tally_error = ""
    workflows.transition(ballot, Ballot.TallyState.QUEUED, field="tally_state", also=["tally_error"],
                         error=ProjectError)
    ballot_queue_tally(ballot=ballot)
    return opened


@transaction.atomic
def ballot_void(*, ballot: Ballot, reason: str, acting_user=None) -> Ballot:
    """Void a closed ballot whose box cannot be opened (cards lost) and set it back to a draft, to be run again."""
    ballot = Ballot.objects.select_for_update().select_related("poll__body__division").get(pk=ballot.pk)
    polls.poll_void(poll=ballot.poll, reason=reason, acting_user=acting_user)
    TallyResult.objects.filter(ballot=ballot).delete()
    ballot.tally_error = ""
    workflows.transition(ballot, "void", field="tally_state", also=["tally_error"], error=ProjectError)
    for c in ballot.candidates.select_related("project"):
        project = Project.objects.select_for_update().get(pk=c.project_id)
        if project.state == Project.State.ON_BALLOT and not ballot.is_runoff:  # a run-off's stay for its re-run
            project_transition(project=project, to=Project.State.CANDIDATE, acting_user=acting_user,
                               reason=_("Ballot voided: %(title)s") % {"title": ballot.poll.title})
    return ballot


@transaction.atomic
def ballot_count_again(*, ballot: Ballot, acting_user=None) -> Ballot:
    """Queue the count of a closed, uncertified ballot again (after a failed count, or to check it)."""
    ballot = Ballot.objects.select_for_update().select_related("poll").get(pk=ballot.pk)
    if ballot.poll.state not in (SecretPoll.State.CLOSED, SecretPoll.State.TALLIED):
        raise ProjectError(_("Only a closed, uncertified ballot can be counted again."))
    if ballot.poll.public_key and ballot.poll.unsealed_at is None:
        raise ProjectError(_("The ballot box is still sealed: it is counted after the scrutineers open it."))
    before = {"tally_state": ballot.tally_state, "tally_error": ballot.tally_error}
    ballot.tally_error = ""
    workflows.transition(ballot, "count_again", field="tally_state", also=["tally_error"], error=ProjectError)
    audit_record(actor=acting_user, action="ballot.count_again", obj=ballot.poll, division=ballot.body.division,
                 before=before, after={"tally_state": ballot.tally_state})
    ballot_queue_tally(ballot=ballot)
    return ballot


def ballot_queue_tally(*, ballot: Ballot) -> None:
    """Queue the count after commit; if the queue is down, mark the count failed so staff can count again."""
    from projects.tasks import tally_ballot  # cycle: projects.tasks imports projects.services

    def failed(error):
        workflows.update(Ballot.objects.filter(pk=ballot.pk), Ballot.TallyState.FAILED, field="tally_state",
                         tally_error=_("The task queue was not reachable. Count again."))

    send_after_commit(tally_ballot, ballot.pk, on_failure=failed)


def canonical_checksum(data: dict) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()).hexdigest()


def ballot_count(ballot: Ballot) -> tuple[list[BallotCandidate], dict]:
    """Count the ballot's counting table: the candidates with their counts (not saved) and the result data."""
    poll = ballot.poll
    candidates = list(ballot.candidates.select_related("project").order_by("position"))
    counts = polls.count_positions(poll, len(candidates))
    rec = polls.reconciliation(poll)
    ballots_cast = rec.ballots_stored
    votes = {c.pk: counts[c.position]["for"] for c in candidates}
    tie_break = (ballot.result.data.get("tie_break") or None) if hasattr(ballot, "result") else None
    decision = tallying.decide(votes, seats=ballot.seats, threshold=ballot.threshold, tie_rule=ballot.tie_rule,
                               ballots_cast=ballots_cast, seated=poll.seated_count, tie_break=tie_break)
    rows = []
    for c in candidates:
        out = decision.outcomes[c.pk]
        n = counts[c.position]
        c.votes_for, c.votes_against, c.votes_abstain = n["for"], n["against"], n["abstain"]
        c.rank, c.adopted, c.reason = out.rank, out.adopted, out.reason
        rows.append({"candidate": c.pk, "project": c.project_id, "position": c.position, "for": n["for"],
                     "against": n["against"], "abstain": n["abstain"], "rank": out.rank, "adopted": out.adopted,
                     "reason": out.reason})
    data = {
        "ballot": ballot.pk, "method": ballot.method, "seats": ballot.seats, "threshold": ballot.threshold,
        "threshold_votes": tallying.threshold_votes(ballot.threshold, ballots_cast, poll.seated_count),
        "tie_rule": ballot.tie_rule, "reconciliation": rec.as_dict(), "seated": poll.seated_count,
        "candidates": rows, "tied": sorted(decision.tied), "open_seats_in_tie": decision.open_seats_in_tie,
        "tie_break": sorted(tie_break) if tie_break else None, "receipts": polls.receipts(poll),
    }
    return candidates, data


def ballot_recount(ballot: Ballot) -> tuple[dict, dict]:
    """The project ballot's part of the verification: recount from the counting table against the stored result,
    and the stored result against its checksum."""
    result = TallyResult.objects.filter(ballot=ballot).first()
    if result is None:
        return {"result_stored": {"ok": False}}, {}
    _candidates, recount = ballot_count(ballot)
    checks = {
        "stored_checksum": {"ok": canonical_checksum(result.data) == result.checksum, "checksum": result.checksum},
        "recount_matches_result": {"ok": recount == result.data, "recount_checksum": canonical_checksum(recount)},
    }
    return checks, {"candidates": recount["candidates"], "reconciliation": recount["reconciliation"]}


def ballot_verification_bundle(*, ballot: Ballot, acting_user=None) -> dict:
    """The verification bundle of an opened ballot (congress.verification), audited there."""
    return verification.poll_verification_bundle(poll=ballot.poll, recount=lambda _poll: ballot_recount(ballot),
                                    acting_user=acting_user)


@transaction.atomic
def ballot_tally(*, ballot_id: int) -> TallyResult:
    """Count a closed ballot. Idempotent: the same ballots give the same stored result and checksum."""
    ballot = Ballot.objects.select_for_update().select_related("poll").get(pk=ballot_id)
    poll = ballot.poll
    if poll.state in (SecretPoll.State.DRAFT, SecretPoll.State.OPEN):
        raise ProjectError(_("The ballot is still open: it is counted only after it closes."))
    if poll.state == SecretPoll.State.CERTIFIED:
        return ballot.result
    if poll.public_key and poll.unsealed_at is None:
        raise ProjectError(_("The ballot box is still sealed: it is counted after the scrutineers open it."))
    candidates, data = ballot_count(ballot)
    BallotCandidate.objects.bulk_update(candidates, ["votes_for", "votes_against", "votes_abstain", "rank",
                                                     "adopted", "reason"])
    checksum = canonical_checksum(data)
    result, created = TallyResult.objects.get_or_create(ballot=ballot, defaults={"data": data, "checksum": checksum})
    if not created and result.checksum != checksum:
        result.data, result.checksum = data, checksum
        result.save(update_fields=["data", "checksum", "counted_at"])
    polls.poll_mark_tallied(poll)
    workflows.transition(ballot, Ballot.TallyState.DONE, field="tally_state", error=ProjectError)
    return result


@transaction.atomic
def ballot_break_tie(*, ballot: Ballot, candidate_ids: list[int], reason: str, acting_user=None) -> TallyResult:
    ballot = Ballot.objects.select_for_update().select_related("poll").get(pk=ballot.pk)
    result = getattr(ballot, "result", None)
    if ballot.poll.state != SecretPoll.State.TALLIED or result is None or not result.data.get("tied"):
        raise ProjectError(_("There is no tie waiting to be broken."))
    if not reason.strip():
        raise ProjectError(_("Record the reason for breaking the tie."))
    tied = set(result.data["tied"])
    chosen = set(candidate_ids)
    if not chosen <= tied or len(chosen) != result.data["open_seats_in_tie"]:
        raise ProjectError(
            _("Choose exactly %(n)s of the tied projects.") % {"n": result.data["open_seats_in_tie"]}
        )
    result.data = {**result.data, "tie_break": sorted(chosen)}
    result.save(update_fields=["data"])
    ballot.tie_break_reason = reason.strip()[:300]
    ballot.save(update_fields=["tie_break_reason"])
    audit_record(actor=acting_user, action="ballot.break_tie", obj=ballot.poll, division=ballot.body.division,
                 after={"chosen": sorted(chosen), "reason": reason})
    return ballot_tally(ballot_id=ballot.pk)


@transaction.atomic
def ballot_certify(*, ballot: Ballot, acting_user, scrutineers: list[str]) -> Ballot:
    """Announce the result: projects are selected (and go into implementation) or not selected. Final.

    Four eyes: `acting_user` did not close the ballot; `scrutineers` names those present at the count.
    """
    ballot = Ballot.objects.select_for_update().select_related("poll").get(pk=ballot.pk)
    result = getattr(ballot, "result", None)
    if ballot.poll.state != SecretPoll.State.TALLIED or result is None:
        raise ProjectError(_("Only a counted ballot can be certified."))
    if result.data.get("tied") and not result.data.get("tie_break") and ballot.tie_rule != Ballot.TieRule.RUNOFF:
        raise ProjectError(_("Break the tie at the cut-off before certifying."))
    safeguards.require_second_person(ballot.poll, acting_user)
    scrutineers = safeguards.clean_scrutineers(scrutineers)
    polls.poll_certify(poll=ballot.poll, acting_user=acting_user, scrutineers=scrutineers)
    for c in ballot.candidates.select_related("project"):
        project = Project.objects.select_for_update().get(pk=c.project_id)
        if c.adopted:
            project_transition(project=project, to=Project.State.SELECTED, acting_user=acting_user,
                               reason=ballot.poll.title)
            project_transition(project=project, to=Project.State.IMPLEMENTATION, acting_user=acting_user)
            supervision.project_recolour(project=project, acting_user=acting_user)
        elif c.adopted is None:
            continue  # tied at the cut-off: stays on the ballot for the run-off round
        else:
            project_transition(project=project, to=Project.State.NOT_SELECTED, acting_user=acting_user,
                               reason=ballot.poll.title)
    result.certified_at = timezone.now()
    result.certified_by = acting_user
    result.scrutineers = scrutineers
    result.save(update_fields=["certified_at", "certified_by", "scrutineers"])
    return ballot


def polls_due_to_close(now=None):
    now = now or timezone.now()
    return Ballot.objects.filter(poll__state=SecretPoll.State.OPEN, poll__closes_at__lte=now)


# --- implementation and supervision -------------------------------------------------

@transaction.atomic
def milestone_add(*, project: Project, title: str, due_date: datetime.date, acting_user=None) -> Milestone:
    if project.state != Project.State.IMPLEMENTATION:
        raise ProjectError(_("Milestones belong to projects in implementation."))
    m = Milestone(project=project, title=title, due_date=due_date)
    m.full_clean()
    m.save()
    audit_record(actor=acting_user, action="project.milestone_add", obj=project, division=project.body.division,
                 after={"title": title, "due": due_date.isoformat()})
    return m


@transaction.atomic
def milestone_done(*, milestone: Milestone, done_on: datetime.date, acting_user=None) -> Milestone:
    milestone.done_on = done_on
    milestone.overdue = False
    milestone.save(update_fields=["done_on", "overdue"])
    audit_record(actor=acting_user, action="project.milestone_done", obj=milestone.project,
                 division=milestone.project.body.division, after={"milestone": milestone.title})
    supervision.project_recolour(project=milestone.project, acting_user=acting_user)
    return milestone


@transaction.atomic
def progress_report(*, project: Project, date: datetime.date, percent: int, text: str, attachment=None,
                    public: bool = False, acting_user=None) -> ProgressReport:
    if project.state != Project.State.IMPLEMENTATION:
        raise ProjectError(_("Progress is reported on projects in implementation."))
    if not 0 <= percent <= 100:
        raise ProjectError(_("Progress is a percentage from 0 to 100."))
    report = ProgressReport(project=project, date=date, percent=percent, text=text, public=public,
                            author=acting_user if acting_user and acting_user.is_authenticated else None)
    if attachment:
        report.attachment = attachment
    report.full_clean()
    report.save()
    project.progress_percent = percent
    project.save(update_fields=["progress_percent"])
    audit_record(actor=acting_user, action="project.progress", obj=project, division=project.body.division,
                 after={"percent": percent, "date": date.isoformat()})
    # the colour follows at once, not only at the next daily recolouring
    supervision.project_recolour(project=project, acting_user=acting_user)
    return report


@transaction.atomic
def milestones_flag_overdue(*, on_date: datetime.date) -> int:
    """Flag the milestones past due and not done; unflag the ones done since. Idempotent."""
    Milestone.objects.filter(overdue=True).exclude(done_on__isnull=True).update(overdue=False)
    return Milestone.objects.filter(done_on__isnull=True, due_date__lt=on_date, overdue=False).update(overdue=True)


def categories_ensure(names: list[str]) -> list[Category]:
    return [Category.objects.get_or_create(name=n, defaults={"order": i})[0] for i, n in enumerate(names)]
