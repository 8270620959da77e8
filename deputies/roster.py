"""Roster spreadsheets (xlsx and csv): one column layout for export and import.

Reading is all-or-nothing: every row is validated (fields, eligibility rules,
duplicates inside the file, seats) before anything is written, and a file with
any bad row imports nothing and reports every bad row with its reasons.
Headers may be in Chinese or English; choice values may be codes or labels in
either language.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

import tablib
from django import forms
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from congress.exports import restore
from congress.models import Division, Term
from congress.predicates import can_manage_division
from deputies import rules
from deputies.models import Mandate, Person
from deputies.services import RosterRow

COLUMNS = [
    ("name", gettext_lazy("Name")),
    ("gender", gettext_lazy("Gender")),
    ("date_of_birth", gettext_lazy("Date of birth")),
    ("ethnicity", gettext_lazy("Ethnicity")),
    ("nationality", gettext_lazy("Nationality")),
    ("education", gettext_lazy("Education")),
    ("sector", gettext_lazy("Occupation sector")),
    ("affiliation", gettext_lazy("Political affiliation")),
    ("phone", gettext_lazy("Phone")),
    ("is_community_worker", gettext_lazy("Community worker")),
    ("area_code", gettext_lazy("Area code")),
    ("in_area_since", gettext_lazy("In the area since")),
    ("role", gettext_lazy("Role")),
    ("start_date", gettext_lazy("Start date")),
]
DATE_FORMATS = ["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d"]
MAX_ROWS = 5000
MAX_BYTES = 5 * 1024 * 1024


def _header_aliases() -> dict[str, str]:
    aliases = {}
    for key, label in COLUMNS:
        aliases[key.lower()] = key
        for lang in ("zh-hans", "en"):
            with translation.override(lang):
                aliases[str(label).strip().lower()] = key
    return aliases


def _choice_aliases(choices) -> dict[str, str]:
    aliases = {}
    for value, label in choices:
        aliases[str(value).lower()] = value
        for lang in ("zh-hans", "en"):
            with translation.override(lang):
                aliases[str(label).strip().lower()] = value
    return aliases


class LabelChoiceField(forms.ChoiceField):
    """A choice field that also accepts the label, in Chinese or English."""

    def to_python(self, value):
        value = super().to_python(value).strip()
        if not value:
            return value
        return _choice_aliases(self.choices).get(value.lower(), value)


class YesNoField(forms.Field):
    TRUE = {"1", "true", "yes", "y", "是", "√", "✓"}
    FALSE = {"", "0", "false", "no", "n", "否", "none"}

    def to_python(self, value):
        if isinstance(value, bool):
            return value
        text = str(value if value is not None else "").strip().lower()
        if text in self.TRUE:
            return True
        if text in self.FALSE:
            return False
        raise forms.ValidationError(_("Write yes or no (是/否)."))


class RosterRowForm(forms.Form):
    name = forms.CharField(max_length=50)
    gender = LabelChoiceField(choices=Person.Gender.choices)
    date_of_birth = forms.DateField(input_formats=DATE_FORMATS)
    ethnicity = forms.CharField(max_length=20, required=False)
    nationality = forms.CharField(max_length=2, required=False)
    education = LabelChoiceField(choices=Person.Education.choices)
    sector = LabelChoiceField(choices=Person.Sector.choices)
    affiliation = LabelChoiceField(choices=Person.Affiliation.choices)
    phone = forms.RegexField(regex=r"^[0-9+\- ]{0,20}$", required=False)
    is_community_worker = YesNoField(required=False)
    area_code = forms.CharField(max_length=20)
    in_area_since = forms.DateField(input_formats=DATE_FORMATS)
    role = LabelChoiceField(choices=Mandate.Role.choices)
    start_date = forms.DateField(input_formats=DATE_FORMATS, required=False)

    def __init__(self, *args, term: Term, user=None, **kwargs):
        self.term = term
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_nationality(self):
        value = (self.cleaned_data.get("nationality") or "CN").strip().upper()
        return {"中国": "CN", "中华人民共和国": "CN", "CHINA": "CN", "PRC": "CN"}.get(value, value)

    def clean_area_code(self):
        code = self.cleaned_data["area_code"].strip()
        area = Division.objects.filter(code=code).first()
        if area is None:
            raise forms.ValidationError(_("No division has the code %(code)s.") % {"code": code})
        if self.user is not None and not can_manage_division(self.user, area):
            raise forms.ValidationError(_("The division %(code)s is outside your scope.") % {"code": code})
        return area

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        start = data.get("start_date") or max(self.term.start_date, timezone.localdate())
        data["start_date"] = start
        person = Person(
            name=data["name"], gender=data["gender"], date_of_birth=data["date_of_birth"],
            ethnicity=data.get("ethnicity") or "汉族", nationality=data["nationality"],
            education=data["education"], sector=data["sector"], affiliation=data["affiliation"],
            phone=data.get("phone") or "", is_community_worker=bool(data.get("is_community_worker")),
            area=data["area_code"], in_area_since=data["in_area_since"],
        )
        existing = Person.objects.filter(name=person.name, date_of_birth=person.date_of_birth, area=person.area).first()
        report = rules.mandate_check(person=existing or person, term=self.term, role=data["role"],
                                     start_date=start, check_seats=False)
        for message in report.errors:
            self.add_error(None, message)
        data["person"] = person
        return data


@dataclass
class RosterParse:
    rows: list[RosterRow] = field(default_factory=list)
    errors: list[tuple[int, list[str]]] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    preview: list[dict] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and not self.file_errors and bool(self.rows)


def load_dataset(content: bytes, filename: str) -> tablib.Dataset:
    name = filename.lower()
    if name.endswith(".xlsx"):
        return tablib.Dataset().load(content, format="xlsx")
    if name.endswith(".csv"):
        text = content.decode("utf-8-sig")
        return tablib.Dataset().load(text, format="csv")
    raise ValueError(_("Upload an .xlsx or .csv file."))


def _cell(value):
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(restore(value)).strip()


def parse_roster(content: bytes, filename: str, term: Term, *, user=None) -> RosterParse:
    """Read and check a roster file; with `user`, every area code must lie within that staff member's scope."""
    result = RosterParse()
    if len(content) > MAX_BYTES:
        result.file_errors.append(_("The file is larger than 5 MB."))
        return result
    try:
        dataset = load_dataset(content, filename)
    except ValueError as exc:
        result.file_errors.append(str(exc))
        return result
    except Exception:  # noqa: BLE001 - any parser failure is the file's fault, reported as such
        result.file_errors.append(_("The file could not be read as a spreadsheet."))
        return result
    aliases = _header_aliases()
    headers = [aliases.get(str(h or "").strip().lower()) for h in (dataset.headers or [])]
    required = {"name", "gender", "date_of_birth", "education", "sector", "affiliation", "area_code",
                "in_area_since", "role"}
    missing = required - set(h for h in headers if h)
    if missing:
        labels = dict(COLUMNS)
        result.file_errors.append(
            _("Missing columns: %(cols)s.") % {"cols": ", ".join(str(labels[m]) for m in sorted(missing))}
        )
        return result
    if len(dataset) == 0:
        result.file_errors.append(_("The file has no rows."))
        return result
    if len(dataset) > MAX_ROWS:
        result.file_errors.append(_("A roster file holds at most %(n)s rows.") % {"n": MAX_ROWS})
        return result

    seen = {}
    for index, raw in enumerate(dataset, start=2):  # line 1 is the header
        data = {key: _cell(value) for key, value in zip(headers, raw, strict=False) if key}
        form = RosterRowForm(data, term=term, user=user)
        if not form.is_valid():
            messages = []
            labels = dict(COLUMNS)
            for fname, errs in form.errors.items():
                for err in errs:
                    messages.append(err if fname == "__all__" else f"{labels.get(fname, fname)}: {err}")
            result.errors.append((index, messages))
            continue
        cd = form.cleaned_data
        key = (cd["name"], cd["date_of_birth"], cd["area_code"].pk)
        if key in seen:
            result.errors.append((index, [_("Same person as row %(line)s.") % {"line": seen[key]}]))
            continue
        seen[key] = index
        person_fields = {
            "name": cd["name"], "gender": cd["gender"], "date_of_birth": cd["date_of_birth"],
            "ethnicity": cd.get("ethnicity") or "汉族", "nationality": cd["nationality"],
            "education": cd["education"], "sector": cd["sector"], "affiliation": cd["affiliation"],
            "phone": cd.get("phone") or "", "is_community_worker": bool(cd.get("is_community_worker")),
            "area": cd["area_code"], "in_area_since": cd["in_area_since"],
        }
        result.rows.append(RosterRow(line=index, person_fields=person_fields, role=cd["role"],
                                     start_date=cd["start_date"]))
        result.preview.append({**person_fields, "role": cd["role"], "start_date": cd["start_date"], "line": index})

    seated = sum(1 for r in result.rows if r.role in rules.SEAT_ROLES)
    seat_report = rules.seat_check(term, seated)
    result.file_errors.extend(seat_report.errors)
    result.warnings.extend(seat_report.warnings)
    return result


