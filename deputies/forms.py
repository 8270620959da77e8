from django import forms
from django.utils.translation import gettext_lazy as _

from congress.models import Term


class RosterUploadForm(forms.Form):
    term = forms.ModelChoiceField(queryset=Term.objects.none(), label=_("Term"))
    file = forms.FileField(label=_("Roster file (.xlsx or .csv)"))

    def __init__(self, *args, body, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["term"].queryset = Term.objects.filter(body=body).order_by("-number")
        first = self.fields["term"].queryset.first()
        if first and not self.is_bound:
            self.initial.setdefault("term", first.pk)

    def clean_file(self):
        f = self.cleaned_data["file"]
        if not f.name.lower().endswith((".xlsx", ".csv")):
            raise forms.ValidationError(_("Upload an .xlsx or .csv file."))
        if f.size > 5 * 1024 * 1024:
            raise forms.ValidationError(_("The file is larger than 5 MB."))
        return f


class RosterConfirmForm(forms.Form):
    payload = forms.CharField(widget=forms.HiddenInput)
