from django import forms
from django.apps import apps
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from congress.files import ROSTER_KINDS, upload_form_field
from congress.forms import DateInput, FilterForm, ModelMultipleChoiceField, id_field
from congress.models import CongressBody, Division, Term
from deputies.models import (
    DutyReport,
    HandlingUnit,
    LiaisonStation,
    OpinionCategory,
    Person,
    PointKind,
    ResidentOpinion,
    Suggestion,
)
from deputies.models.points import REPORTED_KINDS


class RosterUploadForm(forms.Form):
    term = forms.ModelChoiceField(queryset=Term.objects.none(), label=_("Term"))
    file = upload_form_field(label=_("Roster file (.xlsx or .csv)"), kinds=ROSTER_KINDS, max_mb=5)

    def __init__(self, *args, body, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["term"].queryset = Term.objects.filter(body=body).order_by("-number")
        first = self.fields["term"].queryset.first()
        if first and not self.is_bound:
            self.initial.setdefault("term", first.pk)


class RosterConfirmForm(forms.Form):
    payload = forms.CharField(widget=forms.HiddenInput)


# --- residents' opinions ------------------------------------------------------------

INTAKE_LEVELS = (Division.Level.TOWN, Division.Level.TOWNSHIP, Division.Level.SUBDISTRICT,
                 Division.Level.COMMUNITY, Division.Level.VILLAGE)


class DivisionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.parent.name if obj.parent_id else ''} {obj.name}".strip()


class PublicOpinionForm(forms.Form):
    division = DivisionChoiceField(queryset=Division.objects.filter(level__in=INTAKE_LEVELS).select_related("parent"),
                                   label=pgettext_lazy("resident", "Where"), help_text=_("Your town, sub-district, community or village."))
    category = forms.ModelChoiceField(queryset=OpinionCategory.objects.all(), label=_("About"))
    text = forms.CharField(label=_("Your opinion"), widget=forms.Textarea(attrs={"rows": 5}), min_length=5,
                           max_length=3000)
    resident_name = forms.CharField(label=_("Your name (optional)"), max_length=50, required=False)
    resident_contact = forms.CharField(label=_("Phone or e-mail (optional)"), max_length=50, required=False)
    consent = forms.BooleanField(label=_("I have read the privacy notice above."))
    website = forms.CharField(required=False, widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}))

    def clean_website(self):
        if self.cleaned_data.get("website"):
            raise forms.ValidationError(_("This form could not be accepted."))
        return ""

    def clean_text(self):
        text = self.cleaned_data["text"].strip()
        if len(text) < 5:
            raise forms.ValidationError(_("Describe the matter in a few words at least."))
        return text


