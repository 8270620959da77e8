import posixpath
from functools import partial

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_ratelimit.core import is_ratelimited

from congress import ballot_box, casting, polls, safeguards
from congress.decorators import checks_staff_session, staff_required
from congress.exports import dataset_response
from congress.files import ATTACHMENT_KINDS, file_response
from congress.forms import ConfirmCertifyForm, ConfirmCloseForm, ScrutineersForm
from congress.models import Division, SecretPoll
from congress.polls import reconciliation
from congress.responses import act, refuse
from congress.tracking import qr_svg, thanks_context
from deputies.models import ResidentOpinion
from projects import forms as pforms
from projects import predicates, selectors, services
from projects.models import Ballot, Category, ProgressReport, Project

COUNT_QUEUE_DOWN = gettext_lazy("Saved, but the count could not be queued: the task queue is not reachable. "
                                 "Use “Count again” once it is back.")


# --- public -------------------------------------------------------------------------

def propose(request):
    """Residents propose a livelihood project: no login, rate-limited, minimal personal data."""
    form = pforms.PublicProposalForm(request.POST if request.method == "POST" else None)
    page = partial(render, request, "projects/propose.html", {"form": form})
    if request.method == "POST":
        if is_ratelimited(request, group="public-proposal", key="ip", rate=settings.PUBLIC_FORM_RATE,
                          method="POST", increment=True):
            return render(request, "projects/propose.html", {"form": form, "limited": True}, status=429)
        # POST, redirect, GET: reloading the thank-you page does not send the proposal again
        return act(request, form=form, on_form=True, page=page, action=lambda d: services.project_propose(
            body=d["body"], year=timezone.localdate().year + 1, title=d["title"], category=d["category"],
            description=d["description"], source=Project.Source.ONLINE, proposer_name=d["proposer_name"],
            proposer_contact=d["proposer_contact"],
        ), done=lambda project: reverse("projects:propose_thanks", kwargs={"token": services.proposal_token(project)}))
    return page()


def _proposal_of(token):
    project = services.proposal_for_token(token)
    if project is None:
        raise Http404
    return project


def propose_thanks(request, token):
    """The resident's receipt, as for an opinion: reference, tracking link, QR code."""
    project = _proposal_of(token)
    track_url = request.build_absolute_uri(reverse("projects:propose_track", kwargs={"token": token}))
    return render(request, "projects/propose_thanks.html",
                  thanks_context(reference=project.reference, track_url=track_url))


def propose_track(request, token):
    project = _proposal_of(token)
    return render(request, "projects/propose_track.html", {"project": project})


def _public_ballot(pk):
    try:
        return selectors.ballot_with_candidates(pk)
    except Ballot.DoesNotExist as exc:
        raise Http404 from exc


def result(request, pk):
    ballot = _public_ballot(pk)
    if not predicates.can_see_result(request.user, ballot):
        raise Http404
    rec = ballot.result.data["reconciliation"]
    context = {"ballot": ballot, "rows": selectors.result_rows(ballot), "result": ballot.result, "rec": rec,
               "closing": selectors.closing_note(ballot, rec), "record": selectors.ballot_record(rec),
               "can_manage": predicates.can_manage_ballot(request.user, ballot),
               "rounds": selectors.other_rounds(ballot, request.user)}
    return render(request, "projects/result.html", context)


def result_print(request, pk):
    ballot = _public_ballot(pk)
    if not predicates.can_see_result(request.user, ballot):
        raise Http404
    rec = ballot.result.data["reconciliation"]
    return render(request, "projects/result_print.html", {
        "ballot": ballot, "rows": selectors.result_rows(ballot), "result": ballot.result, "rec": rec,
        "closing": selectors.closing_note(ballot, rec), "printed_at": timezone.localtime(),
        "record": selectors.ballot_record(rec), "rounds": selectors.other_rounds(ballot, request.user),
    })


def result_export(request, pk, fmt):
    ballot = _public_ballot(pk)
    if not predicates.can_see_result(request.user, ballot):
        raise Http404
    return dataset_response(selectors.result_dataset(ballot), f"ballot-{ballot.pk}-result", fmt)


# --- deputies ---------------------------------------------------------------------

