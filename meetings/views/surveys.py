"""Satisfaction surveys: the staff set them up, open, close, unseal, void, verify them, enter paper forms and read
the result; a deputy scores."""

from functools import partial

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from congress import ballot_box, casting, safeguards
from congress.decorators import checks_staff_session, staff_required
from congress.forms import ConfirmCloseForm
from congress.models import SecretPoll
from congress.polls import poll_mark_paper_voters, reconciliation, voting_window_open
from congress.responses import act, refuse
from meetings import forms as mforms
from meetings import reports, selectors, services
from meetings.models import Report, SatisfactionSurvey
from meetings.views.meetings import _meeting_in_scope, _meeting_page, on_meeting_page
from projects.predicates import person_of


@staff_required
@require_POST
def survey_create(request, pk):
    meeting = _meeting_in_scope(request, pk)
    return act(request, form=mforms.SurveyForm(request.POST, meeting=meeting), **on_meeting_page(request, meeting.pk),
               action=lambda d: services.survey_create(meeting=meeting, acting_user=request.user, **d),
               success=_("Survey set up."))


@staff_required
@require_POST
def year_end_evaluation(request, pk):
    meeting = _meeting_in_scope(request, pk)
    return act(request, form=mforms.YearEndEvaluationForm(request.POST), **on_meeting_page(request, meeting.pk),
               action=lambda d: services.year_end_evaluation_create(meeting=meeting, year=d["year"],
                                                                    acting_user=request.user),
               success=_("Year-end evaluation set up: one survey per project."))


def _survey_in_scope(request, pk):
    return get_object_or_404(SatisfactionSurvey.objects.in_scope(request.user).select_related("poll", "meeting"), pk=pk)


@staff_required
@require_POST
def survey_open(request, pk):
    survey = _survey_in_scope(request, pk)
    back = reverse("meetings:meeting", args=[survey.meeting_id])

    def open_poll(scrutineers, threshold):
        return services.survey_open(survey=survey, scrutineers=scrutineers, threshold=threshold,
                                    acting_user=request.user).poll

    return ballot_box.open_and_show_cards(request, open_poll=open_poll, back_url=back,
                                          page=partial(_meeting_page, request, survey.meeting_id))


@staff_required
def survey_close(request, pk):
    """Confirm closing scoring: GET shows turnout, time left, quorum and what follows; POST with the form closes.

    A POST without the confirmation, or an early or thin close without a reason, shows the page again as 422
    with the message, and closes nothing.
    """
    survey = _survey_in_scope(request, pk)
    if survey.poll.state != SecretPoll.State.OPEN:
        not_now = _("Only an open survey can be closed.")
        if request.method == "POST":
            return refuse(request, partial(_meeting_page, request, survey.meeting_id), not_now)
        messages.error(request, not_now)
        return redirect("meetings:meeting", pk=survey.meeting_id)
    form = ConfirmCloseForm(request.POST if request.method == "POST" else None)

    def page(status=200):
        poll = SecretPoll.objects.select_related("body").get(pk=survey.poll_id)
        facts = safeguards.close_facts(poll)
        return render(request, "meetings/survey_close.html", {
            "survey": survey, "poll": poll, "form": form, "facts": facts,
            "reason_required": safeguards.close_reason_required(facts, request.user),
            "thin_report": facts.voted < reports.min_responses_for(survey.quorum_present or 0),
        }, status=status)

    if request.method != "POST":
        return page()
    return act(request, form=form, on_form=True, page=page,
               action=lambda d: services.survey_close(survey=survey, acting_user=request.user, reason=d["reason"]),
               success=_("Scoring is closed. The scrutineers open the ballot box to count it."),
               done=reverse("meetings:meeting", args=[survey.meeting_id]))


@staff_required
def survey_unseal(request, pk):
    """The scrutineers open the closed survey's box with their cards; its report is built next."""
    survey = _survey_in_scope(request, pk)

    def unseal(shares):
        services.survey_unseal(survey=survey, shares=shares, acting_user=request.user)
        return len(SecretPoll.objects.get(pk=survey.poll_id).trackers)

    return ballot_box.unseal_page(
        request, poll=survey.poll, back_url=reverse("meetings:meeting", args=[survey.meeting_id]),
        void_url=reverse("meetings:survey_void", args=[survey.pk]), unseal=unseal,
        queue_down=_("The box was opened, but the report could not be queued: the task queue is not reachable. "
                     "Use “Build again” once it is back."),
    )


@staff_required
@require_POST
def survey_void(request, pk):
    survey = _survey_in_scope(request, pk)
    return ballot_box.void_action(
        request, poll=survey.poll, back_url=reverse("meetings:meeting", args=[survey.meeting_id]),
        void_url=reverse("meetings:survey_void", args=[survey.pk]),
        void=lambda reason: services.survey_void(survey=survey, reason=reason, acting_user=request.user),
    )


