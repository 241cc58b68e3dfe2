from django.urls import path

from policies import feeds, views

app_name = "policies"

urlpatterns = [
    path("", views.home, name="home"),
    path("analyses/", views.analysis_list, name="analysis_list"),
    path("analyses/feed/", feeds.LatestAnalysesFeed(), name="feed"),
    path("analyses/feed/atom/", feeds.LatestAnalysesAtomFeed(), name="feed_atom"),
    path("analyses/<slug:slug>/", views.analysis_detail, name="analysis"),
    path("topics/", views.topic_list, name="topic_list"),
    path("topics/<slug:slug>/", views.topic_detail, name="topic"),
    path("topics/<slug:slug>/feed/", feeds.TopicFeed(), name="topic_feed"),
    path("topics/<slug:slug>/feed/atom/", feeds.TopicAtomFeed(), name="topic_feed_atom"),
    path("authors/<slug:slug>/", views.author_detail, name="author"),
]
