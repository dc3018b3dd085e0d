"""Static files as production serves them: `collectstatic` writes hashed, compressed copies and
WhiteNoise sends them compressed with a long immutable cache (cxsuite/lib/static.py)."""

import re

import pytest
from django.core.management import call_command
from django.templatetags.static import static
from django.test import Client, override_settings

STORAGE = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "cxsuite.lib.static.StaticStorage"},
}
YEAR = 365 * 24 * 3600


@pytest.fixture
def collected(tmp_path):
    with override_settings(STATIC_ROOT=tmp_path, STORAGES=STORAGE, WHITENOISE_USE_FINDERS=False):
        # our files and htmx; the admin's and the API docs' own files take the most time
        ignore = ["admin", "rest_framework", "drf_spectacular_sidecar"]
        call_command("collectstatic", interactive=False, verbosity=0, ignore_patterns=ignore)
        yield tmp_path


def _max_age(response) -> int:
    return int(re.search(r"max-age=(\d+)", response["Cache-Control"]).group(1))


@pytest.mark.django_db
def test_pages_link_hashed_names_served_compressed_with_a_year_of_cache(collected, tenant):
    url = static("css/app.css")
    assert re.fullmatch(r"/static/css/app\.[0-9a-f]{12}\.css", url)
    assert (collected / "css" / (url.rsplit("/", 1)[1] + ".gz")).exists()
    client = Client()  # a new handler: WhiteNoise reads the overridden settings
    response = client.get(url, HTTP_HOST="alpha.localhost", HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert _max_age(response) >= YEAR and "immutable" in response["Cache-Control"]
    page = client.get("/login/", HTTP_HOST="alpha.localhost").content.decode()
    assert url in page


def test_without_collectstatic_a_file_keeps_its_plain_name(tmp_path):
    with override_settings(STATIC_ROOT=tmp_path, STORAGES=STORAGE):
        assert static("css/app.css") == "/static/css/app.css"
