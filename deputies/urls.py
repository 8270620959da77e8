from django.urls import path

from deputies import views

app_name = "deputies"
urlpatterns = [
    path("me/", views.me, name="me"),
    path("staff/bodies/", views.body_list, name="bodies"),
    path("staff/bodies/<int:pk>/", views.body_detail, name="body"),
    path("staff/bodies/<int:pk>/composition.<str:fmt>", views.composition_export, name="composition_export"),
    path("staff/bodies/<int:pk>/roster.<str:fmt>", views.roster_export, name="roster_export"),
    path("staff/bodies/<int:pk>/import/", views.roster_import, name="roster_import"),
]
