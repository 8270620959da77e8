import datetime

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _

from congress import charts
from congress.decorators import staff_required
from congress.exports import dataset_response
from congress.forms import id_from
from congress.models import Division
from deputies.models import Person
from overview import selectors
from projects.predicates import person_of

# --- duty records ---------------------------------------------------------------------


def _record_period(request):
    year = request.GET.get("year", "")
    year = int(year) if year.isdigit() and len(year) == 4 and 2000 <= int(year) <= 2100 else timezone.localdate().year
    return year, datetime.date(year, 1, 1), datetime.date(year, 12, 31)


def _record_response(request, person, template_back):
    year, start, end = _record_period(request)
    rec = selectors.add_points(selectors.duty_record(person, start, end))
    if request.GET.get("format") == "xlsx":
        return dataset_response(selectors.duty_dataset(rec), f"duty-record-{person.pk}-{year}", "xlsx")
    return render(request, "overview/duty_record.html", {"rec": rec, "year": year, "back": template_back})


@login_required
def my_duty_record(request):
    person = person_of(request.user)
    if person is None:
        raise Http404
    return _record_response(request, person, "deputies:me")


@staff_required
def duty_record_staff(request, person_pk):
    person = get_object_or_404(Person.objects.in_scope(request.user), pk=person_pk)
    return _record_response(request, person, "deputies:bodies")


# --- city dashboard -------------------------------------------------------------------------

@staff_required
def dashboard(request):
    division = None
    if division_id := id_from(request.GET.get("division")):
        division = get_object_or_404(Division.objects.in_scope(request.user), pk=division_id)
    dash = selectors.city_dashboard(request.user, division)
    chart = charts.bar_chart([r.division.name for r in dash.rows], [r.projects for r in dash.rows],
                             title=_("Projects voted, per district"), width=max(520, 26 * len(dash.rows)))
    return render(request, "overview/dashboard.html", {"dash": dash, "chart": chart, "division": division})
