from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from congress.admin import ScopedAdmin, ServiceSaveMixin
from projects import services
from projects.models import Category, ColourChange, Project, ProjectTransition


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "order")
    list_editable = ("order",)


class TransitionInline(admin.TabularInline):
    model = ProjectTransition
    extra = 0
    can_delete = False
    readonly_fields = ("from_state", "to_state", "at", "by", "note")
    fields = readonly_fields

    def has_add_permission(self, request, obj=None):
        return False


class ColourChangeInline(TransitionInline):
    model = ColourChange
    readonly_fields = ("from_colour", "to_colour", "reason", "at", "by")
    fields = readonly_fields


@admin.register(Project)
class ProjectAdmin(ServiceSaveMixin, ScopedAdmin):
    list_display = ("title", "body", "year", "category", "state", "progress_percent", "colour")
    list_filter = ("state", "colour", "year", "category", "source", "body__division__level")
    search_fields = ("title", "description", "body__name")
    list_select_related = ("body", "category")
    date_hierarchy = "created_at"
    readonly_fields = ("state", "state_reason", "progress_percent", "colour", "colour_reason")
    inlines = [TransitionInline, ColourChangeInline]
    actions = ["to_appraisal", "to_candidate"]

    def service_save(self, request, obj, form, change):
        if change:
            fields = {k: form.cleaned_data[k] for k in form.changed_data
                      if k in {"title", "category", "description", "estimated_budget", "responsible_unit",
                               "handling_unit", "source_detail", "budget", "planned_completion", "planned_start", "unit_email"}}
            return services.project_update(project=Project.objects.get(pk=obj.pk), acting_user=request.user, **fields)
        fields = {k: form.cleaned_data[k] for k in services.PROJECT_FIELDS if k in form.cleaned_data}
        return services.project_propose(acting_user=request.user, **fields)

    def _move(self, request, queryset, to):
        done = 0
        for project in queryset:
            try:
                services.project_move(project=project, to=to, acting_user=request.user)
                done += 1
            except ValidationError as exc:
                self.message_user(request, f"{project.title}: {' '.join(exc.messages)}", messages.ERROR)
        if done:
            self.message_user(request, _("%(n)s projects moved.") % {"n": done}, messages.SUCCESS)

    @admin.action(description=_("Move to appraisal"))
    def to_appraisal(self, request, queryset):
        self._move(request, queryset, Project.State.APPRAISAL)

    @admin.action(description=_("Make candidates"))
    def to_candidate(self, request, queryset):
        self._move(request, queryset, Project.State.CANDIDATE)

    def has_delete_permission(self, request, obj=None):
        return False
