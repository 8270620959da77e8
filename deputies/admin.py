from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from congress.admin import ScopedAdmin, ServiceSaveMixin
from congress.predicates import manageable_accounts, people_wholly_in_scope
from deputies import liaison, rules, services
from deputies import suggestions as suggestion_services
from deputies.models import (
    DutyActivity,
    HandlingUnit,
    LiaisonStation,
    Mandate,
    OpinionCategory,
    Person,
    SupervisionGroup,
)


class MandateInline(admin.TabularInline):
    model = Mandate
    extra = 0
    fields = ("term", "role", "start_date", "end_date", "end_reason")
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Person)
class PersonAdmin(ServiceSaveMixin, ScopedAdmin):
    list_display = ("name", "gender", "date_of_birth", "sector", "area", "is_community_worker", "has_account")
    list_filter = ("gender", "education", "sector", "affiliation", "is_community_worker")
    search_fields = ("name", "phone", "area__name")
    list_select_related = ("area", "user")
    readonly_fields = ("user",)
    inlines = [MandateInline]
    actions = ["create_accounts"]

    def has_change_permission(self, request, obj=None):
        # a person who sits in a body above the scope is seen here (they live in it) but changed from above
        return super().has_change_permission(request, obj) and (
            obj is None or people_wholly_in_scope(request.user).filter(pk=obj.pk).exists())

    @admin.display(boolean=True, description=_("account"))
    def has_account(self, obj):
        return obj.user_id is not None

    def service_save(self, request, obj, form, change):
        fields = {f: form.cleaned_data[f] for f in services.PERSON_FIELDS if f in form.cleaned_data}
        if change:
            return services.person_update(person=Person.objects.get(pk=obj.pk), acting_user=request.user, **fields)
        return services.person_create(acting_user=request.user, **fields)

    @admin.action(description=_("Create sign-in accounts for the selected people"))
    def create_accounts(self, request, queryset):
        created = []
        # an account is handed out only for people every one of whose bodies lies within the scope
        outside = queryset.filter(user__isnull=True).exclude(pk__in=people_wholly_in_scope(request.user).values("pk"))
        if outside.exists():
            self.message_user(request, _("Not created for people who sit in a body above your scope: %(names)s")
                              % {"names": ", ".join(p.name for p in outside)}, messages.ERROR)
        for person in queryset.filter(user__isnull=True, pk__in=people_wholly_in_scope(request.user).values("pk")):
            user, password = services.deputy_account_create(person=person, acting_user=request.user)
            created.append(f"{person.name}: {user.username} / {password}")
        if not created:
            self.message_user(request, _("Everyone selected already has an account."), messages.WARNING)
            return
        self.message_user(
            request,
            ngettext("%(n)d account created. Hand over these initial passwords now: %(list)s",
                     "%(n)d accounts created. Hand over these initial passwords now: %(list)s", len(created))
            % {"n": len(created), "list": "; ".join(created)},
            messages.SUCCESS,
        )

    def has_delete_permission(self, request, obj=None):
        return False


class MandateAddForm(forms.ModelForm):
    class Meta:
        model = Mandate
        fields = ("person", "term", "role", "start_date")

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        report = rules.mandate_check(person=data["person"], term=data["term"], role=data["role"],
                                     start_date=data["start_date"])
        if not report.ok:
            raise forms.ValidationError(report.errors)
        self.rule_warnings = report.warnings
        return data


class MandateEndForm(forms.ModelForm):
    class Meta:
        model = Mandate
        fields = ("end_date", "end_reason")

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        if self.instance.end_date is not None:
            raise forms.ValidationError(_("This mandate has already ended."))
        if not data.get("end_date") or not data.get("end_reason"):
            raise forms.ValidationError(_("To end a mandate give both the end date and the reason."))
        if data["end_date"] < self.instance.start_date:
            raise forms.ValidationError(_("A mandate ends after it starts."))
        return data