@login_required
def my_ballots(request):
    person = predicates.person_of(request.user)
    return render(request, "projects/my_ballots.html", {
        "ballots": selectors.ballots_for_deputy(person), "announced": selectors.announced_ballots(person)[:10],
    })


def _store_ballot(ballot, post, user_id, signed_in):
    choices = pforms.vote_choices(ballot, post)
    if choices is None:
        raise ValidationError(_("Choose from the projects on this ballot."))
    return services.ballot_vote(ballot=ballot, user_id=user_id, choices=choices, signed_in=signed_in)


def _vote_page(request, pk):
    ballot = get_object_or_404(Ballot.objects.select_related("poll__body"), pk=pk)
    person = predicates.person_of(request.user)
    if person is None or not ballot.poll.electors.filter(person=person).exists():
        raise Http404
    if predicates.has_voted(request.user, ballot):
        return casting.render_done(request, CASTING, ballot)
    if predicates.away_from_hall(request.user, ballot):
        return render(request, "projects/vote_closed.html", {"ballot": ballot, "refusal": polls.not_present_message()},
                      status=403)
    if not predicates.can_vote(request.user, ballot):
        return render(request, "projects/vote_closed.html", {"ballot": ballot}, status=403)
    ballot = selectors.ballot_with_candidates(pk)
    form = pforms.vote_form_class(ballot)()
    return render(request, "projects/vote.html", {"ballot": ballot, "form": form})


@checks_staff_session
def vote(request, pk):
    """The vote page, and the cast ballot (congress/casting.py: with the page's cast pass no session is loaded)."""
    if request.method == "POST":
        return casting.cast(request, pk, CASTING)
    return casting.signed_in(request, lambda: _vote_page(request, pk))


def _refused_ballot(request, pk, refusal: ValidationError):
    """A refused ballot: what the vote page would say to this deputy (404, 409 or 403), or the whole page again with
    the form's errors, or else the rules' (422)."""
    ballot = selectors.ballot_with_candidates(pk)
    elector = polls.elector_for(ballot.poll_id, request.user.pk)
    if elector is None:
        raise Http404
    if elector.voted:
        return casting.render_done(request, CASTING, ballot, status=409)
    if not polls.voting_window_open(ballot.poll):
        return render(request, "projects/vote_closed.html", {"ballot": ballot}, status=403)
    form = pforms.vote_form_class(ballot)(request.POST)
    if form.is_valid():
        for message in refusal.messages:
            form.add_error(None, message)
    return render(request, "projects/vote.html", {"ballot": ballot, "form": form}, status=422)


CASTING = casting.Casting(name="ballot", load=selectors.ballot_for_casting, store=_store_ballot,
                          title=lambda ballot: ballot.poll.title, done="projects/vote_done.html", closed="projects/vote_closed.html", refused=_refused_ballot)


# --- staff: projects ---------------------------------------------------------------

@staff_required
def project_list(request):
    params = request.GET
    qs = selectors.project_list(request.user, pforms.ProjectFilterForm(params).filters())
    return render(request, "projects/project_list.html", {
        "projects": qs[:500], "total": qs.count(), "params": params,
        "states": Project.State.choices, "categories": Category.objects.all(),
        "levels": [(Division.Level.DISTRICT, Division.Level.DISTRICT.label), (Division.Level.TOWN, _("Town/township")),
                   (Division.Level.SUBDISTRICT, Division.Level.SUBDISTRICT.label)],
        "bodies": pforms.StaffProjectForm(user=request.user).fields["body"].queryset,
    })


@staff_required
def project_new(request):
    form = pforms.StaffProjectForm(request.POST if request.method == "POST" else None, user=request.user,
                                   initial={"year": timezone.localdate().year + 1, "source": Project.Source.STAFF})
    page = partial(render, request, "projects/project_form.html", {"form": form})
    if request.method != "POST":
        return page()
    return act(request, form=form, on_form=True, page=page,
               action=lambda d: services.project_propose(acting_user=request.user, **d),
               success=_("Project recorded."), done=lambda project: reverse("projects:project", args=[project.pk]))


def _project_in_scope(request, pk):
    return get_object_or_404(Project.objects.in_scope(request.user).select_related("body__division", "category"), pk=pk)


@staff_required
def project_detail(request, pk):
    return _project_page(request, pk)