@staff_required
def survey_verification(request, pk):
    """The scrutineers' verification bundle (the check of `manage.py verify_poll`, with the opened scores)."""
    survey = _survey_in_scope(request, pk)
    return ballot_box.verification_download(
        request, poll=survey.poll, filename=f"survey-{survey.pk}-verification.json",
        bundle=lambda: services.survey_verification_bundle(survey=survey, acting_user=request.user))


@staff_required
def survey_paper(request, pk):
    survey = _survey_in_scope(request, pk)
    if survey.poll.state not in (SecretPoll.State.OPEN, SecretPoll.State.CLOSED):
        not_now = _("Paper forms are entered while scoring is open.")
        if request.method == "POST":
            return refuse(request, partial(_meeting_page, request, survey.meeting_id), not_now)
        messages.error(request, not_now)
        return redirect("meetings:meeting", pk=survey.meeting_id)
    voters = request.method == "POST" and request.POST.get("what") == "voters"
    form = mforms.paper_score_form(survey, request.POST if request.method == "POST" and not voters else None)

    def page(status=200):
        not_voted = (survey.poll.electors.filter(vote_record__isnull=True).select_related("person")
                     .order_by("person__name"))
        return render(request, "meetings/survey_paper.html", {"survey": survey, "form": form, "not_voted": not_voted,
                                                              "rec": reconciliation(survey.poll)}, status=status)

    done = reverse("meetings:survey_paper", args=[survey.pk])
    if request.method != "POST":
        return page()
    if voters:  # the list of deputies is not a form shown whole: its refusal is said by messages
        return act(request, form=mforms.SurveyPaperVotersForm(request.POST, survey=survey), page=page, done=done,
                   action=lambda d: poll_mark_paper_voters(poll=survey.poll, people=list(d["people"]),
                                                           acting_user=request.user),
                   success=lambda n: _("%(n)s deputies marked as voting on paper.") % {"n": n})
    return act(request, form=form, on_form=True, page=page, done=done, success=_("Paper form entered."),
               action=lambda d: services.survey_enter_paper(survey=survey, value=d["value"], status=d["status"],
                                                            acting_user=request.user))


@staff_required
def survey_report(request, pk):
    survey = _survey_in_scope(request, pk)
    if survey.poll.state not in (SecretPoll.State.TALLIED, SecretPoll.State.CERTIFIED):
        raise Http404
    stats, _html = reports.survey_report_for(survey.pk)
    report = survey.reports.filter(state=Report.State.DONE).order_by("-pk").first()
    return render(request, "meetings/survey_report.html", {"s": stats, "survey": survey, "report": report})


# --- deputies ------------------------------------------------------------------------------

def _score_page(request, pk):
    survey = get_object_or_404(SatisfactionSurvey.objects.select_related("poll", "meeting"), pk=pk)
    refusal = _score_refusal(request, survey)
    if refusal is not None:
        return refusal
    return render(request, "meetings/score.html", {"survey": survey, "form": mforms.ScoreForm(survey=survey)})


@checks_staff_session
def score(request, pk):
    """The scoring page, and the cast score (congress/casting.py: with the page's cast pass no session is loaded)."""
    if request.method == "POST":
        return casting.cast(request, pk, SCORING)
    return casting.signed_in(request, lambda: _score_page(request, pk))


def _score_refusal(request, survey, status_done: int = 200):
    """What the scoring page says to someone who may not score now (404, the first score stands, 403), or None."""
    person = person_of(request.user)
    if person is None or not survey.poll.electors.filter(person=person).exists():
        raise Http404
    if services.vote_record_exists(survey.poll, person):
        return casting.render_done(request, SCORING, survey, status=status_done)
    if not voting_window_open(survey.poll):
        return render(request, "meetings/score_closed.html", {"survey": survey}, status=403)
    return None


def _store_score(survey, post, user_id, signed_in):
    if survey.scale == SatisfactionSurvey.Scale.RATINGS:  # many items: the form reads them
        form = mforms.ScoreForm(post, survey=survey)
        if not form.is_valid():
            raise ValidationError([])  # the page again shows the form's errors
        value = form.cleaned_data["value"]
    else:
        value = post.get("value", "")
    return services.survey_respond(survey=survey, user_id=user_id, value=value, signed_in=signed_in)


def _score_refused(request, pk, refusal: ValidationError):
    survey = SatisfactionSurvey.objects.select_related("poll", "meeting").get(pk=pk)
    refused = _score_refusal(request, survey, status_done=409)
    if refused is not None:
        return refused
    form = mforms.ScoreForm(request.POST, survey=survey)
    if form.is_valid():
        for message in refusal.messages:
            form.add_error(None, message)
    return render(request, "meetings/score.html", {"survey": survey, "form": form}, status=422)


SCORING = casting.Casting(name="survey", load=selectors.survey_for_scoring, store=_store_score,
                          title=lambda survey: survey.subject, done="meetings/score_done.html", closed="meetings/score_closed.html", refused=_score_refused)
