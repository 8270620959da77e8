from django import forms
from django.utils.translation import gettext_lazy as _

from congress.files import ATTACHMENT_KINDS, upload_form_field
from congress.forms import DateInput, DateTimeField, FilterForm, ModelMultipleChoiceField, id_field
from congress.models import CongressBody, Division, Elector, Session
from congress.predicates import people_in_scope
from deputies.models import HandlingUnit, Person
from projects.models import PHOTO_KINDS, Ballot, Category, Project
from projects.supervision import eligible_supervisors

VOTING_BODY_KINDS = (CongressBody.Kind.DISTRICT_CONGRESS, CongressBody.Kind.TOWNSHIP_CONGRESS,
                     CongressBody.Kind.DELIBERATION_CONGRESS)


class PublicProposalForm(forms.Form):
    body = forms.ModelChoiceField(
        queryset=CongressBody.objects.filter(kind__in=VOTING_BODY_KINDS).select_related("division"),
        label=_("Where"), help_text=_("The district, town or sub-district the project is for."),
    )
    title = forms.CharField(label=_("Project"), max_length=120, min_length=4)
    category = forms.ModelChoiceField(queryset=Category.objects.all(), label=_("Category"))
    description = forms.CharField(label=_("What should be done, and why"), widget=forms.Textarea(attrs={"rows": 5}),
                                  min_length=10, max_length=3000)
    proposer_name = forms.CharField(label=_("Your name (optional)"), max_length=50, required=False)
    proposer_contact = forms.CharField(label=_("Phone or e-mail (optional)"), max_length=50, required=False)
    consent = forms.BooleanField(label=_("I have read the privacy notice above."), required=True)
    # A field people never see; bots fill it in.
    website = forms.CharField(required=False, widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}))

    def clean_website(self):
        if self.cleaned_data.get("website"):
            raise forms.ValidationError(_("This form could not be accepted."))
        return ""

    def clean_title(self):
        title = self.cleaned_data["title"].strip()
        if not title:
            raise forms.ValidationError(_("Name the project."))
        return title


class StaffProjectForm(forms.ModelForm):
    class Meta:
        model = Project
        fields = ("body", "year", "title", "category", "description", "estimated_budget", "handling_unit",
                  "responsible_unit", "source", "source_detail", "proposer_name", "proposer_contact")
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}
        help_texts = {"responsible_unit": _("Only for a unit not yet kept as a handling unit.")}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].queryset = CongressBody.objects.in_scope(user).filter(kind__in=VOTING_BODY_KINDS)
        self.fields["handling_unit"].queryset = HandlingUnit.objects.in_scope(user).select_related("body")
        self.fields["handling_unit"].label_from_instance = lambda u: f"{u.name} · {u.body.name}"
        # that the unit belongs to the chosen body is the service's rule (projects.services._name_unit)

    def clean(self):
        data = super().clean()
        unit, typed = data.get("handling_unit"), (data.get("responsible_unit") or "").strip()
        # a kept unit names the project (its name replaces the free text): a different name typed beside it would
        # be dropped without a word, so it is refused instead
        if unit is not None and typed and typed != unit.name and "responsible_unit" in self.changed_data:
            self.add_error("responsible_unit", _("A handling unit is chosen: the project carries its name (%(unit)s). "
                                                 "Leave this blank, or choose no handling unit.") % {"unit": unit.name})
        return data


class ProjectMoveForm(forms.Form):
    to = forms.ChoiceField(label=_("Move to"), choices=[
        (Project.State.APPRAISAL, Project.State.APPRAISAL.label),
        (Project.State.CANDIDATE, Project.State.CANDIDATE.label),
        (Project.State.NOT_ADOPTED, Project.State.NOT_ADOPTED.label),
        (Project.State.COMPLETED, Project.State.COMPLETED.label),
        (Project.State.EVALUATED, Project.State.EVALUATED.label),
    ])
    reason = forms.CharField(label=_("Reason or note"), max_length=300, required=False)

    def clean(self):
        data = super().clean()
        if data.get("to") == Project.State.NOT_ADOPTED and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Give the reason why the project is not adopted."))
        return data


