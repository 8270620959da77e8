from functools import partial

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from congress import ballot_box, casting, safeguards, workflows
from congress.decorators import checks_staff_session, staff_required
from congress.files import REPORT_KINDS, file_response
from congress.forms import ConfirmCloseForm
from congress.models import SecretPoll
from congress.polls import poll_mark_paper_voters, reconciliation, voting_window_open
from congress.printing import pdf_response
from congress.queue import send_after_commit
from congress.responses import act, refuse
from meetings import forms as mforms
from meetings import reports, selectors, services
from meetings.models import AgendaItem, Attendee, DeliberationOpinion, Meeting, Report, SatisfactionSurvey
from projects.models import Ballot
from projects.predicates import person_of


def _meeting_in_scope(request, pk):
    return get_object_or_404(Meeting.objects.in_scope(request.user).select_related("body__division", "session"), pk=pk)


# --- staff -----------------------------------------------------------------------------

@staff_required
def meeting_list(request):
    meetings = Meeting.objects.in_scope(request.user).select_related("body").order_by("-date", "-pk")[:300]
    return render(request, "meetings/meeting_list.html", {"meetings": meetings})


@staff_required
def meeting_new(request):
    form = mforms.MeetingForm(request.POST if request.method == "POST" else None, user=request.user)
    page = partial(render, request, "meetings/meeting_form.html", {"form": form})
    if request.method != "POST":
        return page()
    return act(request, form=form, on_form=True, page=page,
               action=lambda d: services.meeting_create(acting_user=request.user, **d),
               done=lambda meeting: reverse("meetings:meeting", args=[meeting.pk]))


@staff_required
def meeting_detail(request, pk):
    return _meeting_page(request, pk)


def _meeting_page(request, pk, *, status=200):
    meeting = _meeting_in_scope(request, pk)
    attendees = list(meeting.attendees.select_related("person", "group").order_by("-voting", "person__name"))
    surveys = list(meeting.surveys.select_related("poll", "item").order_by("pk"))
    agenda = list(meeting.agenda.select_related("ballot__poll").order_by("order"))
    q = services.quorum(meeting)
    return render(request, "meetings/meeting_detail.html", {
        "meeting": meeting, "attendees": attendees, "agenda": agenda, "surveys": surveys, "quorum": q,
        "opinions": meeting.opinions.select_related("item").order_by("due_date", "pk"),
        "reports": meeting.reports.select_related("survey").order_by("-pk")[:20],
        "agenda_form": mforms.AgendaItemForm(meeting=meeting), "survey_form": mforms.SurveyForm(meeting=meeting),
        "year_end_form": mforms.YearEndEvaluationForm(initial={"year": meeting.date.year}),
        "opinion_form": mforms.OpinionForm(meeting=meeting),
        "inspection_form": mforms.InspectionForm(meeting=meeting), "group_form": mforms.GroupForm(meeting=meeting),
        "gather_form": mforms.GatherOpinionsForm(meeting=meeting),
        "gathered": meeting.gathered_opinions.select_related("category").order_by("reference"),
        "inspections": meeting.inspections.prefetch_related("participants").order_by("date", "pk"),
        "groups": meeting.groups.annotate(n=Count("members")).order_by("name"),
        "next_states": workflows.allowed(meeting),
        "refresh": any(r.state in (Report.State.QUEUED, Report.State.BUILDING) for r in meeting.reports.all()[:20]),
    }, status=status)


def on_meeting_page(request, meeting_id, *, queue_down: str = "") -> dict:
    """Where an action of the meeting's page answers (`act`): its page, again or after the redirect; a task that
    could not be queued is said there (the action itself was saved: the page says what is still to do)."""
    return {"page": partial(_meeting_page, request, meeting_id),
            "done": reverse("meetings:meeting", args=[meeting_id]),
            "queue_down": queue_down or _("Saved, but the background task could not be queued: the task queue is "
                                          "not reachable. Use “Build again” once it is back.")}


@staff_required
@require_POST
def meeting_transition(request, pk):
    meeting = _meeting_in_scope(request, pk)
    to = request.POST.get("to", "")
    if to not in Meeting.State.values:
        return refuse(request, partial(_meeting_page, request, meeting.pk), _("Unknown stage."))
    return act(request, **on_meeting_page(request, meeting.pk), success=_("Stage changed."),
               action=lambda: services.meeting_transition(meeting=meeting, to=to, acting_user=request.user))


