from django.urls import path

from comments import views

app_name = "comments"

urlpatterns = [
    path("comment-policy/", views.policy, name="policy"),
    path("comment-policy/version-<int:number>/", views.policy_version, name="policy_version"),
    path("comments/<slug:target>/<int:object_id>/post/", views.post_comment, name="post"),
    path("comments/confirm/<str:token>/", views.confirm, name="confirm"),
    path("comments/<int:pk>/", views.permalink, name="permalink"),
    path("comments/<int:pk>/edit/", views.edit, name="edit"),
    path("comments/<int:pk>/delete/", views.delete, name="delete"),
    path("comments/<int:pk>/report/", views.report, name="report"),
    path("comments/not-published/<str:token>/", views.not_published, name="not_published"),
    path("comments/replies/stop/<str:token>/", views.stop_replies, name="stop_replies"),
]
