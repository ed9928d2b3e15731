"""bin/run starts quietly: no setuptools warning boxes, no raw emails in the middle of
setup, a favicon, and the PORT it reads is documented."""

import tomllib
from pathlib import Path

from django.conf import settings
from django.core import mail
from django.test import override_settings
from django.urls import reverse

ROOT = Path(settings.BASE_DIR)


def test_favicon_is_served_from_static_and_cached(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    assert b"".join(response.streaming_content)[:4] == b"\x00\x00\x01\x00"  # an ICO file
    assert "max-age=86400" in response["Cache-Control"]
    assert reverse("favicon") == "/favicon.ico"


def test_the_licence_is_an_spdx_string_so_setuptools_prints_no_deprecation_box():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert isinstance(pyproject["project"]["license"], str)
    assert not any("License ::" in c for c in pyproject["project"].get("classifiers", []))
    requires = pyproject["build-system"]["requires"]
    assert requires == ["setuptools>=77"]  # the first to take an SPDX licence string


def test_bin_run_writes_setup_emails_to_files_and_says_where():
    script = (ROOT / "bin" / "run").read_text()
    setup = script.split("manage.py seed_demo")[0]
    assert "filebased.EmailBackend" in setup and 'EMAIL_FILE_PATH="$setup_emails"' in setup
    assert "LOG_LEVEL=WARNING" in setup
    assert "are in $setup_emails/" in script


def test_the_file_backend_writes_where_bin_run_says(tmp_path):
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(tmp_path),
    ):
        mail.send_mail("Hello", "Body", "a@example.org", ["b@example.org"])
    assert len(list(tmp_path.iterdir())) == 1


def test_the_readme_documents_port():
    readme = (ROOT / "README.md").read_text()
    assert "PORT=8080 bin/run" in readme
    assert 'PORT="${PORT:-8000}"' in (ROOT / "bin" / "run").read_text()
