"""The profile page: opened from your own name, and signing out everywhere else."""

from django.test import Client
from django.urls import reverse


def test_your_own_name_in_the_header_opens_the_profile(client, personas):
    client.force_login(personas["tutor"])
    page = client.get(reverse("notifications:list")).content.decode()
    profile = reverse("notifications:profile")
    assert f'<a class="nav-link" href="{profile}">Tutor</a>' in page


def test_signing_out_everywhere_else_keeps_this_browser_only(client, personas):
    tutor = personas["tutor"]
    other = Client()
    client.force_login(tutor)
    other.force_login(tutor)
    assert other.get(reverse("notifications:list")).status_code == 200

    response = client.post(reverse("notifications:sign-out-everywhere"))
    assert response.status_code == 302
    assert client.get(reverse("notifications:profile")).status_code == 200
    response = other.get(reverse("notifications:list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    # Another person's sessions are untouched.
    apprentice = Client()
    apprentice.force_login(personas["apprentice"])
    client.post(reverse("notifications:sign-out-everywhere"))
    assert apprentice.get(reverse("notifications:list")).status_code == 200


def test_signing_out_everywhere_needs_a_post(client, personas):
    client.force_login(personas["tutor"])
    assert client.get(reverse("notifications:sign-out-everywhere")).status_code == 405