def serialise_rows(rows: list[RosterRow]) -> list[dict]:
    out = []
    for r in rows:
        pf = dict(r.person_fields)
        pf["area"] = pf["area"].pk
        for k in ("date_of_birth", "in_area_since"):
            pf[k] = pf[k].isoformat()
        out.append({"line": r.line, "person": pf, "role": r.role, "start_date": r.start_date.isoformat()})
    return out


def deserialise_rows(data: list[dict]) -> list[RosterRow]:
    areas = Division.objects.in_bulk({d["person"]["area"] for d in data})
    rows = []
    for d in data:
        pf = dict(d["person"])
        pf["area"] = areas[pf["area"]]
        for k in ("date_of_birth", "in_area_since"):
            pf[k] = datetime.date.fromisoformat(pf[k])
        rows.append(RosterRow(line=d["line"], person_fields=pf, role=d["role"],
                              start_date=datetime.date.fromisoformat(d["start_date"])))
    return rows


def roster_dataset(mandates) -> tablib.Dataset:
    dataset = tablib.Dataset(headers=[str(label) for _key, label in COLUMNS])
    for m in mandates:
        p = m.person
        dataset.append([
            p.name, p.get_gender_display(), p.date_of_birth.isoformat(), p.ethnicity, p.nationality,
            p.get_education_display(), p.get_sector_display(), p.get_affiliation_display(), p.phone,
            _("yes") if p.is_community_worker else _("no"), p.area.code, p.in_area_since.isoformat(),
            m.get_role_display(), m.start_date.isoformat(),
        ])
    return dataset
