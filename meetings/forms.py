from django import forms
from django.utils.translation import gettext_lazy as _

from congress.forms import DateInput, ModelMultipleChoiceField
from congress.models import CongressBody, Session
from deputies.models import Person, ResidentOpinion
from meetings.models import AgendaItem, Attendee, Meeting, SatisfactionSurvey
from projects.models import Ballot, Project


class MeetingForm(forms.ModelForm):
    class Meta:
        model = Meeting
        fields = ("body", "session", "kind", "title", "date", "place")
        widgets = {"date": DateInput()}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].queryset = CongressBody.objects.in_scope(user)
        self.fields["session"].queryset = Session.objects.in_scope(user).select_related("term__body")

    def clean(self):
        data = super().clean()
        if data.get("session") and data.get("body") and data["session"].term.body_id != data["body"].pk:
            self.add_error("session", _("The session belongs to another body."))
        return data


class AgendaItemForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=AgendaItem.Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    reporter = forms.CharField(label=_("Reported by"), max_length=120, required=False)
    reporting_unit = forms.CharField(label=_("Reporting unit"), max_length=120, required=False)
    ballot = forms.ModelChoiceField(label=_("Project ballot"), queryset=Ballot.objects.none(), required=False)
    projects = ModelMultipleChoiceField(label=_("Projects reported on"), queryset=Project.objects.none(),
                                        required=False)

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ballot"].queryset = Ballot.objects.filter(poll__body=meeting.body, poll__state="draft").select_related("poll")
        self.fields["projects"].queryset = Project.objects.filter(body=meeting.body).order_by("-year", "title")

    def clean(self):
        data = super().clean()
        if data.get("kind") == AgendaItem.Kind.PROJECT_BALLOT and not data.get("ballot"):
            self.add_error("ballot", _("A ballot item needs its ballot."))
        if data.get("kind") != AgendaItem.Kind.PROJECT_BALLOT and data.get("ballot"):
            self.add_error("ballot", _("Only a ballot item carries a ballot."))
        return data


class AttendanceForm(forms.Form):
    attendee = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.ChoiceField(choices=Attendee.Status.choices)
    reason = forms.CharField(max_length=200, required=False)


class YearEndEvaluationForm(forms.Form):
    year = forms.IntegerField(label=_("Year of the projects"), min_value=2000, max_value=2100)


class SurveyForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=200)
    scale = forms.ChoiceField(label=_("Scale"), choices=SatisfactionSurvey.Scale.choices)
    item = forms.ModelChoiceField(label=_("Agenda item"), queryset=AgendaItem.objects.none(), required=False)
    project = forms.ModelChoiceField(label=_("Livelihood project"), queryset=Project.objects.none(), required=False)
    bands = forms.CharField(label=_("Grade bands"), initial="90,80,60", required=False,
                            help_text=_("Lower bounds, highest first, separated by commas."))
    items = forms.CharField(
        label=_("Items to rate"), required=False, widget=forms.Textarea(attrs={"rows": 6}), max_length=20000,
        help_text=_("For three-level ratings: one item a line; put the area first and a colon to group items, "
                    "e.g. “Environment: river clean-up”."))
    rating_base = forms.ChoiceField(label=_("Ratings counted against"), choices=SatisfactionSurvey.RatingBase.choices,
                                    initial=SatisfactionSurvey.RatingBase.MEMBERS, required=False)
    rating_percent = forms.IntegerField(label=_("Ratings threshold (%)"), min_value=1, max_value=99, initial=50,
                                        required=False,
                                        help_text=_("More than this share is needed; 50 means more than half."))

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = meeting.agenda.all()
        self.fields["project"].queryset = Project.objects.filter(body=meeting.body).order_by("-year", "title")

    def clean_rating_base(self):
        return self.cleaned_data.get("rating_base") or SatisfactionSurvey.RatingBase.MEMBERS

    def clean_rating_percent(self):
        value = self.cleaned_data.get("rating_percent")
        return 50 if value is None else value

    def clean_items(self):
        """Lines → (area, title) pairs; "area: title" (either colon) groups an item under its area."""
        out = []
        for line in (self.cleaned_data.get("items") or "").splitlines():
            line = line.strip()
            if not line:
                continue
            area, sep, title = line.replace("：", ":").partition(":")
            out.append((area.strip(), title.strip()) if sep else ("", line))
        return out

    def clean_bands(self):
        raw = (self.cleaned_data.get("bands") or "").replace("，", ",")
        if not raw.strip():
            return list(SatisfactionSurvey.DEFAULT_BANDS)
        try:
            bands = [int(x) for x in raw.split(",") if x.strip()]
        except ValueError as exc:
            raise forms.ValidationError(_("Write whole numbers separated by commas, e.g. 90,80,60.")) from exc
        if any(not 0 < b <= 100 for b in bands) or bands != sorted(set(bands), reverse=True):
            raise forms.ValidationError(_("Grade bands are distinct whole numbers from 1 to 100, highest first."))
        return bands