def _project_page(request, pk, *, status=200):
    project = _project_in_scope(request, pk)
    return render(request, "projects/project_detail.html", {
        "project": project, **selectors.project_chain(project),
        "move_form": pforms.ProjectMoveForm(), "milestone_form": pforms.MilestoneForm(),
        "progress_form": pforms.ProgressForm(initial={"date": timezone.localdate()}),
        "today": timezone.localdate(),
        **_supervision_context(request, project),
    }, status=status)


def on_project_page(request, project) -> dict:
    """Where an action of the project's page answers (`act`): its page, again or after the redirect."""
    return {"page": partial(_project_page, request, project.pk), "done": reverse("projects:project", args=[project.pk])}


def _supervision_context(request, project):
    chosen = project.supervisors.all()
    initial = {"presidium": next((s.person_id for s in chosen if s.role == "presidium"), None),
               "deputies": [s.person_id for s in chosen if s.role == "deputy"]}
    context = {"supervisors_form": pforms.SupervisorsForm(project=project, user=request.user, initial=initial),
               "task_form": pforms.SupervisionTaskCloseForm(), "public": predicates.is_public(project)}
    if context["public"]:
        url = request.build_absolute_uri(reverse("projects:public", args=[project.pk]))
        context.update(public_url=url, qr=qr_svg(url))
    return context


@staff_required
def progress_attachment(request, pk, report_pk):
    """A progress report's attachment, for the staff who may see the project."""
    report = get_object_or_404(ProgressReport.objects.filter(project=_project_in_scope(request, pk)), pk=report_pk)
    return file_response(report.attachment, filename=posixpath.basename(report.attachment.name),
                         kinds=ATTACHMENT_KINDS)


@staff_required
@require_POST
def project_move(request, pk):
    project = _project_in_scope(request, pk)
    return act(request, form=pforms.ProjectMoveForm(request.POST), **on_project_page(request, project),
               action=lambda d: services.project_move(project=project, to=d["to"], reason=d["reason"],
                                                      acting_user=request.user),
               success=_("Project moved."))


@staff_required
@require_POST
def project_milestone(request, pk):
    project = _project_in_scope(request, pk)
    return act(request, form=pforms.MilestoneForm(request.POST), **on_project_page(request, project),
               action=lambda d: services.milestone_add(project=project, acting_user=request.user, **d),
               success=_("Milestone added."))


@staff_required
@require_POST
def project_milestone_done(request, pk, mid):
    project = _project_in_scope(request, pk)
    milestone = get_object_or_404(project.milestones, pk=mid)
    return act(request, **on_project_page(request, project), action=lambda: services.milestone_done(
        milestone=milestone, done_on=timezone.localdate(), acting_user=request.user))


@staff_required
@require_POST
def project_progress(request, pk):
    project = _project_in_scope(request, pk)
    return act(request, form=pforms.ProgressForm(request.POST, request.FILES), **on_project_page(request, project),
               action=lambda d: services.progress_report(project=project, acting_user=request.user, **d),
               success=_("Progress recorded."))


# --- staff: ballots ----------------------------------------------------------------

def _ballot_in_scope(request, pk):
    try:
        return selectors.ballot_with_candidates(pk, Ballot.objects.in_scope(request.user))
    except Ballot.DoesNotExist as exc:
        raise Http404 from exc


@staff_required
def ballot_list(request):
    ballots = Ballot.objects.in_scope(request.user).select_related("poll__body__division").order_by("-year", "-pk")
    return render(request, "projects/ballot_list.html", {"ballots": ballots})


@staff_required
def ballot_new(request):
    form = pforms.BallotForm(request.POST if request.method == "POST" else None, user=request.user, initial={"year": timezone.localdate().year,
                                                                             "seats": 10, "max_choices": 10})
    page = partial(render, request, "projects/ballot_form.html", {"form": form})
    if request.method != "POST":
        return page()
    return act(request, form=form, on_form=True, page=page, action=lambda d: services.ballot_create(
        body=d["body"], title=d["title"], year=d["year"], seats=d["seats"], method=d["method"],
        max_choices=d["max_choices"], threshold=d["threshold"], tie_rule=d["tie_rule"], session=d["session"],
        opens_at=d["opens_at"], closes_at=d["closes_at"], acting_user=request.user,
    ), done=lambda ballot: reverse("projects:ballot", args=[ballot.pk]))


