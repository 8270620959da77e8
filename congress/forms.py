"""Form fields shared by every app's forms."""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.db import connection, models
from django.utils.translation import gettext_lazy as _


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Django's field, which also refuses an id the database cannot hold before it queries with it.

    Django looks the chosen ids up with `pk__in`; on SQLite an integer beyond 64 bits there raises OverflowError (a
    server error) where any other unknown id is refused as "not one of the available choices". Use this field, not
    Django's, for every multiple choice of rows.
    """

    def _check_values(self, value):
        meta = self.queryset.model._meta
        key = meta.get_field(self.to_field_name) if self.to_field_name else meta.pk
        if isinstance(key, models.IntegerField) and not isinstance(value, str):
            low, high = connection.ops.integer_field_range(key.get_internal_type())
            for v in value:
                try:
                    number = int(str(v).strip())
                except ValueError:
                    continue  # not a number: Django's own check refuses it
                if (low is not None and number < low) or (high is not None and number > high):
                    raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice",
                                          params={"value": v})
        return super()._check_values(value)


class DateInput(forms.DateInput):
    """A browser date picker. It takes only ISO dates: the Chinese locale's 2026/12/02 is silently dropped by the
    browser, so a prefilled or re-rendered date came back empty."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class DateTimeField(forms.DateTimeField):
    """Django's field, which also refuses a time that cannot be stored: the database keeps times in UTC, and a local
    time on 1 January of year 1 (or late on 31 December 9999) falls outside the years Python can represent there,
    which would raise OverflowError when it is saved or compared."""

    def to_python(self, value):
        result = super().to_python(value)
        if result is not None:
            try:
                result.astimezone(datetime.UTC)
            except OverflowError as exc:
                raise ValidationError(self.error_messages["invalid"], code="invalid") from exc
        return result


def id_field():
    """A row id in a filter: a positive number the database can hold."""
    return forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1)


def id_from(value) -> int | None:
    """A row id read from a query string, or None when it is not one (not a number, or too large for the database
    — `int()` of a 100,000-digit string raises ValueError, a 20-digit one overflows the column)."""
    try:
        return id_field().clean(value)
    except ValidationError:
        return None


class FilterForm(forms.Form):
    """The filter bar of a list page (a GET form). A value it does not understand (an id that is not a number, a
    state that does not exist, a NUL byte) filters nothing, rather than failing the page."""

    def filters(self) -> dict:
        self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "", False)}


# --- confirming a step that cannot be undone (congress.safeguards) -------------------

class ConfirmCloseForm(forms.Form):
    """Close a ballot or survey: the box says the figures were read; the reason is checked by the service."""

    confirm = forms.BooleanField(
        label=_("I have read the figures above and want to close voting now. This cannot be undone."),
        error_messages={"required": _("Tick the box to confirm: nothing is closed without it.")},
    )
    reason = forms.CharField(
        label=_("Reason for closing now"), required=False, max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when voting closes before its end time or below this body's minimum turnout. "
                        "It is printed on the result."),
    )


class ConfirmCertifyForm(forms.Form):
    """Certify a ballot's result: the scrutineers present are named; the service checks them and who certifies."""

    confirm = forms.BooleanField(
        label=_("I have checked the count with the scrutineers and certify the result. This cannot be undone."),
        error_messages={"required": _("Tick the box to confirm: nothing is certified without it.")},
    )
    scrutineers = forms.CharField(
        label=_("Scrutineers present"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One name per line, at least two. They are printed on the result."),
        error_messages={"required": _("Name the scrutineers present at the count.")},
    )
class ScrutineersForm(forms.Form):
    """Who keeps the cards that open a poll's sealed ballot box, and how many of them are needed."""

    scrutineers = forms.CharField(
        label=_("Scrutineers (监票人), one name a line"), widget=forms.Textarea(attrs={"rows": 3}), max_length=400,
        help_text=_("2 to 5 people. Each receives one card, printed once, right after opening."),
    )
    threshold = forms.TypedChoiceField(label=_("Cards needed to open the box"), coerce=int, initial=2,
                                       choices=[(n, str(n)) for n in range(2, 6)])

    def clean_scrutineers(self):
        return [line.strip() for line in self.cleaned_data["scrutineers"].splitlines() if line.strip()]


class UnsealForm(forms.Form):
    """The scrutineers' cards, typed (or scanned) on one screen."""

    def __init__(self, *args, poll, **kwargs):
        super().__init__(*args, **kwargs)
        for i, name in enumerate(poll.scrutineers or [], start=1):
            self.fields[f"share_{i}"] = forms.CharField(
                label=_("Card of %(name)s") % {"name": name}, required=False, max_length=200,
                widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters",
                                              "class": "font-monospace share-input"}),
            )

    def shares(self) -> list[str]:
        return [self.cleaned_data.get(name) or "" for name in self.fields]


class VoidForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)
    confirm = forms.BooleanField(label=_("I understand: every ballot of this poll is destroyed and it is run again."))
