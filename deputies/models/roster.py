"""People, their mandates, and the deputies' sign-in accounts."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from congress.models import CongressBody, Division, Term, scoped_queryset


class Person(models.Model):
    """A person (人员) who holds or held one or more mandates. No full national ID number is ever stored."""

    class Gender(models.TextChoices):
        MALE = "M", _("Male")
        FEMALE = "F", _("Female")

    class Education(models.TextChoices):
        PRIMARY = "primary", _("Primary school or below")
        JUNIOR = "junior", _("Junior secondary")
        SENIOR = "senior", _("Senior secondary / vocational")
        COLLEGE = "college", _("Junior college")
        BACHELOR = "bachelor", _("Bachelor's degree")
        POSTGRADUATE = "postgraduate", _("Postgraduate")

    class Sector(models.TextChoices):
        RESIDENT = "resident", _("Residents' representative")
        COMMUNITY = "community", _("Community or village worker")
        PARTY_GOV = "party_gov", _("Party and government cadre")
        ENTERPRISE = "enterprise", _("Enterprise")
        WORKER = "worker", _("Front-line worker")
        FARMER = "farmer", _("Farmer")
        PROFESSIONAL = "professional", _("Professional (education, health, law, science)")
        PRIVATE = "private", _("Private business owner")
        SOCIAL = "social", _("Social organisation")
        OTHER = "other", _("Other")

    class Affiliation(models.TextChoices):
        CPC = "cpc", _("CPC member")
        PROBATIONARY = "cpc_probationary", _("CPC probationary member")
        LEAGUE = "league", _("Communist Youth League member")
        DEMOCRATIC = "democratic", _("Member of a democratic party")
        NONE = "masses", _("No party affiliation")

    name = models.CharField(_("name"), max_length=50)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices)
    date_of_birth = models.DateField(_("date of birth"))
    ethnicity = models.CharField(_("ethnicity"), max_length=20, default="汉族")
    nationality = models.CharField(
        _("nationality"), max_length=2, default="CN",
        help_text=_("ISO 3166 country code; CN is the People's Republic of China."),
    )
    education = models.CharField(_("education"), max_length=20, choices=Education.choices)
    sector = models.CharField(_("occupation sector"), max_length=20, choices=Sector.choices)
    affiliation = models.CharField(_("political affiliation"), max_length=20, choices=Affiliation.choices)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    is_community_worker = models.BooleanField(_("community worker"), default=False)
    area = models.ForeignKey(
        Division, verbose_name=_("address area"), on_delete=models.PROTECT, related_name="residents",
        help_text=_("The division where the person lives or works."),
    )
    in_area_since = models.DateField(
        _("in the area since"), help_text=_("Since when the person has lived or worked in that area.")
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("account"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="person",
    )

    objects = scoped_queryset("area").as_manager()

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["name"])]
        constraints = [
            models.CheckConstraint(condition=Q(nationality__regex=r"^[A-Z]{2}$"), name="person_nationality_iso",
                violation_error_message=_("The nationality is a two-letter country code (for example CN).")),
            models.CheckConstraint(
                condition=Q(in_area_since__gte=models.F("date_of_birth")), name="person_in_area_after_birth",
                violation_error_message=_("Nobody lives in an area before they are born."),
            ),
        ]

    def __str__(self):
        return self.name

    def age_on(self, day: datetime.date) -> int:
        dob = self.date_of_birth
        return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))


class MandateQuerySet(scoped_queryset("term__body__division")):
    def active_on(self, day: datetime.date):
        return self.filter(start_date__lte=day).filter(Q(end_date__isnull=True) | Q(end_date__gt=day))

    def for_body(self, body: CongressBody):
        return self.filter(term__body=body)


class Mandate(models.Model):
    """A mandate (代表资格): one person's seat in one congress body for one term, in one role."""

    class Role(models.TextChoices):
        DEPUTY = "deputy", _("Deputy")
        DELIBERATION_DEPUTY = "deliberation_deputy", _("Deliberation deputy")
        FIXED_ATTENDEE = "fixed_attendee", _("Fixed attendee")

    class EndReason(models.TextChoices):
        RESIGNED = "resigned", _("Resigned")
        MOVED = "moved", _("Moved away")
        REMOVED = "removed", _("Removed")
        DIED = "died", _("Died")
        TERM_ENDED = "term_ended", _("Term ended")

    person = models.ForeignKey(Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="mandates")
    term = models.ForeignKey(Term, verbose_name=_("term"), on_delete=models.PROTECT, related_name="mandates")
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    end_reason = models.CharField(_("reason for ending"), max_length=20, choices=EndReason.choices, blank=True)

    objects = MandateQuerySet.as_manager()

    class Meta:
        verbose_name = _("mandate")
        verbose_name_plural = _("mandates")
        ordering = ["term", "person__name", "id"]
        constraints = [
            # One open mandate per person per term; a person may hold mandates in several bodies.
            models.UniqueConstraint(
                fields=["person", "term"], condition=Q(end_date__isnull=True), name="mandate_one_open_per_person_term",
                violation_error_message=_("This person already holds an open mandate in this term."),
            ),
            models.CheckConstraint(
                condition=(Q(end_date__isnull=True, end_reason="") | (Q(end_date__isnull=False) & ~Q(end_reason=""))),
                name="mandate_end_has_reason",
                violation_error_message=_("An ended mandate needs a reason for ending, and an open one has none."),
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="mandate_ends_after_start",
                violation_error_message=_("A mandate ends after it starts."),
            ),
        ]

    def __str__(self):
        return f"{self.person} · {self.term} · {self.get_role_display()}"

    @property
    def body(self) -> CongressBody:
        return self.term.body

    def is_active_on(self, day: datetime.date) -> bool:
        return self.start_date <= day and (self.end_date is None or self.end_date > day)