@admin.register(Mandate)
class MandateAdmin(ServiceSaveMixin, ScopedAdmin):
    list_display = ("person", "term", "role", "start_date", "end_date", "end_reason")
    list_filter = ("role", "end_reason", "term__body__kind")
    search_fields = ("person__name", "term__body__name")
    list_select_related = ("person", "term__body")
    date_hierarchy = "start_date"
    autocomplete_fields = ("person",)

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = MandateEndForm if obj else MandateAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        ended = ("end_date", "end_reason") if obj.end_date else ()
        return ("person", "term", "role", "start_date", *ended)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("person", "term", "role", "start_date")
        return ("person", "term", "role", "start_date", "end_date", "end_reason")

    def service_save(self, request, obj, form, change):
        if change:
            return services.mandate_end(mandate=Mandate.objects.get(pk=obj.pk), end_date=form.cleaned_data["end_date"],
                                        reason=form.cleaned_data["end_reason"], acting_user=request.user)
        created, warnings = services.mandate_create(
            person=obj.person, term=obj.term, role=obj.role, start_date=obj.start_date, acting_user=request.user,
        )
        for w in warnings:
            self.message_user(request, w, messages.WARNING)
        return created

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(OpinionCategory)
class OpinionCategoryAdmin(admin.ModelAdmin):
    """The deliberation catalogue: staff set its categories."""

    list_display = ("name", "order")
    list_editable = ("order",)


@admin.register(LiaisonStation)
class LiaisonStationAdmin(ServiceSaveMixin, ScopedAdmin):
    list_display = ("name", "kind", "division", "reception_months", "reception_day")
    list_filter = ("kind", "reception_months")
    search_fields = ("name", "address", "division__name")
    list_select_related = ("division",)
    filter_horizontal = ("deputies",)

    def service_save(self, request, obj, form, change):
        fields = {f: form.cleaned_data[f] for f in liaison.STATION_FIELDS if f in form.cleaned_data}
        deputies = list(form.cleaned_data.get("deputies", ()))
        if change:
            return liaison.station_update(station=obj, deputies=deputies, acting_user=request.user, **fields)
        return liaison.station_create(deputies=deputies, acting_user=request.user, **fields)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SupervisionGroup)
class SupervisionGroupAdmin(ServiceSaveMixin, ScopedAdmin):
    list_display = ("name", "body")
    search_fields = ("name", "matters")
    filter_horizontal = ("members",)

    def get_readonly_fields(self, request, obj=None):
        return ("body",) if obj else ()

    def service_save(self, request, obj, form, change):
        fields = {"name": form.cleaned_data["name"], "matters": form.cleaned_data.get("matters", "")}
        members = list(form.cleaned_data.get("members", ()))
        if change:
            return suggestion_services.supervision_group_update(group=obj, members=members, acting_user=request.user,
                                                                **fields)
        return suggestion_services.supervision_group_create(body=form.cleaned_data["body"], members=members,
                                                            acting_user=request.user, **fields)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DutyActivity)
class DutyActivityAdmin(ServiceSaveMixin, ScopedAdmin):
    list_display = ("date", "kind", "title", "body")
    list_filter = ("kind",)
    date_hierarchy = "date"
    search_fields = ("title",)
    filter_horizontal = ("participants",)

    def get_readonly_fields(self, request, obj=None):
        return ("body",) if obj else ()

    def service_save(self, request, obj, form, change):
        participants = list(form.cleaned_data["participants"])
        fields = {f: form.cleaned_data[f] for f in ("kind", "date", "title")}
        if change:
            return suggestion_services.duty_activity_update(activity=obj, participants=participants,
                                                            acting_user=request.user, **fields)
        return suggestion_services.duty_activity_record(body=form.cleaned_data["body"], participants=participants,
                                                        acting_user=request.user, **fields)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(HandlingUnit)
class HandlingUnitAdmin(ServiceSaveMixin, ScopedAdmin):
    """承办单位: the units suggestions are assigned to, and the sign-in accounts that see each unit's queue."""

    list_display = ("name", "body")
    search_fields = ("name",)
    filter_horizontal = ("accounts",)

    def get_readonly_fields(self, request, obj=None):
        return ("body",) if obj else ()

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "accounts":
            kwargs["queryset"] = manageable_accounts(request.user).filter(is_staff=False)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def service_save(self, request, obj, form, change):
        accounts = list(form.cleaned_data.get("accounts", ()))
        if change:
            return suggestion_services.handling_unit_update(unit=obj, name=form.cleaned_data["name"],
                                                            accounts=accounts, acting_user=request.user)
        return suggestion_services.handling_unit_create(body=form.cleaned_data["body"], name=form.cleaned_data["name"],
                                                        accounts=accounts, acting_user=request.user)

    def has_delete_permission(self, request, obj=None):
        return False
