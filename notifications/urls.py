from django.urls import path

from notifications import views

app_name = "notifications"

urlpatterns = [
    path("subscribe/", views.subscribe, name="subscribe"),
    path("subscribe/check-your-inbox/", views.subscribe_done, name="subscribe_done"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    path("preferences/", views.preferences_request, name="preferences_request"),
    path("preferences/<str:token>/", views.preferences, name="preferences"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("account/", views.account, name="account"),
]