@staff_required
def ballot_detail(request, pk):
    return _ballot_page(request, pk)


def _ballot_page(request, pk, *, status=200):
    ballot = _ballot_in_scope(request, pk)
    state = ballot.poll.state
    context = {"ballot": ballot, "poll": ballot.poll, "rec": reconciliation(ballot.poll)}
    if state == SecretPoll.State.DRAFT:
        context["rules_form"] = pforms.BallotForm(instance=ballot, user=request.user)
        context["candidates_form"] = pforms.CandidatesForm(
            ballot=ballot, initial={"projects": [c.project_id for c in ballot.candidates.all()]})
        context["scrutineers_form"] = ScrutineersForm()
    if state in (SecretPoll.State.TALLIED, SecretPoll.State.CERTIFIED) and hasattr(ballot, "result"):
        context["rows"] = selectors.result_rows(ballot)
        if (ballot.result.data.get("tied") and not ballot.result.data.get("tie_break")
                and ballot.tie_rule == Ballot.TieRule.STAFF_BREAK):
            context["tie_form"] = pforms.TieBreakForm(ballot=ballot)
    context["rounds"] = selectors.ballot_rounds(ballot)
    context["runoff_due"] = (ballot.tie_rule == Ballot.TieRule.RUNOFF and state == SecretPoll.State.CERTIFIED
                             and bool(ballot.result.data.get("tied")) and context["rounds"][-1] == ballot)
    if ballot.poll.closed_at:
        context["closing"] = selectors.closing_note(ballot, context["rec"])
    context["refresh"] = ballot.tally_state in (Ballot.TallyState.QUEUED, Ballot.TallyState.RUNNING)
    return render(request, "projects/ballot_detail.html", context, status=status)


def _ballot_page_of(request, ballot):
    return partial(_ballot_page, request, ballot.pk)


def on_ballot_page(request, ballot) -> dict:
    """Where an action of the ballot's page answers (`act`): its page, again or after the redirect; a count that
    could not be queued is said there (the action itself was saved: the page says what is still to do)."""
    return {"page": _ballot_page_of(request, ballot), "done": reverse("projects:ballot", args=[ballot.pk]),
            "queue_down": COUNT_QUEUE_DOWN}


@staff_required
@require_POST
def ballot_rules(request, pk):
    ballot = _ballot_in_scope(request, pk)
    form = pforms.BallotForm(request.POST, instance=Ballot.objects.get(pk=ballot.pk), user=request.user)
    return act(request, form=form, **on_ballot_page(request, ballot), success=_("Rules saved."),
               action=lambda d: services.ballot_update_rules(
                   ballot=ballot, acting_user=request.user, title=d["title"], year=d["year"], method=d["method"],
                   max_choices=d["max_choices"], seats=d["seats"], threshold=d["threshold"],
                   tie_rule=d["tie_rule"], session=d["session"], opens_at=d["opens_at"], closes_at=d["closes_at"]))


@staff_required
@require_POST
def ballot_candidates(request, pk):
    ballot = _ballot_in_scope(request, pk)
    return act(request, form=pforms.CandidatesForm(request.POST, ballot=ballot), **on_ballot_page(request, ballot),
               action=lambda d: services.ballot_set_candidates(ballot=ballot, projects=list(d["projects"]),
                                                               acting_user=request.user),
               success=_("Candidates saved."))


@staff_required
@require_POST
def ballot_open(request, pk):
    """Open voting; the answer is the scrutineers' cards, shown this once."""
    ballot = _ballot_in_scope(request, pk)
    back = reverse("projects:ballot", args=[ballot.pk])

    def open_poll(scrutineers, threshold):
        return services.ballot_open(ballot=ballot, scrutineers=scrutineers, threshold=threshold,
                                    acting_user=request.user).poll

    return ballot_box.open_and_show_cards(request, open_poll=open_poll, back_url=back,
                                          page=_ballot_page_of(request, ballot))


@staff_required
def ballot_unseal(request, pk):
    """The scrutineers open the closed ballot's box with their cards; the count follows."""
    ballot = _ballot_in_scope(request, pk)
    return ballot_box.unseal_page(
        request, poll=ballot.poll, back_url=reverse("projects:ballot", args=[ballot.pk]),
        void_url=reverse("projects:ballot_void", args=[ballot.pk]),
        unseal=lambda shares: services.ballot_unseal(ballot=ballot, shares=shares, acting_user=request.user),
    )


