from django.urls import path

from webinars import views

app_name = "webinars"

urlpatterns = [
    path("webinars/", views.webinar_list, name="webinar_list"),
    path("webinars/<slug:slug>/", views.webinar_detail, name="webinar"),
    path("speakers/<slug:slug>/", views.speaker_detail, name="speaker"),
]
