from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("", views.profile, name="profile"),
    path("api-token/", views.api_token_new, name="api_token_new"),
    path("api-token/revoke/", views.api_token_delete, name="api_token_revoke"),
    path("your-data/", views.personal_data_download, name="personal_data_download"),
    path("delete/", views.account_delete, name="delete"),
]