@staff_required
def ballot_verification(request, pk):
    """The scrutineers' verification bundle (the check of `manage.py verify_poll`, with the opened ballots)."""
    ballot = _ballot_in_scope(request, pk)
    return ballot_box.verification_download(
        request, poll=ballot.poll, filename=f"ballot-{ballot.pk}-verification.json",
        bundle=lambda: services.ballot_verification_bundle(ballot=ballot, acting_user=request.user))


@staff_required
@require_POST
def ballot_void(request, pk):
    ballot = _ballot_in_scope(request, pk)
    return ballot_box.void_action(
        request, poll=ballot.poll, back_url=reverse("projects:ballot", args=[ballot.pk]),
        void_url=reverse("projects:ballot_void", args=[ballot.pk]),
        void=lambda reason: services.ballot_void(ballot=ballot, reason=reason, acting_user=request.user),
    )


def _confirm_step(request, ballot, *, state, form_class, template, context, action, success, not_now):
    """A step that cannot be undone: GET shows what it will do, POST with the confirmation form does it.

    A POST without the confirmation (the old one-click button, a replayed request) or refused by the service
    shows the page again, with the message, as 422, and changes nothing.
    """
    if ballot.poll.state != state:
        if request.method == "POST":
            return refuse(request, _ballot_page_of(request, ballot), not_now)
        messages.error(request, not_now)
        return redirect("projects:ballot", pk=ballot.pk)
    form = form_class(request.POST if request.method == "POST" else None)

    def page(status=200):
        return render(request, template, {"ballot": ballot, "poll": ballot.poll, "form": form, **context(ballot)},
                      status=status)

    if request.method != "POST":
        return page()
    return act(request, form=form, on_form=True, page=page, done=reverse("projects:ballot", args=[ballot.pk]),
               queue_down=COUNT_QUEUE_DOWN, action=action, success=success)


def _close_context(request):
    def context(ballot):
        facts = safeguards.close_facts(ballot.poll)
        return {"facts": facts, "reason_required": safeguards.close_reason_required(facts, request.user)}
    return context


@staff_required
def ballot_close(request, pk):
    """Confirm closing voting: turnout, time left, quorum, and what follows (the count, then certification)."""
    ballot = _ballot_in_scope(request, pk)
    return _confirm_step(
        request, ballot, state=SecretPoll.State.OPEN, form_class=ConfirmCloseForm,
        template="projects/ballot_close.html", context=_close_context(request),
        action=lambda d: services.ballot_close(ballot=ballot, acting_user=request.user, reason=d["reason"]),
        success=_("Voting is closed. The scrutineers open the ballot box to count it."),
        not_now=_("Only an open ballot can be closed."))


@staff_required
@require_POST
def ballot_recount(request, pk):
    ballot = _ballot_in_scope(request, pk)
    return act(request, **on_ballot_page(request, ballot),
               action=lambda: services.ballot_count_again(ballot=ballot, acting_user=request.user))


@staff_required
@require_POST
def ballot_tie(request, pk):
    ballot = _ballot_in_scope(request, pk)
    return act(request, form=pforms.TieBreakForm(request.POST, ballot=ballot), **on_ballot_page(request, ballot),
               action=lambda d: services.ballot_break_tie(ballot=ballot, candidate_ids=d["candidates"],
                                                          reason=d["reason"], acting_user=request.user),
               success=_("Tie broken."))


@staff_required
@require_POST
def ballot_runoff(request, pk):
    """Set up the run-off round among the projects tied at this certified round's cut-off; its page follows."""
    ballot = _ballot_in_scope(request, pk)
    return act(request, page=_ballot_page_of(request, ballot),
               action=lambda: services.ballot_runoff_create(ballot=ballot, acting_user=request.user),
               success=_("The run-off round is set up: name the scrutineers and open it."),
               done=lambda runoff: reverse("projects:ballot", args=[runoff.pk]))


