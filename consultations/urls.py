from django.urls import path

from consultations import consultation_views, views

app_name = "consultations"

urlpatterns = [
    path("webinars/", views.webinar_list, name="webinar_list"),
    path("webinars/<slug:slug>/", views.webinar_detail, name="webinar"),
    path("speakers/<slug:slug>/", views.speaker_detail, name="speaker"),
    path("consultations/", consultation_views.consultation_list, name="consultation_list"),
    path("consultations/<slug:slug>/", consultation_views.consultation_detail, name="consultation"),
    path("consultations/<slug:slug>/respond/", consultation_views.respond_start, name="respond_start"),
    path("consultations/<slug:slug>/respond/<int:page>/", consultation_views.respond_page, name="respond_page"),
    path("consultations/<slug:slug>/respond/check/", consultation_views.respond_check, name="respond_check"),
    path("responses/<str:token>/", consultation_views.response_link, name="response_link"),
    path("responses/<str:token>/withdraw/", consultation_views.response_withdraw, name="response_withdraw"),
    path("responses/<str:token>/claim/", consultation_views.response_claim, name="response_claim"),
    path(
        "responses/<str:token>/claim/<str:proof>/",
        consultation_views.response_claim_confirm,
        name="response_claim_confirm",
    ),
    path("late-responses/<str:token>/", consultation_views.late_response, name="late_response"),
]
