"""Services for the liaison network and residents' opinions: every write, with its history."""

from __future__ import annotations

import datetime
import secrets

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from congress import workflows
from congress.services import audit_record
from deputies.models import LiaisonStation, Reception, ResidentOpinion
from deputies.services import require_people_in_scope, update_with_people

RATING_SALT = "deputies.opinion-rating"


class OpinionError(ValidationError):
    pass


def new_reference() -> str:
    return "MY" + "".join(secrets.choice("23456789ABCDEFGHJKMNPQRSTUVWXYZ") for _ in range(8))


@transaction.atomic
def station_create(*, kind, name, division, address, deputies=(), reception_day=None,
                   reception_months=LiaisonStation.Months.NONE, acting_user=None) -> LiaisonStation:
    deputies = list(deputies)
    require_people_in_scope(acting_user, deputies)
    station = LiaisonStation(kind=kind, name=name, division=division, address=address, reception_day=reception_day,
                             reception_months=reception_months)
    station.full_clean()
    station.save()
    station.deputies.set(deputies)
    audit_record(actor=acting_user, action="station.create", obj=station, division=division,
                 after={"kind": kind, "name": name, "deputies": len(deputies)})
    return station


STATION_FIELDS = ("kind", "name", "division", "address", "reception_day", "reception_months")


@transaction.atomic
def station_update(*, station: LiaisonStation, acting_user=None, deputies=None, **fields) -> LiaisonStation:
    """Change a station's details and, when given, the deputies assigned to it (all within scope)."""
    return update_with_people(station, allowed=STATION_FIELDS, fields=fields, relation="deputies", people=deputies,
                              acting_user=acting_user, action="station.update", division=lambda s: s.division)


@transaction.atomic
def reception_record(*, station: LiaisonStation, date: datetime.date, on_duty, residents: int, notes: str = "",
                     acting_user=None) -> Reception:
    if residents < 0:
        raise OpinionError(_("The number of residents cannot be negative."))
    on_duty = list(on_duty)
    require_people_in_scope(acting_user, on_duty)
    reception = Reception(station=station, date=date, residents=residents, notes=notes)
    reception.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            reception.save()
    except IntegrityError as exc:
        raise OpinionError(_("This station already has a reception recorded on that day.")) from exc
    reception.on_duty.set(on_duty)
    audit_record(actor=acting_user, action="reception.record", obj=station, division=station.division,
                 after={"date": date.isoformat(), "residents": residents})
    return reception


@transaction.atomic
def opinion_receive(*, division, category, text: str, channel: str, station=None, taken_by=None,
                    resident_name: str = "", resident_contact: str = "", acting_user=None) -> ResidentOpinion:
    if station is not None and not station.division.path.startswith(division.path) and not division.path.startswith(station.division.path):
        raise OpinionError(_("The station is not in this division."))
    opinion = ResidentOpinion(reference=new_reference(), division=division, category=category, text=text.strip(),
                              channel=channel, station=station, taken_by=taken_by, resident_name=resident_name,
                              resident_contact=resident_contact)
    opinion.full_clean()
    opinion.save()
    workflows.record(opinion, from_state="", actor=acting_user, note=opinion.get_channel_display())
    # the resident's name and contact stay out of the log
    audit_record(actor=acting_user, action="opinion.receive", obj=opinion, division=division,
                 after={"reference": opinion.reference, "channel": channel, "category": category.pk})
    return opinion