class BallotForm(forms.ModelForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.ModelChoiceField(queryset=CongressBody.objects.none(), label=_("Congress body"))
    opens_at = DateTimeField(label=_("Voting opens"), required=False,
                             widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    closes_at = DateTimeField(label=_("Voting closes"), required=False,
                              widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))

    class Meta:
        model = Ballot
        fields = ("session", "year", "method", "max_choices", "seats", "threshold", "tie_rule")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].queryset = CongressBody.objects.in_scope(user).filter(kind__in=VOTING_BODY_KINDS)
        self.fields["session"].queryset = Session.objects.in_scope(user).select_related("term__body")
        if self.instance.pk:
            del self.fields["body"]
            self.initial.update({"title": self.instance.poll.title, "opens_at": self.instance.poll.opens_at,
                                 "closes_at": self.instance.poll.closes_at})

    def clean(self):
        data = super().clean()
        if data.get("method") == Ballot.Method.APPROVE_UP_TO and not data.get("max_choices"):
            data["max_choices"] = data.get("seats")
        if data.get("method") == Ballot.Method.FOR_AGAINST:
            data["max_choices"] = None  # N means nothing when every project is voted on (the service agrees)
        if data.get("opens_at") and data.get("closes_at") and data["closes_at"] <= data["opens_at"]:
            self.add_error("closes_at", _("Voting closes after it opens."))
        body = data.get("body") or (self.instance.poll.body if self.instance.pk else None)
        if data.get("session") and body and data["session"].term.body_id != body.pk:
            self.add_error("session", _("The session belongs to another body."))
        return data


class CandidatesForm(forms.Form):
    projects = ModelMultipleChoiceField(queryset=Project.objects.none(), label=_("Candidate projects"),
                                        widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, ballot, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["projects"].queryset = Project.objects.filter(
            body=ballot.poll.body, state=Project.State.CANDIDATE
        ).select_related("category").order_by("title")


def vote_choices(ballot, data) -> dict | None:
    """A posted ballot's choices, read without building its form (`ballot_contents` checks them; the form is built
    only to show why a ballot was refused). None when they are not even well formed."""
    if ballot.method == Ballot.Method.APPROVE_UP_TO:
        raw = data.getlist("approve")
        # ASCII digits only ("²".isdigit() but int() refuses it), and few enough for int() and a database id
        return {"approve": [int(v) for v in raw]} if all(v.isascii() and v.isdigit() and len(v) <= 18
                                                          for v in raw) else None
    return {c.pk: data[f"c{c.pk}"] for c in ballot.candidates.all() if f"c{c.pk}" in data}


def vote_form_class(ballot):
    """The deputy's ballot form, built from the ballot's candidates."""
    candidates = list(ballot.candidates.all())

    if ballot.method == Ballot.Method.APPROVE_UP_TO:
        class ApproveForm(forms.Form):
            approve = forms.TypedMultipleChoiceField(
                choices=[(c.pk, c.project.title) for c in candidates], coerce=int, required=False,
                widget=forms.CheckboxSelectMultiple, label=_("Projects you approve"),
            )

            def choices(self):
                return {"approve": self.cleaned_data.get("approve", [])}

        return ApproveForm

    faa = [("for", _("For")), ("against", _("Against")), ("abstain", _("Abstain"))]
    fields = {
        f"c{c.pk}": forms.ChoiceField(choices=faa, widget=forms.RadioSelect, label=c.project.title,
                                      error_messages={"required": _("Choose for, against or abstain.")})
        for c in candidates
    }

    def choices(self):
        return {int(k[1:]): v for k, v in self.cleaned_data.items()}

    return type("ForAgainstForm", (forms.Form,), {**fields, "choices": choices})


class PaperVotersForm(forms.Form):
    electors = ModelMultipleChoiceField(queryset=Elector.objects.none(), widget=forms.CheckboxSelectMultiple,
                                        label=_("Deputies who were issued a paper ballot"))

    def __init__(self, *args, ballot, **kwargs):
        super().__init__(*args, **kwargs)
        qs = Elector.objects.filter(poll=ballot.poll, vote_record__isnull=True).select_related("person")
        self.fields["electors"].queryset = qs.order_by("person__name")
        self.fields["electors"].label_from_instance = lambda e: e.person.name


class PaperStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("This paper ballot is"), choices=[
        ("valid", _("Valid")), ("blank", _("Blank")), ("invalid", _("Invalid"))], widget=forms.RadioSelect,
        initial="valid")


