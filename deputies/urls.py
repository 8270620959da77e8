from django.urls import path

from deputies import views, views_liaison, views_points, views_suggestions

app_name = "deputies"
urlpatterns = [
    path("me/", views.me, name="me"),
    path("staff/bodies/", views.body_list, name="bodies"),
    path("staff/bodies/<int:pk>/", views.body_detail, name="body"),
    path("staff/bodies/<int:pk>/composition.<str:fmt>", views.composition_export, name="composition_export"),
    path("staff/bodies/<int:pk>/roster.<str:fmt>", views.roster_export, name="roster_export"),
    path("staff/bodies/<int:pk>/import/", views.roster_import, name="roster_import"),
    path("opinions/new/", views_liaison.opinion_new_public, name="opinion_public"),
    path("opinions/thanks/<str:token>/", views_liaison.opinion_thanks, name="opinion_thanks"),
    path("opinions/track/<str:token>/", views_liaison.opinion_track, name="opinion_track"),
    path("staff/opinions/", views_liaison.opinion_list, name="opinions"),
    path("staff/opinions/new/", views_liaison.opinion_new_staff, name="opinion_new"),
    path("staff/opinions/<int:pk>/", views_liaison.opinion_detail, name="opinion"),
    path("staff/opinions/<int:pk>/act/", views_liaison.opinion_act, name="opinion_act"),
    path("staff/stations/", views_liaison.station_list, name="stations"),
    path("staff/stations/<int:pk>/", views_liaison.station_detail, name="station"),
    path("staff/stations/<int:pk>/walk-in/", views_liaison.walk_in, name="walk_in"),
    path("staff/stations/<int:pk>/walk-in/<int:opinion_pk>/", views_liaison.walk_in_receipt, name="walk_in_receipt"),
    path("me/suggestions/", views_suggestions.my_suggestions, name="my_suggestions"),
    path("me/suggestions/new/", views_suggestions.suggestion_new, name="suggestion_new"),
    path("me/suggestions/<int:pk>/evaluate/", views_suggestions.suggestion_evaluate, name="suggestion_evaluate"),
    path("staff/suggestions/", views_suggestions.suggestion_list, name="suggestions"),
    path("staff/suggestions/<int:pk>/", views_suggestions.suggestion_detail, name="suggestion"),
    path("suggestions/replies/", views_suggestions.public_replies, name="public_replies"),
    path("unit/suggestions/", views_suggestions.unit_queue, name="unit_queue"),
    path("unit/suggestions/<int:pk>/", views_suggestions.unit_suggestion, name="unit_suggestion"),
    path("me/points/", views_points.my_reports, name="my_reports"),
    path("me/points/<int:pk>/photo/", views_points.my_report_photo, name="my_report_photo"),
    path("staff/points/", views_points.reports_review, name="reports_review"),
    path("staff/points/<int:pk>/photo/", views_points.report_photo, name="report_photo"),
    path("staff/bodies/<int:pk>/points/", views_points.point_rules, name="point_rules"),
]