@staff_required
@require_POST
def agenda_add(request, pk):
    meeting = _meeting_in_scope(request, pk)
    return act(request, form=mforms.AgendaItemForm(request.POST, meeting=meeting),
               **on_meeting_page(request, meeting.pk), success=_("Agenda item added."),
               action=lambda d: services.agenda_add(meeting=meeting, acting_user=request.user, **d))


@staff_required
@require_POST
def attendance(request, pk):
    meeting = _meeting_in_scope(request, pk)
    return act(request, form=mforms.AttendanceForm(request.POST), **on_meeting_page(request, meeting.pk),
               action=lambda d: services.attendee_set_status(
                   attendee=get_object_or_404(Attendee, pk=d["attendee"], meeting=meeting), status=d["status"],
                   reason=d["reason"], acting_user=request.user))


@staff_required
@require_POST
def item_open_ballot(request, pk, item_pk):
    meeting = _meeting_in_scope(request, pk)
    item = get_object_or_404(AgendaItem.objects.select_related("ballot__poll"), pk=item_pk, meeting=meeting,
                             kind=AgendaItem.Kind.PROJECT_BALLOT)
    back = reverse("meetings:meeting", args=[meeting.pk])

    def open_poll(scrutineers, threshold):
        return services.meeting_open_ballot(item=item, scrutineers=scrutineers, threshold=threshold,
                                            acting_user=request.user).poll

    return ballot_box.open_and_show_cards(request, open_poll=open_poll, back_url=back,
                                          page=partial(_meeting_page, request, meeting.pk))


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


@staff_required
@require_POST
def inspection_add(request, pk):
    meeting = _meeting_in_scope(request, pk)
    return act(request, form=mforms.InspectionForm(request.POST, meeting=meeting),
               **on_meeting_page(request, meeting.pk), success=_("Inspection recorded."),
               action=lambda d: services.inspection_add(
                   meeting=meeting, date=d["date"], place=d["place"], findings=d["findings"],
                   participants=[a.person for a in d["participants"]], acting_user=request.user))


@staff_required
@require_POST
def opinions_gather(request, pk):
    meeting = _meeting_in_scope(request, pk)
    return act(request, form=mforms.GatherOpinionsForm(request.POST, meeting=meeting),
               **on_meeting_page(request, meeting.pk), success=_("Opinions put before the meeting."),
               action=lambda d: services.opinions_gather(meeting=meeting, opinions=list(d["opinions"]),
                                                         acting_user=request.user))


@staff_required
@require_POST
def group_add(request, pk):
    meeting = _meeting_in_scope(request, pk)
    return act(request, form=mforms.GroupForm(request.POST, meeting=meeting), **on_meeting_page(request, meeting.pk),
               action=lambda d: services.group_create(meeting=meeting, name=d["name"],
                                                      members=[a.person for a in d["members"]],
                                                      acting_user=request.user),
               success=_("Group set up."))


@staff_required
@require_POST
def opinion_send(request, pk):
    meeting = _meeting_in_scope(request, pk)
    return act(request, form=mforms.OpinionForm(request.POST, meeting=meeting), **on_meeting_page(request, meeting.pk),
               action=lambda d: services.opinion_send(meeting=meeting, acting_user=request.user, **d),
               success=_("Opinion sent."))


@staff_required
@require_POST
def opinion_respond(request, pk, opinion_pk):
    meeting = _meeting_in_scope(request, pk)
    opinion = get_object_or_404(DeliberationOpinion, pk=opinion_pk, meeting=meeting)
    if request.POST.get("close"):
        return act(request, **on_meeting_page(request, meeting.pk), success=_("Opinion closed."),
                   action=lambda: services.opinion_close(opinion=opinion, acting_user=request.user))
    return act(request, form=mforms.ResponseForm(request.POST), **on_meeting_page(request, meeting.pk),
               action=lambda d: services.opinion_respond(opinion=opinion, response=d["response"],
                                                         on=timezone.localdate(), acting_user=request.user),
               success=_("Response recorded."))


@staff_required
@require_POST
def report_request(request, pk):
    meeting = _meeting_in_scope(request, pk)
    return act(request, **on_meeting_page(request, meeting.pk), success=_("The meeting report is being built."),
               action=lambda: services.report_request(meeting=meeting, kind=Report.Kind.MEETING,
                                                      acting_user=request.user))


@staff_required
@require_POST
def notices_send(request, pk):
    meeting = _meeting_in_scope(request, pk)

    def queue():
        from meetings.tasks import send_meeting_notices

        send_after_commit(send_meeting_notices, meeting.pk, on_failure=lambda error: None)

    return act(request, **on_meeting_page(request, meeting.pk, queue_down=_(
        "No notice was sent: the task queue is not reachable. Send the notices again once it is back; nobody "
        "receives one twice.")), action=queue, success=_("Notices are being sent."))


