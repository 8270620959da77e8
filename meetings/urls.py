from django.urls import path

from meetings import views

app_name = "meetings"
urlpatterns = [
    path("meetings/", views.my_meetings, name="my_meetings"),
    path("meetings/<int:pk>/sign-in/", views.sign_in, name="sign_in"),
    path("meetings/<int:pk>/leave/", views.request_leave, name="request_leave"),
    path("surveys/<int:pk>/", views.score, name="score"),
    path("staff/meetings/", views.meeting_list, name="meetings"),
    path("staff/meetings/new/", views.meeting_new, name="meeting_new"),
    path("staff/meetings/<int:pk>/", views.meeting_detail, name="meeting"),
    path("staff/meetings/<int:pk>/stage/", views.meeting_transition, name="transition"),
    path("staff/meetings/<int:pk>/agenda/", views.agenda_add, name="agenda_add"),
    path("staff/meetings/<int:pk>/attendance/", views.attendance, name="attendance"),
    path("staff/meetings/<int:pk>/agenda/<int:item_pk>/open-ballot/", views.item_open_ballot, name="open_ballot"),
    path("staff/meetings/<int:pk>/surveys/", views.survey_create, name="survey_create"),
    path("staff/meetings/<int:pk>/opinions/", views.opinion_send, name="opinion_send"),
    path("staff/meetings/<int:pk>/inspections/", views.inspection_add, name="inspection_add"),
    path("staff/meetings/<int:pk>/groups/", views.group_add, name="group_add"),
    path("staff/meetings/<int:pk>/gather/", views.opinions_gather, name="opinions_gather"),
    path("staff/meetings/<int:pk>/opinions/<int:opinion_pk>/", views.opinion_respond, name="opinion_respond"),
    path("staff/meetings/<int:pk>/report/", views.report_request, name="report_request"),
    path("staff/meetings/<int:pk>/notices/", views.notices_send, name="notices_send"),
    path("staff/meetings/<int:pk>/sign-in-sheet.pdf", views.sign_in_sheet, name="sign_in_sheet"),
    path("staff/meetings/<int:pk>/paper-forms.pdf", views.paper_forms, name="paper_forms"),
    path("staff/reports/<int:pk>.pdf", views.report_download, name="report_download"),
    path("staff/reports/<int:pk>/rebuild/", views.report_rebuild, name="report_rebuild"),
    path("staff/surveys/<int:pk>/open/", views.survey_open, name="survey_open"),
    path("staff/surveys/<int:pk>/close/", views.survey_close, name="survey_close"),
    path("staff/surveys/<int:pk>/unseal/", views.survey_unseal, name="survey_unseal"),
    path("staff/surveys/<int:pk>/void/", views.survey_void, name="survey_void"),
    path("staff/surveys/<int:pk>/paper/", views.survey_paper, name="survey_paper"),
    path("staff/surveys/<int:pk>/report/", views.survey_report, name="survey_report"),
    path("me/record/", views.my_duty_record, name="my_record"),
    path("staff/people/<int:person_pk>/record/", views.duty_record_staff, name="duty_record"),
    path("staff/dashboard/", views.dashboard, name="dashboard"),
]
