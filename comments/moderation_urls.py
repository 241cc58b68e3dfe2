from django.urls import path

from comments import reply_views

app_name = "comments_moderation"

urlpatterns = [
    path("comments/replies/stop/<str:token>/", reply_views.stop_replies, name="stop_replies"),
]
