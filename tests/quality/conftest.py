"""Moderation fixtures: the ST0896 plan on the personas' apprenticeship past gateway (the
end-point assessment fixtures), a moderator at its assessment organisation, and the
organisation's moderation policy."""

import pytest

from quality.services import moderation
from tests import factories
from tests.epa.conftest import assessor, at_epa, epao_admin, methods, plan  # noqa: F401
from tests.helpers.epa import confirm, record_method


@pytest.fixture
def moderator(personas):
    user = factories.UserFactory(email="moderator@example.org", full_name="Mo Moderator")
    factories.OrganisationMembershipFactory(
        user=user, organisation=personas["apprenticeship"].epao, is_moderator=True
    )
    return user


@pytest.fixture
def policy(personas, epao_admin):  # noqa: F811
    return moderation.set_moderation_policy(
        epao=personas["apprenticeship"].epao,
        by=epao_admin,
        is_active=True,
        all_highest=True,
        all_fails=True,
        pass_percent=10,
    )


def grade_and_confirm(apprenticeship, methods, assessor, *, am1="pass", am2="distinction"):  # noqa: F811
    record_method(apprenticeship, methods["AM1"], assessor, grade=am1)
    record_method(apprenticeship, methods["AM2"], assessor, grade=am2)
    return confirm(apprenticeship, assessor)
