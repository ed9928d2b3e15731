"""Two-factor sign-in (issue 18, item 9): set-up, the code after the password, recovery
codes, the lockout, an admin's reset and staff sent to set it up first."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import two_factor
from apprenticeship import services
from audit.models import AuditEvent

PASSWORD = "correct-horse-battery"


@pytest.fixture(autouse=True)
def _no_throttle(settings):
    # django-otp's own delay after a wrong code would refuse the right code typed a moment
    # later in a test; the sign-in lockout is what these tests check.
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0


def current_code(device: TOTPDevice, *, ahead: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time += ahead * device.step
    return f"{totp.token():06d}"


def turn_on(user) -> tuple[TOTPDevice, list[str]]:
    device = two_factor.start_setup(user=user)
    codes = two_factor.confirm_setup(user=user, device=device, code=current_code(device))
    device.refresh_from_db()
    return device, codes


def sign_in_with_password(client, user, follow=False):
    return client.post(
        reverse("accounts:login"), {"username": user.email, "password": PASSWORD}, follow=follow
    )


# -- set-up ------------------------------------------------------------------------------


def test_setup_page_shows_a_qr_code_and_the_key_then_ten_codes_once(client, personas):
    tutor = personas["tutor"]
    client.force_login(tutor)
    page = client.get(reverse("accounts:two-factor-setup"))
    html = page.content.decode()
    assert page.status_code == 200
    assert "<svg" in html and "type this key instead" in html
    device = TOTPDevice.objects.get(user=tutor, confirmed=False)
    assert two_factor.secret_text(device) in html
    # Opening the page again shows the same key until it is confirmed.
    assert two_factor.secret_text(device) in client.get(page.request["PATH_INFO"]).content.decode()
    wrong = client.post(reverse("accounts:two-factor-setup"), {"code": "000000"})
    assert wrong.status_code == 400 and "That code is not right" in wrong.content.decode()
    assert not two_factor.has_two_factor(tutor)
    done = client.post(reverse("accounts:two-factor-setup"), {"code": current_code(device)})
    assert done.status_code == 200
    assert "only time they are shown" in done.content.decode()
    assert len(done.context["codes"]) == 10
    assert two_factor.has_two_factor(tutor)
    assert two_factor.recovery_codes_left(tutor) == 10
    manage = client.get(reverse("accounts:two-factor")).content.decode()
    assert "is <strong>on</strong>" in manage and "10 recovery codes left" in manage
    for code in done.context["codes"]:
        assert code not in manage


def test_someone_who_need_not_use_it_can_turn_it_off(client, personas):
    tutor = personas["tutor"]
    turn_on(tutor)
    client.force_login(tutor)
    client.post(reverse("accounts:two-factor"), {"action": "turn-off"})
    assert not two_factor.has_two_factor(tutor)


def test_staff_cannot_turn_it_off(client, personas):
    admin = personas["admin"]
    turn_on(admin)
    client.force_login(admin)
    assert "Turn off" not in client.get(reverse("accounts:two-factor")).content.decode()
    client.post(reverse("accounts:two-factor"), {"action": "turn-off"})
    assert two_factor.has_two_factor(admin)


# -- signing in --------------------------------------------------------------------------


def test_sign_in_asks_for_the_code_after_the_password(client, personas):
    tutor = personas["tutor"]
    device, _ = turn_on(tutor)
    response = sign_in_with_password(client, tutor)
    assert response["Location"] == reverse("accounts:two-factor-verify")
    assert "_auth_user_id" not in client.session  # not signed in yet
    assert client.get(reverse("dashboards:caseload")).status_code == 302
    response = client.post(
        reverse("accounts:two-factor-verify"), {"code": current_code(device, ahead=1)}
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(tutor.pk)
    assert client.session[two_factor.SESSION_KEY] == two_factor.VERIFIED
    assert client.get(reverse("dashboards:caseload")).status_code == 200


def test_a_wrong_code_does_not_sign_in(client, personas):
    tutor = personas["tutor"]
    turn_on(tutor)
    sign_in_with_password(client, tutor)
    response = client.post(reverse("accounts:two-factor-verify"), {"code": "123456"})
    assert response.status_code == 400
    assert "That code is not right" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_code_must_follow_the_password_within_ten_minutes(client, personas, time_machine):
    tutor = personas["tutor"]
    device, _ = turn_on(tutor)
    sign_in_with_password(client, tutor)
    time_machine.move_to(timezone.now() + dt.timedelta(minutes=11))
    response = client.post(
        reverse("accounts:two-factor-verify"), {"code": current_code(device)}, follow=True
    )
    assert "That took too long" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_code_page_without_a_password_first_goes_back_to_sign_in(client):
    response = client.post(reverse("accounts:two-factor-verify"), {"code": "123456"})
    assert response["Location"] == reverse("accounts:login")


def test_a_recovery_code_signs_in_once(client, personas):
    tutor = personas["tutor"]
    _, codes = turn_on(tutor)
    sign_in_with_password(client, tutor)
    response = client.post(
        reverse("accounts:two-factor-verify"), {"code": codes[0].upper()}, follow=True
    )
    assert "You used a recovery code" in response.content.decode()
    assert "You have 9 left" in response.content.decode()
    assert client.session["_auth_user_id"] == str(tutor.pk)
    client.post(reverse("accounts:logout"))
    sign_in_with_password(client, tutor)
    again = client.post(reverse("accounts:two-factor-verify"), {"code": codes[0]})
    assert again.status_code == 400
    assert "_auth_user_id" not in client.session


def test_new_recovery_codes_replace_the_old_ones(client, personas):
    tutor = personas["tutor"]
    _, old = turn_on(tutor)
    client.force_login(tutor)
    new = client.post(reverse("accounts:two-factor"), {"action": "new-codes"}).context["codes"]
    assert two_factor.verify_code(user=tutor, code=old[0]) is None
    assert two_factor.verify_code(user=tutor, code=new[0]) is not None


def test_wrong_codes_count_towards_the_sign_in_lockout(client, personas, settings):
    tutor = personas["tutor"]
    device, _ = turn_on(tutor)
    # One wrong password first: the lockout counts both factors together.
    client.post(reverse("accounts:login"), {"username": tutor.email, "password": "wrong"})
    sign_in_with_password(client, tutor)
    url = reverse("accounts:two-factor-verify")
    for _ in range(settings.AXES_FAILURE_LIMIT - 2):
        assert client.post(url, {"code": "000000"}).status_code == 400
    locked = client.post(url, {"code": "000000"})
    assert locked.status_code == 429
    assert "Too many attempts to sign in" in locked.content.decode()
    # Even the right code is refused while locked out, and so is the password.
    assert client.post(url, {"code": current_code(device, ahead=1)}).status_code == 429
    assert "_auth_user_id" not in client.session
    assert sign_in_with_password(client, tutor).status_code == 429


# -- staff must use it -------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["admin", "epao_admin", "operator"])
def test_staff_are_sent_to_set_it_up_before_anything_else(client, personas, persona):
    from tests import factories
    from tests.helpers.personas import add_more_personas

    add_more_personas(personas)
    personas["operator"] = factories.UserFactory(email="op@example.org", is_superuser=True)
    user = personas[persona]
    response = sign_in_with_password(client, user)
    assert response.status_code == 302
    assert client.session[two_factor.SESSION_KEY] == two_factor.SETUP_REQUIRED
    for url in (reverse("dashboards:home"), reverse("standards:standard-list")):
        assert client.get(url)["Location"] == reverse("accounts:two-factor-setup")
    page = client.get(reverse("accounts:two-factor-setup"))
    assert "Set this up before you carry on" in page.content.decode()
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    client.post(reverse("accounts:two-factor-setup"), {"code": current_code(device)})
    assert client.get(reverse("standards:standard-list")).status_code == 200


def test_staff_need_not_when_the_setting_is_off(client, personas, settings):
    settings.REQUIRE_TWO_FACTOR_FOR_STAFF = False
    sign_in_with_password(client, personas["admin"])
    assert client.get(reverse("dashboards:overview")).status_code == 200


def test_a_session_made_another_way_is_checked_once(client, personas):
    """Choosing a password from an invitation signs in without the form: a new admin is
    still sent to set up, and someone with an app signs in again with its code."""
    client.force_login(personas["admin"], two_factor=None)
    assert client.get(reverse("dashboards:overview"))["Location"] == reverse(
        "accounts:two-factor-setup"
    )
    tutor = personas["tutor"]
    turn_on(tutor)
    client.force_login(tutor, two_factor=None)
    response = client.get(reverse("dashboards:caseload"))
    assert response["Location"].startswith(reverse("accounts:login"))
    assert "_auth_user_id" not in client.session


# -- an admin resets a lost phone ------------------------------------------------------------


def test_the_provider_admin_resets_a_lost_phone_and_it_is_recorded(client, personas):
    tutor = personas["tutor"]
    turn_on(tutor)
    client.force_login(personas["admin"])
    organisation = personas["apprenticeship"].provider
    page = client.get(reverse("apprenticeship:organisation-detail", args=[organisation.pk]))
    reset_url = reverse("apprenticeship:person-reset-two-factor", args=[tutor.pk])
    assert reset_url in page.content.decode()
    response = client.post(reset_url, follow=True)
    assert "two-factor sign-in is reset" in response.content.decode()
    assert not two_factor.has_two_factor(tutor)
    assert two_factor.recovery_codes_left(tutor) == 0
    event = AuditEvent.objects.get(action="person.two_factor_reset")
    assert event.actor == personas["admin"] and event.object_id == str(tutor.pk)
    # They now sign in with their password alone.
    client.post(reverse("accounts:logout"))
    sign_in_with_password(client, tutor)
    assert client.session["_auth_user_id"] == str(tutor.pk)


def test_another_providers_admin_cannot_reset(client, personas):
    tutor = personas["tutor"]
    turn_on(tutor)
    client.force_login(personas["outsider"])
    url = reverse("apprenticeship:person-reset-two-factor", args=[tutor.pk])
    assert client.post(url).status_code == 404
    assert two_factor.has_two_factor(tutor)


def test_resetting_someone_without_it_is_refused(personas):
    with pytest.raises(services.EnrolmentError, match="has not set up"):
        services.reset_two_factor(person=personas["tutor"], by=personas["admin"])
    assert not AuditEvent.objects.filter(action="person.two_factor_reset").exists()