@transaction.atomic
def opinion_transition(*, opinion: ResidentOpinion, to: str, acting_user=None, reason: str = "", unit: str = "",
                       due_date: datetime.date | None = None, reply: str = "") -> ResidentOpinion:
    """The one way an opinion changes state: checks the table and the fields each state needs; keeps the history."""
    opinion = ResidentOpinion.objects.select_for_update().get(pk=opinion.pk)
    workflows.check(opinion, to, error=OpinionError)
    # whatever the staff member typed is saved or refused, never dropped: a reply goes to the resident only with
    # a closing step, a responsible unit only with a referral
    if reply.strip() and to not in ResidentOpinion.CLOSING:
        raise OpinionError(
            _("A reply to the resident is sent only when the opinion is resolved, deferred or not adopted; "
              "to make it “%(to)s”, clear the reply (you can write it with the closing step).")
            % {"to": ResidentOpinion.State(to).label})
    if unit.strip() and to != ResidentOpinion.State.REFERRED and unit.strip() != opinion.unit:
        raise OpinionError(_("A responsible unit is named only when the opinion is referred; clear the unit."))
    if to in ResidentOpinion.NEEDS_REASON and not reason.strip():
        raise OpinionError(_("Give the reason (for example: conditions are not yet met)."))
    if to == ResidentOpinion.State.REFERRED:
        if not unit.strip() or due_date is None:
            raise OpinionError(_("Name the responsible unit and the due date."))
        opinion.unit, opinion.due_date, opinion.overdue = unit.strip(), due_date, False
    if to in ResidentOpinion.CLOSING:
        if not reply.strip():
            raise OpinionError(_("Write the reply the resident will receive."))
        opinion.reply = reply.strip()
        opinion.overdue = False
    opinion.state_reason = reason.strip()[:300] if to in ResidentOpinion.NEEDS_REASON else ""
    frm = workflows.transition(opinion, to, actor=acting_user, note=reason or unit, also=None, error=OpinionError)
    audit_record(actor=acting_user, action="opinion.transition", obj=opinion, division=opinion.division,
                 before={"state": frm}, after={"state": to, "unit": opinion.unit})
    return opinion


def rating_token(opinion: ResidentOpinion) -> str:
    """What the resident keeps to see the reply and rate it (no account needed)."""
    return signing.dumps(opinion.reference, salt=RATING_SALT)


def opinion_for_token(token: str) -> ResidentOpinion | None:
    try:
        reference = signing.loads(token, salt=RATING_SALT)
    except signing.BadSignature:
        return None
    return ResidentOpinion.objects.filter(reference=reference).first()


@transaction.atomic
def opinion_rate(*, opinion: ResidentOpinion, rating: int) -> ResidentOpinion:
    opinion = ResidentOpinion.objects.select_for_update().get(pk=opinion.pk)
    if opinion.state not in ResidentOpinion.CLOSING:
        raise OpinionError(_("You can rate the handling once you have had the reply."))
    if opinion.rating is not None:
        raise OpinionError(_("This reply has already been rated."))
    if rating not in range(1, 6):
        raise OpinionError(_("Rate from 1 to 5."))
    opinion.rating = rating
    opinion.rated_at = timezone.now()
    opinion.save(update_fields=["rating", "rated_at"])
    return opinion


def tracking_link_expired(opinion: ResidentOpinion, *, now: datetime.datetime | None = None) -> bool:
    """A resident's tracking link lives until OPINION_LINK_DAYS_AFTER_RATING days after the closed opinion was
    rated; then it answers 410 Gone, so that a forwarded or leaked link does not show the reply for ever. An opinion
    reopened after its rating (deferred, then referred again) is no longer closed and its link works again."""
    if opinion.rated_at is None or opinion.state not in ResidentOpinion.CLOSING:
        return False
    now = now or timezone.now()
    return now > opinion.rated_at + datetime.timedelta(days=settings.OPINION_LINK_DAYS_AFTER_RATING)


@transaction.atomic
def resident_opinions_flag_overdue(*, on_date: datetime.date) -> int:
    """Flag referred or in-progress opinions past their due date. Idempotent."""
    return ResidentOpinion.objects.filter(
        state__in=[ResidentOpinion.State.REFERRED, ResidentOpinion.State.IN_PROGRESS], due_date__lt=on_date,
        overdue=False).update(overdue=True)


def today() -> datetime.date:
    return timezone.localdate()
