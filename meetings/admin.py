from django.contrib import admin

from congress.admin import ScopedAdmin, ServiceSaveMixin
from meetings import services
from meetings.models import AgendaItem, InquiryExchange, Meeting, MeetingGroup, Speech


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_change_permission(self, request, obj=None):
        return False


class AgendaInline(ReadOnlyInline):
    model = AgendaItem
    fields = ("order", "kind", "title", "reporter", "reporting_unit", "ballot")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class GroupInline(ReadOnlyInline):
    model = MeetingGroup
    fields = ("name",)


@admin.register(Meeting)
class MeetingAdmin(ServiceSaveMixin, ScopedAdmin):
    """Meetings are created and run from the staff pages (/staff/meetings/); here they are browsed and groups added."""

    list_display = ("title", "body", "kind", "date", "state")
    list_filter = ("kind", "state")
    search_fields = ("title", "body__name", "place")
    date_hierarchy = "date"
    list_select_related = ("body",)
    readonly_fields = ("body", "session", "kind", "title", "date", "place", "state")
    inlines = [AgendaInline, GroupInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def service_save(self, request, obj, form, change):
        return None  # every field is read-only here; groups are added through save_formset

    def save_formset(self, request, form, formset, change):
        if formset.model is MeetingGroup:
            for obj in formset.save(commit=False):
                if obj.pk is None:
                    services.group_create(meeting=form.instance, name=obj.name, acting_user=request.user)
            return
        super().save_formset(request, form, formset, change)


class SpeechInline(admin.TabularInline):
    model = Speech
    extra = 1
    fields = ("speaker", "group", "text")
    autocomplete_fields = ("speaker",)


class InquiryInline(admin.StackedInline):
    model = InquiryExchange
    extra = 1
    fields = ("asked_by", "question", "answered_by", "answer")
    autocomplete_fields = ("asked_by",)


@admin.register(AgendaItem)
class AgendaItemAdmin(ServiceSaveMixin, ScopedAdmin):
    """Record speeches and special-inquiry questions and answers per agenda item."""

    list_display = ("meeting", "order", "kind", "title", "reporter")
    list_filter = ("kind",)
    search_fields = ("title", "meeting__title")
    readonly_fields = ("meeting", "order", "kind", "title", "reporter", "reporting_unit", "ballot", "projects")
    inlines = [SpeechInline, InquiryInline]

    def get_queryset(self, request):
        return AgendaItem.objects.filter(meeting__in=Meeting.objects.in_scope(request.user)).select_related("meeting")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def service_save(self, request, obj, form, change):
        return None  # every field is read-only here; speeches and questions come through save_formset

    def save_formset(self, request, form, formset, change):
        item = form.instance
        for obj in formset.save(commit=False):
            if obj.pk is not None:
                continue
            if isinstance(obj, Speech):
                services.speech_add(item=item, speaker=obj.speaker, text=obj.text, group=obj.group,
                                    acting_user=request.user)
            else:
                services.inquiry_add(item=item, asked_by=obj.asked_by, question=obj.question,
                                     answered_by=obj.answered_by, answer=obj.answer, acting_user=request.user)
