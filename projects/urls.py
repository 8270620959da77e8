from django.urls import path

from projects import views

app_name = "projects"
urlpatterns = [
    path("propose/", views.propose, name="propose"),
    path("propose/thanks/<str:token>/", views.propose_thanks, name="propose_thanks"),
    path("propose/track/<str:token>/", views.propose_track, name="propose_track"),
    path("ballots/", views.my_ballots, name="my_ballots"),
    path("ballots/<int:pk>/vote/", views.vote, name="vote"),
    path("ballots/<int:pk>/result/", views.result, name="result"),
    path("ballots/<int:pk>/result/print/", views.result_print, name="result_print"),
    path("ballots/<int:pk>/result.<str:fmt>", views.result_export, name="result_export"),
    path("staff/projects/", views.project_list, name="projects"),
    path("staff/projects/new/", views.project_new, name="project_new"),
    path("staff/projects/<int:pk>/", views.project_detail, name="project"),
    path("staff/opinions/<int:opinion_pk>/to-project/", views.project_from_opinion, name="from_opinion"),
    path("staff/projects/<int:pk>/move/", views.project_move, name="project_move"),
    path("staff/projects/<int:pk>/milestone/", views.project_milestone, name="project_milestone"),
    path("staff/projects/<int:pk>/milestone/<int:mid>/done/", views.project_milestone_done, name="milestone_done"),
    path("staff/projects/<int:pk>/progress/", views.project_progress, name="project_progress"),
    path("staff/projects/<int:pk>/progress/<int:report_pk>/attachment/", views.progress_attachment,
         name="progress_attachment"),
    path("staff/ballots/", views.ballot_list, name="ballots"),
    path("staff/ballots/new/", views.ballot_new, name="ballot_new"),
    path("staff/ballots/<int:pk>/", views.ballot_detail, name="ballot"),
    path("staff/ballots/<int:pk>/rules/", views.ballot_rules, name="ballot_rules"),
    path("staff/ballots/<int:pk>/candidates/", views.ballot_candidates, name="ballot_candidates"),
    path("staff/ballots/<int:pk>/open/", views.ballot_open, name="ballot_open"),
    path("staff/ballots/<int:pk>/close/", views.ballot_close, name="ballot_close"),
    path("staff/ballots/<int:pk>/unseal/", views.ballot_unseal, name="ballot_unseal"),
    path("staff/ballots/<int:pk>/void/", views.ballot_void, name="ballot_void"),
    path("staff/ballots/<int:pk>/verification.json", views.ballot_verification, name="ballot_verification"),
    path("staff/ballots/<int:pk>/recount/", views.ballot_recount, name="ballot_recount"),
    path("staff/ballots/<int:pk>/tie/", views.ballot_tie, name="ballot_tie"),
    path("staff/ballots/<int:pk>/certify/", views.ballot_certify, name="ballot_certify"),
    path("staff/ballots/<int:pk>/paper/", views.ballot_paper, name="ballot_paper"),
]