class RatingsFields:
    """One three-level choice per rated item (`item_<position>`), and `value`, {position: grade}, once clean."""

    rating_error = _("Rate this item.")

    def add_rating_fields(self, survey, required=True):
        self.rated = list(survey.items.all())
        for item in self.rated:
            self.fields[f"item_{item.position}"] = forms.TypedChoiceField(
                label=item.title, choices=SatisfactionSurvey.GRADES, coerce=int, widget=forms.RadioSelect,
                required=required, error_messages={"required": self.rating_error})

    def rating_groups(self) -> list[tuple[str, list]]:
        """The bound fields grouped by area, in the order of the form (for a phone: one card per area)."""
        out = []
        for item in self.rated:
            if not out or out[-1][0] != item.area:
                out.append((item.area, []))
            out[-1][1].append(self[f"item_{item.position}"])
        return out

    def ratings_value(self) -> dict:
        return {i.position: self.cleaned_data[f"item_{i.position}"] for i in self.rated
                if self.cleaned_data.get(f"item_{i.position}") not in (None, "")}


class ScoreForm(RatingsFields, forms.Form):
    """A deputy's score: 0–100 points or a grade, per the survey's scale; or a rating of every item."""

    def __init__(self, *args, survey, **kwargs):
        super().__init__(*args, **kwargs)
        self.ratings = survey.scale == SatisfactionSurvey.Scale.RATINGS
        if self.ratings:
            self.add_rating_fields(survey)
        elif survey.scale == SatisfactionSurvey.Scale.POINTS:
            self.fields["value"] = forms.IntegerField(
                label=_("Your score (0–100)"), min_value=0, max_value=100,
                widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "form-control-lg"}),
                error_messages={"min_value": _("A score is from 0 to 100."), "max_value": _("A score is from 0 to 100."),
                                "required": _("Give a score from 0 to 100."), "invalid": _("Give a whole-number score.")},
            )
        else:
            self.fields["value"] = forms.TypedChoiceField(
                label=_("Your grade"), choices=SatisfactionSurvey.GRADES, coerce=int, widget=forms.RadioSelect,
                error_messages={"required": _("Choose satisfied, basically satisfied or dissatisfied.")},
            )


    def clean(self):
        data = super().clean()
        if self.ratings and not self.errors:
            data["value"] = self.ratings_value()
        return data


class PaperScoreForm(forms.Form):
    status = forms.ChoiceField(label=_("This paper form is"), choices=[
        ("valid", _("Valid")), ("blank", _("Blank")), ("invalid", _("Invalid"))], initial="valid")
    value = forms.IntegerField(label=_("Score or grade (2 satisfied, 1 basically, 0 dissatisfied)"), required=False)


class PaperRatingsForm(RatingsFields, PaperScoreForm):
    """A paper ratings form, entered by a teller: every item's rating, unless the form is blank or invalid."""

    def __init__(self, *args, survey, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["value"]
        self.add_rating_fields(survey, required=False)

    def clean(self):
        data = super().clean()
        data["value"] = self.ratings_value()
        if data.get("status") == "valid":
            for item in self.rated:
                if data.get(f"item_{item.position}") in (None, ""):
                    self.add_error(f"item_{item.position}", self.rating_error)
        return data


def paper_score_form(survey, data=None):
    if survey.scale == SatisfactionSurvey.Scale.RATINGS:
        return PaperRatingsForm(data, survey=survey)
    return PaperScoreForm(data)


class SurveyPaperVotersForm(forms.Form):
    people = ModelMultipleChoiceField(label=_("Deputies who were issued a paper form"), queryset=None)

    def __init__(self, *args, survey, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["people"].queryset = Person.objects.filter(attendances__meeting=survey.meeting_id)


class LeaveRequestForm(forms.Form):
    reason = forms.CharField(label=_("Reason for leave"), max_length=200)


class SignInForm(forms.Form):
    code = forms.CharField(label=_("Sign-in code"), max_length=8,
                           widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters",
                                                         "class": "form-control-lg"}))


class OpinionForm(forms.Form):
    text = forms.CharField(label=_("Opinion"), widget=forms.Textarea(attrs={"rows": 2}), max_length=3000)
    unit = forms.CharField(label=_("Responsible unit"), max_length=120)
    due_date = forms.DateField(label=_("Due"), widget=DateInput())
    item = forms.ModelChoiceField(label=_("Agenda item"), queryset=AgendaItem.objects.none(), required=False)

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = meeting.agenda.all()


class ResponseForm(forms.Form):
    response = forms.CharField(label=_("Unit's response"), widget=forms.Textarea(attrs={"rows": 2}), max_length=3000)


class InspectionForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DateInput())
    place = forms.CharField(label=_("Place"), max_length=200)
    findings = forms.CharField(label=_("Findings"), widget=forms.Textarea(attrs={"rows": 2}), max_length=5000)
    participants = ModelMultipleChoiceField(label=_("Who went"), queryset=Attendee.objects.none(), required=False)

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["participants"].queryset = meeting.attendees.select_related("person").order_by("person__name")
        self.fields["participants"].label_from_instance = lambda a: a.person.name


class GroupForm(forms.Form):
    name = forms.CharField(label=_("Group name"), max_length=60)
    members = ModelMultipleChoiceField(label=_("Members"), queryset=Attendee.objects.none(), required=False)

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = meeting.attendees.select_related("person").order_by("person__name")
        self.fields["members"].label_from_instance = lambda a: a.person.name


class GatherOpinionsForm(forms.Form):
    opinions = ModelMultipleChoiceField(label=_("Residents' opinions"), queryset=None)

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        recent = (ResidentOpinion.objects.filter(division__path__startswith=meeting.body.division.path)
                  .exclude(meetings=meeting).order_by("-received_at")[:200])
        # the 200 most recent, as a queryset that can still be filtered: the field looks the chosen ids up in it
        self.fields["opinions"].queryset = ResidentOpinion.objects.filter(pk__in=recent.values("pk")).order_by(
            "-received_at")
