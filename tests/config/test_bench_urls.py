"""The benchmarks' trivial view lives in a URLconf only bench.settings uses: never on the public site."""

import pytest


@pytest.mark.django_db
def test_the_public_site_has_no_trivial_bench_view(client):
    assert client.get("/bench/ok/").status_code == 404


def test_the_bench_urlconf_serves_it_beside_every_site_url(client, settings):
    from config.urls import urlpatterns

    settings.ROOT_URLCONF = "bench.urls"
    from bench.urls import urlpatterns as bench_urlpatterns

    response = client.get("/bench/ok/")
    assert response.status_code == 200 and response.content == b"ok"
    assert bench_urlpatterns[1:] == urlpatterns


def test_the_bench_settings_are_the_sites_with_the_bench_urlconf():
    import bench.settings
    import config.settings

    assert bench.settings.ROOT_URLCONF == "bench.urls"
    assert bench.settings.MIDDLEWARE == config.settings.MIDDLEWARE
    assert bench.settings.DATABASES == config.settings.DATABASES
