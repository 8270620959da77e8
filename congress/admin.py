"""The staff area. Every list is scoped to the staff member's division and every save calls a service."""

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from congress import services
from congress.models import AuditLog, CongressBody, Division, Session, Term, User
from congress.predicates import is_scoped_staff, staff_scope_path

admin.site.site_header = _("People's Congress Work Platform · Staff area")
admin.site.site_title = _("People's Congress Work Platform")
admin.site.index_title = _("Staff area")


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


@admin.register(Division)
class DivisionAdmin(ScopedAdmin):
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

    def save_model(self, request, obj, form, change):
        if change:
            services.division_update(division=obj, name=form.cleaned_data["name"], acting_user=request.user)
        else:
            created = services.division_create(
                code=obj.code, name=obj.name, level=obj.level, parent=obj.parent, acting_user=request.user
            )
            obj.pk = created.pk
            obj.path = created.path

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CongressBody)
class CongressBodyAdmin(ScopedAdmin):
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

    def save_model(self, request, obj, form, change):
        if change:
            services.body_update(body=obj, acting_user=request.user, name=obj.name, seats=obj.seats,
                                 fixed_attendees_vote=obj.fixed_attendees_vote,
                                 min_close_turnout_percent=obj.min_close_turnout_percent)
        else:
            created = services.body_create(
                name=obj.name, kind=obj.kind, division=obj.division, parent=obj.parent, seats=obj.seats,
                fixed_attendees_vote=obj.fixed_attendees_vote, min_close_turnout_percent=obj.min_close_turnout_percent,
                acting_user=request.user,
            )
            obj.pk = created.pk

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
class TermAdmin(ScopedAdmin):
    form = TermForm
    list_display = ("body", "number", "start_date", "end_date")
    list_filter = ("body__kind",)
    search_fields = ("body__name",)
    list_select_related = ("body",)
    date_hierarchy = "start_date"

    def get_readonly_fields(self, request, obj=None):
        return ("body", "number", "start_date", "end_date") if obj else ()

    def save_model(self, request, obj, form, change):
        if not change:
            created = services.term_create(body=obj.body, number=obj.number, start_date=obj.start_date,
                                           end_date=form.cleaned_data["end_date"], acting_user=request.user)
            obj.pk = created.pk

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Session)
class SessionAdmin(ScopedAdmin):
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

    def save_model(self, request, obj, form, change):
        if not change:
            created = services.session_create(term=obj.term, number=obj.number, start_date=obj.start_date,
                                              end_date=obj.end_date, acting_user=request.user)
            obj.pk = created.pk

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


@admin.register(User)
class AccountAdmin(UserAdmin):
    fieldsets = UserAdmin.fieldsets + ((_("Staff scope"), {"fields": ("division",)}),)
    add_fieldsets = UserAdmin.add_fieldsets + ((_("Staff scope"), {"fields": ("is_staff", "division")}),)
    list_display = ("username", "first_name", "is_staff", "division", "is_active")
    list_filter = ("is_staff", "is_active", "division__level")
    list_select_related = ("division",)

    def has_module_permission(self, request):
        return is_scoped_staff(request.user) and super().has_module_permission(request)

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        prefix = staff_scope_path(request.user)
        if prefix is None:
            return qs.none()
        if prefix == "":
            return qs
        # Staff see the staff accounts of their scope and the deputies' accounts of people in it.
        from django.db.models import Q

        return qs.filter(Q(division__path__startswith=prefix) | Q(person__area__path__startswith=prefix))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "division":
            kwargs["queryset"] = Division.objects.in_scope(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        if request.user.is_superuser:
            return ()
        # Only superusers hand out superuser rights or raw permissions.
        return ("is_superuser", "user_permissions", "groups")


@admin.action(description=_("Export the selected entries as CSV"))
def export_audit_csv(modeladmin, request, queryset):
    import json

    import tablib

    from congress.exports import dataset_response

    ds = tablib.Dataset(headers=["at", "actor", "action", "object_type", "object_id", "object", "changes"])
    for e in queryset.select_related("actor").order_by("at", "pk"):
        ds.append([e.at.isoformat(), e.actor.username if e.actor else "", e.action, e.object_type, e.object_id,
                   e.object_repr, json.dumps(e.changes, ensure_ascii=False, sort_keys=True)])
    return dataset_response(ds, "audit-log", "csv")


AuditLogAdmin.actions = [export_audit_csv]