class TieBreakForm(forms.Form):
    candidates = forms.TypedMultipleChoiceField(coerce=int, widget=forms.CheckboxSelectMultiple,
                                                label=_("Adopt these tied projects"))
    reason = forms.CharField(label=_("Reason"), max_length=300)

    def __init__(self, *args, ballot, **kwargs):
        super().__init__(*args, **kwargs)
        tied = set(ballot.result.data.get("tied", [])) if hasattr(ballot, "result") else set()
        self.fields["candidates"].choices = [(c.pk, c.project.title) for c in ballot.candidates.all() if c.pk in tied]


class MilestoneForm(forms.Form):
    title = forms.CharField(label=_("Milestone"), max_length=120)
    due_date = forms.DateField(label=_("Due"), widget=DateInput())


class ProgressForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DateInput())
    percent = forms.IntegerField(label=_("Progress (%)"), min_value=0, max_value=100)
    text = forms.CharField(label=_("Report"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)
    attachment = upload_form_field(label=_("Attachment"), kinds=ATTACHMENT_KINDS, max_mb=10, required=False)
    public = forms.BooleanField(label=_("Show on the public page (民生码)"), required=False,
                                help_text=_("Residents who scan the project's code see this report and its photo."))


class SupervisorsForm(forms.Form):
    """The project's supervising deputies, picked among the deputies of its body within the staff's scope."""

    presidium = forms.ModelChoiceField(queryset=Person.objects.none(), required=False,
                                       label=_("Presidium member (lead)"))
    deputies = ModelMultipleChoiceField(queryset=Person.objects.none(), required=False,
                                        label=_("Supervising deputies"), widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, project, user, **kwargs):
        super().__init__(*args, **kwargs)
        qs = eligible_supervisors(project).filter(pk__in=people_in_scope(user).values("pk"))
        self.fields["presidium"].queryset = qs
        self.fields["deputies"].queryset = qs


class SupervisionTaskCloseForm(forms.Form):
    outcome = forms.CharField(label=_("What the unit did"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class SiteVisitForm(forms.Form):
    date = forms.DateField(label=_("Date of the visit"), widget=DateInput())
    findings = forms.CharField(label=_("Findings"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)
    photo = upload_form_field(label=_("Photo"), kinds=PHOTO_KINDS, max_mb=10, required=False)


class ResidentRatingForm(forms.Form):
    stars = forms.TypedChoiceField(label=_("Your rating"), coerce=int, widget=forms.RadioSelect,
                                   choices=[(n, str(n)) for n in range(5, 0, -1)])
    comment = forms.CharField(label=_("Comment (optional)"), required=False, max_length=300,
                              widget=forms.Textarea(attrs={"rows": 3}))
    website = forms.CharField(required=False, widget=forms.HiddenInput)  # bots fill it in

    def clean_website(self):
        if self.cleaned_data.get("website"):
            raise forms.ValidationError(_("Please leave the hidden field empty."))
        return ""


class BoardForm(FilterForm):
    body = id_field()


class OpinionProjectForm(forms.Form):
    body = forms.ModelChoiceField(queryset=CongressBody.objects.none(), label=_("Congress body"))
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    title = forms.CharField(label=_("Project"), max_length=120)
    category = forms.ModelChoiceField(queryset=Category.objects.all(), label=_("Category"))

    def __init__(self, *args, user, opinion, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].queryset = CongressBody.objects.in_scope(user).filter(
            kind__in=VOTING_BODY_KINDS, division__path__in=[opinion.division.path[:i + 1]
                                                            for i, ch in enumerate(opinion.division.path) if ch == "/"])


class ProjectFilterForm(FilterForm):
    body = id_field()
    year = forms.IntegerField(required=False, min_value=2000, max_value=2100)
    category = id_field()
    state = forms.ChoiceField(choices=Project.State.choices, required=False)
    level = forms.ChoiceField(choices=Division.Level.choices, required=False)
    q = forms.CharField(max_length=100, required=False)
