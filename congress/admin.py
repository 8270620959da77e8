"""The staff area. Every list is scoped to the staff member's division and every save calls a service."""

import contextvars
import json

import tablib
from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from congress import services
from congress.exports import dataset_response
from congress.models import AuditLog, CongressBody, Division, Session, Term, User
from congress.predicates import (
    can_manage_account,
    is_scoped_staff,
    manageable_accounts,
    people_in_scope,
    staff_divisions_grantable,
    staff_scope_path,
)

admin.site.site_header = _("People's Congress Work Platform · Staff area")
admin.site.site_title = _("People's Congress Work Platform")
admin.site.index_title = _("Staff area")


class ServiceRefused(Exception):
    """A service refused inside the admin's save; the atomic block is rolled back and the form shown again."""

    def __init__(self, error: ValidationError):
        super().__init__(error)
        self.messages = error.messages


class ServiceSaveMixin:
    """Admins that save through a service. `service_save` returns the saved object; when the service
    refuses, nothing is saved and the page shows the form again with the refusal as a form error
    (never "added successfully" and a link to …/None/change/).

    How: the refusal is raised out of Django's atomic `changeform_view`, which rolls everything back;
    the view is then run once more with the refusal attached to the form's validation, so Django
    renders the bound form with the error (status 422) exactly as for any other invalid input.
    """

    def service_save(self, request, obj, form, change):  # pragma: no cover - each admin says how
        raise NotImplementedError

    def save_model(self, request, obj, form, change):
        try:
            saved = self.service_save(request, obj, form, change)
        except ValidationError as exc:
            raise ServiceRefused(exc) from exc
        if saved is not None:
            obj.pk = saved.pk

    def save_related(self, request, form, formsets, change):
        # the service saved the many-to-many fields itself; inline formsets still go through save_formset
        try:
            for formset in formsets:
                self.save_formset(request, form, formset, change=change)
        except ValidationError as exc:
            raise ServiceRefused(exc) from exc

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ServiceRefused as refusal:
            request._service_refusal = refusal.messages
            response = super().changeform_view(request, object_id, form_url, extra_context)
            response.status_code = 422
            return response

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        refusal = getattr(request, "_service_refusal", None)
        if not refusal:
            return form

        class RefusedForm(form):
            def clean(self):
                data = super().clean()
                for message in refusal:
                    self.add_error(None, message)
                return data

        RefusedForm.__name__ = form.__name__
        return RefusedForm