class StaffOpinionForm(forms.Form):
    division = DivisionChoiceField(queryset=Division.objects.none(), label=pgettext_lazy("resident", "Where"))
    channel = forms.ChoiceField(label=_("Channel"), choices=ResidentOpinion.Channel.choices)
    station = forms.ModelChoiceField(queryset=LiaisonStation.objects.none(), label=_("Station"), required=False)
    taken_by = forms.ModelChoiceField(queryset=Person.objects.none(), label=_("Taken by (deputy)"), required=False)
    category = forms.ModelChoiceField(queryset=OpinionCategory.objects.all(), label=_("Category"))
    text = forms.CharField(label=pgettext_lazy("resident", "Opinion"), widget=forms.Textarea(attrs={"rows": 4}),
                           max_length=3000)
    resident_name = forms.CharField(label=_("Resident's name"), max_length=50, required=False)
    resident_contact = forms.CharField(label=_("Resident's contact"), max_length=50, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["division"].queryset = Division.objects.in_scope(user).filter(level__in=INTAKE_LEVELS).select_related("parent")
        self.fields["station"].queryset = LiaisonStation.objects.in_scope(user)
        self.fields["taken_by"].queryset = Person.objects.in_scope(user).filter(mandates__end_date__isnull=True).distinct()


class WalkInOpinionForm(forms.Form):
    """A walk-in resident's opinion, typed by staff at a liaison station's kiosk: the station is the page's own;
    the place is in the station's area (or the station's own division), the deputy one of the station's."""

    division = DivisionChoiceField(queryset=Division.objects.none(), label=pgettext_lazy("resident", "Where"))
    category = forms.ModelChoiceField(queryset=OpinionCategory.objects.all(), label=_("Category"))
    text = forms.CharField(label=pgettext_lazy("resident", "Opinion"), widget=forms.Textarea(attrs={"rows": 5}),
                           max_length=3000)
    taken_by = forms.ModelChoiceField(queryset=Person.objects.none(), label=_("Taken by (deputy)"), required=False)
    resident_name = forms.CharField(label=_("Resident's name"), max_length=50, required=False)
    resident_contact = forms.CharField(label=_("Resident's contact"), max_length=50, required=False)

    def __init__(self, *args, user, station, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["division"].queryset = (Division.objects.in_scope(user).filter(level__in=INTAKE_LEVELS)
                                            .filter(path__startswith=station.division.path).select_related("parent"))
        self.fields["taken_by"].queryset = station.deputies.all()

    def clean_text(self):
        text = self.cleaned_data["text"].strip()
        if len(text) < 2:
            raise forms.ValidationError(_("Describe the matter in a few words at least."))
        return text


class OpinionFilterForm(FilterForm):
    state = forms.ChoiceField(choices=ResidentOpinion.State.choices, required=False)
    category = id_field()
    overdue = forms.BooleanField(required=False)


class OpinionActionForm(forms.Form):
    to = forms.ChoiceField(label=_("Move to"), choices=ResidentOpinion.State.choices)
    unit = forms.CharField(label=_("Responsible unit"), max_length=120, required=False)
    due_date = forms.DateField(label=_("Due"), required=False, widget=DateInput())
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)
    reply = forms.CharField(label=_("Reply to the resident"), widget=forms.Textarea(attrs={"rows": 2}), required=False,
                            max_length=3000)


class RatingForm(forms.Form):
    rating = forms.TypedChoiceField(label=_("How satisfied are you with the handling?"), coerce=int,
                                    choices=[(5, "5"), (4, "4"), (3, "3"), (2, "2"), (1, "1")], widget=forms.RadioSelect)


class ReceptionForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DateInput())
    on_duty = ModelMultipleChoiceField(queryset=Person.objects.none(), label=_("Deputies on duty"))
    residents = forms.IntegerField(label=_("Residents received"), min_value=0, max_value=100000)
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=3000)

    def __init__(self, *args, station, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["on_duty"].queryset = station.deputies.all()


# --- deputies' suggestions ---------------------------------------------------------

class SuggestionForm(forms.Form):
    body = forms.ModelChoiceField(queryset=CongressBody.objects.none(), label=_("Congress body"))
    title = forms.CharField(label=_("Title"), max_length=200)
    text = forms.CharField(label=_("Suggestion"), widget=forms.Textarea(attrs={"rows": 5}), max_length=10000)
    co_authors = ModelMultipleChoiceField(queryset=Person.objects.none(), label=_("Joint deputies"),
                                          required=False)
    meeting = forms.ModelChoiceField(queryset=None, label=_("Submitted at a meeting (optional)"), required=False)

    def __init__(self, *args, person, **kwargs):
        super().__init__(*args, **kwargs)
        bodies = CongressBody.objects.filter(terms__mandates__person=person, terms__mandates__end_date__isnull=True,
                                             terms__mandates__role__in=["deputy", "deliberation_deputy"]).distinct()
        self.fields["body"].queryset = bodies
        # meetings sit in the layer above: looked up by name, as a lower app must
        Meeting = apps.get_model("meetings", "Meeting")
        self.fields["meeting"].queryset = Meeting.objects.filter(body__in=bodies, state="convening")
        self.fields["co_authors"].queryset = Person.objects.filter(
            mandates__term__body__in=bodies, mandates__end_date__isnull=True).exclude(pk=person.pk).distinct()


class SuggestionActionForm(forms.Form):
    action = forms.ChoiceField(choices=[("assign", "assign"), ("reply", "reply"), ("extension", "extension"),
                                        ("return", "return")])
    reason = forms.CharField(label=_("Why the unit returns it"), widget=forms.Textarea(attrs={"rows": 2}),
                             max_length=500, required=False)
    main_unit = forms.ModelChoiceField(queryset=None, label=_("Main unit"), required=False)
    unit = forms.CharField(label=_("Or a new unit"), max_length=120, required=False)
    assisting = ModelMultipleChoiceField(queryset=None, label=_("Assisting units"), required=False)
    confidential = forms.BooleanField(label=_("Confidential: do not publish the reply"), required=False)
    extension = forms.IntegerField(required=False)
    decision = forms.ChoiceField(choices=[("approve", "approve"), ("refuse", "refuse")], required=False)
    note = forms.CharField(label=_("Note on the decision"), max_length=300, required=False)
    due_date = forms.DateField(label=_("Due"), required=False, widget=DateInput())
    reply = forms.CharField(label=_("Unit's reply"), widget=forms.Textarea(attrs={"rows": 2}), required=False,
                            max_length=10000)


    def __init__(self, *args, body, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["main_unit"].queryset = self.fields["assisting"].queryset = HandlingUnit.objects.filter(body=body)


class UnitActionForm(forms.Form):
    action = forms.ChoiceField(choices=[("return", "return"), ("reply", "reply"), ("extend", "extend")])
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=500, required=False)
    reply = forms.CharField(label=_("Reply"), widget=forms.Textarea(attrs={"rows": 4}), required=False, max_length=10000)
    confidential = forms.BooleanField(label=_("Confidential: do not publish the reply"), required=False)
    until = forms.DateField(label=_("New due date"), required=False, widget=DateInput())


class EvaluationForm(forms.Form):
    satisfaction = forms.ChoiceField(label=_("Are you satisfied with the handling?"),
                                     choices=Suggestion.Satisfaction.choices, widget=forms.RadioSelect)


class SuggestionFilterForm(FilterForm):
    state = forms.ChoiceField(choices=Suggestion.State.choices, required=False)


# --- duty points -------------------------------------------------------------------

class DutyReportForm(forms.Form):
    body = forms.ModelChoiceField(queryset=CongressBody.objects.none(), label=_("Congress body"))
    kind = forms.ChoiceField(label=_("Activity"), choices=[(k, PointKind(k).label) for k in REPORTED_KINDS])
    date = forms.DateField(label=_("Date"), widget=DateInput())
    description = forms.CharField(label=_("What was done"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    photo = upload_form_field(label=_("Photo (optional)"), kinds=DutyReport.PHOTO_KINDS, max_mb=8, required=False)

    def __init__(self, *args, person, **kwargs):
        super().__init__(*args, **kwargs)
        bodies = CongressBody.objects.filter(terms__mandates__person=person,
                                             terms__mandates__end_date__isnull=True).distinct()
        self.fields["body"].queryset = bodies
        only = list(bodies.values_list("pk", flat=True)[:2])
        if len(only) == 1:  # a deputy of one congress (most): chosen for them, nothing to pick on the phone
            self.fields["body"].initial, self.fields["body"].empty_label = only[0], None


class PointRulesForm(forms.Form):
    def __init__(self, *args, rules: dict, **kwargs):
        super().__init__(*args, **kwargs)
        for kind in PointKind:
            self.fields[kind.value] = forms.IntegerField(label=kind.label, min_value=0, max_value=100,
                                                         initial=rules[kind.value])