@staff_required
@require_POST
def report_rebuild(request, pk):
    report = get_object_or_404(Report.objects.filter(meeting__in=Meeting.objects.in_scope(request.user)), pk=pk)
    return act(request, **on_meeting_page(request, report.meeting_id), success=_("The report is being built again."),
               action=lambda: services.report_rebuild(report=report, acting_user=request.user))


@staff_required
def report_download(request, pk):
    report = get_object_or_404(Report.objects.filter(meeting__in=Meeting.objects.in_scope(request.user)),
                               pk=pk, state=Report.State.DONE)
    return file_response(report.pdf, filename=f"{report.kind}-{report.meeting_id}.pdf", kinds=REPORT_KINDS,
                         download=True)


_pdf_response = pdf_response


@staff_required
def sign_in_sheet(request, pk):
    meeting = _meeting_in_scope(request, pk)
    base = request.build_absolute_uri(reverse("meetings:sign_in", kwargs={"pk": meeting.pk}))
    rows = []
    for a in meeting.attendees.select_related("person").order_by("-voting", "person__name"):
        qr = segno.make(f"{base}?code={a.sign_in_code}", error="m").svg_inline(scale=2, border=1)
        rows.append({"attendee": a, "qr": qr})
    html = render_to_string("meetings/print/sign_in_sheet.html", {"meeting": meeting, "rows": rows})
    return _pdf_response(html, f"sign-in-{meeting.pk}.pdf")


@staff_required
def paper_forms(request, pk):
    meeting = _meeting_in_scope(request, pk)
    ballots = Ballot.objects.filter(agenda_items__meeting=meeting).select_related("poll").prefetch_related(
        "candidates__project").distinct()
    html = render_to_string("meetings/print/paper_forms.html", {
        "meeting": meeting, "ballots": ballots, "surveys": meeting.surveys.prefetch_related("items").order_by("pk")})
    return _pdf_response(html, f"paper-forms-{meeting.pk}.pdf")


# --- deputies ------------------------------------------------------------------------------

@login_required
def my_meetings(request):
    return _my_meetings_page(request)


def _my_meetings_page(request, *, status=200):
    person = person_of(request.user)
    if person is None:
        return render(request, "meetings/my_meetings.html", {"attendances": [], "surveys": []}, status=status)
    attendances = (Attendee.objects.filter(person=person).exclude(meeting__state=Meeting.State.CLOSED)
                   .select_related("meeting__body").order_by("meeting__date"))
    surveys = (SatisfactionSurvey.objects.filter(poll__state=SecretPoll.State.OPEN, poll__electors__person=person)
               .exclude(poll__vote_records__elector__person=person).select_related("meeting").order_by("pk"))
    return render(request, "meetings/my_meetings.html", {"attendances": attendances, "surveys": surveys},
                  status=status)


@login_required
def sign_in(request, pk):
    meeting = get_object_or_404(Meeting, pk=pk)
    person = person_of(request.user)
    attendee = meeting.attendees.filter(person=person).first() if person else None
    if attendee is None:
        raise Http404
    form = mforms.SignInForm(request.POST if request.method == "POST" else None, initial={"code": request.GET.get("code", "")})
    page = partial(render, request, "meetings/sign_in.html", {"meeting": meeting, "attendee": attendee, "form": form})
    if request.method != "POST":
        return page()
    if attendee.status == Attendee.Status.PRESENT:
        # the code is used once: signing in again (the form sent twice, the QR code scanned again) changes nothing
        return render(request, "meetings/sign_in.html", {"meeting": meeting, "attendee": attendee, "form": form,
                                                         "used": True}, status=409)
    # refused: a wrong code; or signed in from another device a moment ago
    return act(request, form=form, on_form=True, field="code", page=page,
               action=lambda d: services.attendee_sign_in_with_code(meeting=meeting, person=person, code=d["code"]),
               success=_("You are signed in."), done=reverse("meetings:my_meetings"))


@login_required
@require_POST
def request_leave(request, pk):
    meeting = get_object_or_404(Meeting, pk=pk)
    person = person_of(request.user)
    if person is None or not meeting.attendees.filter(person=person).exists():
        raise Http404
    return act(request, form=mforms.LeaveRequestForm(request.POST), page=partial(_my_meetings_page, request),
               action=lambda d: services.attendee_request_leave(meeting=meeting, person=person, reason=d["reason"]),
               success=_("Your leave is recorded."), done=reverse("meetings:my_meetings"))


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
