from django.urls import path

from consultations import views

app_name = "consultations"

urlpatterns = [
    path("consultations/", views.consultation_list, name="consultation_list"),
    path("consultations/<slug:slug>/", views.consultation_detail, name="consultation"),
    path("consultations/<slug:slug>/respond/", views.respond_start, name="respond_start"),
    path("consultations/<slug:slug>/respond/<int:page>/", views.respond_page, name="respond_page"),
    path("consultations/<slug:slug>/respond/check/", views.respond_check, name="respond_check"),
    path("consultations/<slug:slug>/respond/files/<str:key>/", views.respond_attachment, name="respond_attachment"),
    path("responses/<str:token>/", views.response_link, name="response_link"),
    path("responses/<str:token>/files/<str:key>/", views.response_attachment, name="response_attachment"),
    path("responses/<str:token>/withdraw/", views.response_withdraw, name="response_withdraw"),
    path("responses/<str:token>/claim/", views.response_claim, name="response_claim"),
    path(
        "responses/<str:token>/claim/<str:proof>/",
        views.response_claim_confirm,
        name="response_claim_confirm",
    ),
    path("late-responses/<str:token>/", views.late_response, name="late_response"),
]