class ScopedAdmin(admin.ModelAdmin):
    """Lists, detail pages and foreign-key choices limited to the staff member's division.

    An out-of-scope object is simply not in the queryset, so opening its URL
    shows "does not exist" instead of the record.
    """

    def has_module_permission(self, request):
        return is_scoped_staff(request.user) and super().has_module_permission(request)

    def get_queryset(self, request):
        return super().get_queryset(request).in_scope(request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        related_qs = db_field.related_model._default_manager.all()
        if hasattr(related_qs, "in_scope"):
            kwargs["queryset"] = related_qs.in_scope(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        # People are picked by the bodies they sit in, not by where they live; the service checks again.
        if db_field.related_model._meta.label == "deputies.Person":
            kwargs["queryset"] = people_in_scope(request.user)
        else:
            related_qs = db_field.related_model._default_manager.all()
            if hasattr(related_qs, "in_scope"):
                kwargs["queryset"] = related_qs.in_scope(request.user)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


@admin.register(Division)
class DivisionAdmin(ServiceSaveMixin, ScopedAdmin):
    list_display = ("name", "code", "level", "parent")
    list_filter = ("level",)
    search_fields = ("name", "code")
    ordering = ("path",)

    def get_readonly_fields(self, request, obj=None):
        return ("code", "level", "parent", "path") if obj else ("path",)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)

        class DivisionForm(form):
            def clean(self):
                data = super().clean()
                if obj is None and not self.errors:
                    parent = data.get("parent")
                    if parent is None and staff_scope_path(request.user) != "":
                        raise forms.ValidationError(_("Choose the parent division within your scope."))
                    try:
                        services.division_check(data["level"], parent)
                    except ValidationError as exc:
                        raise forms.ValidationError(exc.messages) from exc
                return data

        return DivisionForm

    def service_save(self, request, obj, form, change):
        if change:
            return services.division_update(division=Division.objects.get(pk=obj.pk), name=form.cleaned_data["name"],
                                            acting_user=request.user)
        created = services.division_create(
            code=obj.code, name=obj.name, level=obj.level, parent=obj.parent, acting_user=request.user
        )
        obj.path = created.path
        return created

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CongressBody)
class CongressBodyAdmin(ServiceSaveMixin, ScopedAdmin):
    list_display = ("name", "kind", "division", "seats", "fixed_attendees_vote", "min_close_turnout_percent")
    list_filter = ("kind",)
    search_fields = ("name", "division__name", "division__code")
    list_select_related = ("division",)

    def get_readonly_fields(self, request, obj=None):
        return ("kind", "division", "parent") if obj else ()

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)

        class BodyForm(form):
            def clean(self):
                data = super().clean()
                if self.errors:
                    return data
                kind = data.get("kind", obj.kind if obj else None)
                division = data.get("division", obj.division if obj else None)
                parent = data.get("parent", obj.parent if obj else None)
                try:
                    services.body_check(kind, division, parent, data.get("seats"))
                except ValidationError as exc:
                    raise forms.ValidationError(exc.messages) from exc
                return data

        return BodyForm

    def service_save(self, request, obj, form, change):
        if change:
            return services.body_update(body=CongressBody.objects.get(pk=obj.pk), acting_user=request.user,
                                        name=obj.name, seats=obj.seats, fixed_attendees_vote=obj.fixed_attendees_vote,
                                        min_close_turnout_percent=obj.min_close_turnout_percent,
                                        **{f: getattr(obj, f) for f in services.COLOUR_FIELDS})
        return services.body_create(
            name=obj.name, kind=obj.kind, division=obj.division, parent=obj.parent, seats=obj.seats,
            fixed_attendees_vote=obj.fixed_attendees_vote, min_close_turnout_percent=obj.min_close_turnout_percent,
            acting_user=request.user,
        )

    def has_delete_permission(self, request, obj=None):
        return False


class TermForm(forms.ModelForm):
    end_date = forms.DateField(label=_("end date"), required=False,
                               help_text=_("Leave empty for five years after the start."))

    class Meta:
        model = Term
        fields = ("body", "number", "start_date", "end_date")

    def clean(self):
        data = super().clean()
        if self.errors or self.instance.pk:
            return data
        end = data.get("end_date") or services.five_years_after(data["start_date"])
        data["end_date"] = end
        try:
            services.term_check(body=data["body"], start_date=data["start_date"], end_date=end)
        except ValidationError as exc:
            raise forms.ValidationError(exc.messages) from exc
        return data


