from django.urls import path

from overview import views

app_name = "overview"
urlpatterns = [
    path("me/record/", views.my_duty_record, name="my_record"),
    path("staff/people/<int:person_pk>/record/", views.duty_record_staff, name="duty_record"),
    path("staff/dashboard/", views.dashboard, name="dashboard"),
]