def _certify_context(request):
    def context(ballot):
        poll = ballot.poll
        rows = selectors.result_rows(ballot)
        return {
            "facts": safeguards.close_facts(poll, now=poll.closed_at), "rows": rows,
            "adopted": [r for r in rows if r.candidate.adopted], "closed_by": poll.closed_by,
            "same_person": poll.closed_by_id is not None and poll.closed_by_id == request.user.pk,
            "tie_pending": bool(ballot.result.data.get("tied") and not ballot.result.data.get("tie_break")
                                and ballot.tie_rule != Ballot.TieRule.RUNOFF),
            "runoff_pending": bool(ballot.result.data.get("tied") and ballot.tie_rule == Ballot.TieRule.RUNOFF),
        }
    return context


@staff_required
def ballot_certify(request, pk):
    """Confirm certifying: the count, the projects it adopts, and the scrutineers present. A second staff member."""
    ballot = _ballot_in_scope(request, pk)
    return _confirm_step(
        request, ballot, state=SecretPoll.State.TALLIED, form_class=ConfirmCertifyForm,
        template="projects/ballot_certify.html", context=_certify_context(request),
        action=lambda d: services.ballot_certify(ballot=ballot, acting_user=request.user,
                                                 scrutineers=safeguards.split_names(d["scrutineers"])),
        success=_("The result is certified and announced."), not_now=_("Only a counted ballot can be certified."))


@staff_required
def ballot_paper(request, pk):
    """Tellers: mark who was issued a paper ballot; enter paper ballots one by one."""
    ballot = _ballot_in_scope(request, pk)
    if ballot.poll.state not in (SecretPoll.State.OPEN, SecretPoll.State.CLOSED):
        not_now = _("Paper ballots are handled while the ballot is open or closed and not yet counted.")
        if request.method == "POST":
            return refuse(request, _ballot_page_of(request, ballot), not_now)
        messages.error(request, not_now)
        return redirect("projects:ballot", pk=ballot.pk)
    what = request.POST.get("what") if request.method == "POST" else None
    data = request.POST if what else None
    voters_form = pforms.PaperVotersForm(data if what == "voters" else None, ballot=ballot)
    status_form = pforms.PaperStatusForm(data if what == "ballot" else None)
    choice_form = pforms.vote_form_class(ballot)(data if what == "ballot" else None)

    def page(status=200):
        return render(request, "projects/ballot_paper.html", {
            "ballot": ballot, "voters_form": voters_form, "status_form": status_form, "choice_form": choice_form,
            "rec": reconciliation(ballot.poll),
        }, status=status)

    done = reverse("projects:ballot_paper", args=[ballot.pk])
    if what == "voters":
        return act(request, form=voters_form, on_form=True, page=page, done=done,
                   action=lambda d: services.polls.poll_mark_paper_voters(
                       poll=ballot.poll, people=[e.person for e in d["electors"]], acting_user=request.user),
                   success=lambda n: _("%(n)s deputies marked as voting on paper.") % {"n": n})
    if what == "ballot":
        def enter(d):
            if d["status"] != "valid":
                return services.ballot_enter_paper(ballot=ballot, status=d["status"], acting_user=request.user)
            if not choice_form.is_valid():
                raise ValidationError(_("Record the choices on the paper ballot."))
            return services.ballot_enter_paper(ballot=ballot, status=d["status"], choices=choice_form.choices(),
                                               acting_user=request.user)

        return act(request, form=status_form, on_form=True, page=page, done=done, action=enter,
                   success=_("Paper ballot entered."))
    if request.method == "POST":
        return refuse(request, page, _("Nothing was recorded: choose whether you mark paper voters or enter a paper "
                                       "ballot."))
    return page()




@staff_required
def project_from_opinion(request, opinion_pk):
    """Turn a resident's opinion into a livelihood-project proposal (the link is kept both ways)."""
    opinion = get_object_or_404(ResidentOpinion.objects.in_scope(request.user), pk=opinion_pk)
    form = pforms.OpinionProjectForm(request.POST if request.method == "POST" else None, user=request.user,
                                     opinion=opinion, initial={"year": timezone.localdate().year + 1,
                                                               "title": opinion.text[:60]})
    page = partial(render, request, "projects/project_from_opinion.html", {"form": form, "opinion": opinion})
    if request.method != "POST":
        return page()
    return act(request, form=form, on_form=True, page=page,
               action=lambda d: services.project_from_opinion(opinion=opinion, acting_user=request.user, **d),
               success=_("Project proposal made from the opinion."),
               done=lambda project: reverse("projects:project", args=[project.pk]))