@admin.register(Term)
class TermAdmin(ServiceSaveMixin, ScopedAdmin):
    form = TermForm
    list_display = ("body", "number", "start_date", "end_date")
    list_filter = ("body__kind",)
    search_fields = ("body__name",)
    list_select_related = ("body",)
    date_hierarchy = "start_date"

    def get_readonly_fields(self, request, obj=None):
        return ("body", "number", "start_date", "end_date") if obj else ()

    def service_save(self, request, obj, form, change):
        if not change:  # a term is fixed once created: every field is read-only
            return services.term_create(body=obj.body, number=obj.number, start_date=obj.start_date,
                                        end_date=form.cleaned_data["end_date"], acting_user=request.user)
        return None

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Session)
class SessionAdmin(ServiceSaveMixin, ScopedAdmin):
    list_display = ("term", "number", "start_date", "end_date")
    list_select_related = ("term__body",)
    search_fields = ("term__body__name",)
    date_hierarchy = "start_date"

    def get_readonly_fields(self, request, obj=None):
        return ("term", "number", "start_date", "end_date") if obj else ()

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)

        class SessionForm(form):
            def clean(self):
                data = super().clean()
                if not self.errors and obj is None and not data["term"].covers(data["start_date"]):
                    raise forms.ValidationError(_("A session is held within its term."))
                return data

        return SessionForm

    def service_save(self, request, obj, form, change):
        if not change:  # every field is read-only once created
            return services.session_create(term=obj.term, number=obj.number, start_date=obj.start_date,
                                           end_date=obj.end_date, acting_user=request.user)
        return None

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditLog)
class AuditLogAdmin(ScopedAdmin):
    list_display = ("at", "actor", "action", "object_type", "object_repr")
    list_filter = ("action", "object_type")
    search_fields = ("object_repr", "actor__username")
    date_hierarchy = "at"
    readonly_fields = [f.name for f in AuditLog._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


_password_actor: contextvars.ContextVar = contextvars.ContextVar("password_actor", default=None)


class AccountPasswordForm(AdminPasswordChangeForm):
    """The admin's "set password" form; saving goes through the audited service."""

    def clean(self):
        data = super().clean()
        try:
            services.account_check(account=self.user, acting_user=_password_actor.get(), fields={})
        except ValidationError as exc:
            raise forms.ValidationError(exc.messages) from exc
        return data

    def save(self, commit=True):
        password = self.cleaned_data["password1"] if self.cleaned_data.get("set_usable_password", True) else None
        return services.account_password_set(account=self.user, password=password, acting_user=_password_actor.get())


@admin.register(User)
class AccountAdmin(ServiceSaveMixin, UserAdmin):
    """Accounts. Which ones a staff member sees and manages is congress.predicates.manageable_accounts:
    by the bodies a deputy sits in, never by address, and never a staff account at or above one's level."""

    fieldsets = UserAdmin.fieldsets + ((_("Staff scope"), {"fields": ("division",)}),)
    add_fieldsets = UserAdmin.add_fieldsets + ((_("Staff scope"), {"fields": ("is_staff", "division")}),)
    list_display = ("username", "first_name", "is_staff", "division", "is_active")
    list_filter = ("is_staff", "is_active", "division__level")
    list_select_related = ("division",)
    change_password_form = AccountPasswordForm

    def has_module_permission(self, request):
        return is_scoped_staff(request.user) and super().has_module_permission(request)

    def has_add_permission(self, request):
        # Staff accounts are created by superusers; deputies' accounts from the people list.
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and (obj is None or can_manage_account(request.user, obj))

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (obj is None or can_manage_account(request.user, obj))

    def get_queryset(self, request):
        return manageable_accounts(request.user).select_related("division")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "division":
            kwargs["queryset"] = staff_divisions_grantable(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        if request.user.is_superuser:
            return ("last_login", "date_joined")
        # Sign-in names and staff or superuser rights are handed out by superusers only.
        return ("username", "is_staff", "is_superuser", "user_permissions", "groups", "last_login", "date_joined")

    def user_change_password(self, request, id, form_url=""):
        token = _password_actor.set(request.user)
        try:
            return super().user_change_password(request, id, form_url)
        finally:
            _password_actor.reset(token)

    def service_save(self, request, obj, form, change):
        if not change:
            # superusers only (has_add_permission); Django's form set the password
            super().save_model(request, obj, form, change)
            form.save_m2m()
            services.audit_record(actor=request.user, action="account.create", obj=obj, division=obj.division,
                                  after={"username": obj.username, "is_staff": obj.is_staff})
            return obj
        allowed = services.ACCOUNT_FIELDS_SUPERUSER if request.user.is_superuser else services.ACCOUNT_FIELDS_STAFF
        fields = {k: form.cleaned_data[k] for k in form.changed_data if k in allowed}
        return services.account_update(account=User.objects.get(pk=obj.pk), acting_user=request.user, **fields)


@admin.action(description=_("Export the selected entries as CSV"))
def export_audit_csv(modeladmin, request, queryset):
    ds = tablib.Dataset(headers=["at", "actor", "action", "object_type", "object_id", "object", "changes"])
    for e in queryset.select_related("actor").order_by("at", "pk"):
        ds.append([e.at.isoformat(), e.actor.username if e.actor else "", e.action, e.object_type, e.object_id,
                   e.object_repr, json.dumps(e.changes, ensure_ascii=False, sort_keys=True)])
    return dataset_response(ds, "audit-log", "csv")


AuditLogAdmin.actions = [export_audit_csv]
