"""What the standards data says about the rules: the minimum time on programme is only a
longer one set by the assessment plan, and the plan says whether its EPA period is a
maximum, what a resit repeats and whether every theme must be covered; each imports,
exports and is refused plainly when malformed. The data migration that clears the 12
months the ST0896 file used to store."""

import importlib

import pytest
from django.apps import apps

from standards import selectors
from standards.errors import StandardImportError
from standards.models import AssessmentPlan, Provenance, StandardVersion
from standards.services import imports
from tests import factories

clearing = importlib.import_module("standards.migrations.0004_clear_minimum_copied_from_the_rules")


def test_the_st0896_file_sets_no_minimum_of_its_own_and_no_resit_rules(st0896):
    # SRC-PIER's "at least a year" is the pre-2025 funding rule; the plan text is not loaded.
    assert st0896.minimum_programme_months is None
    assert st0896.fact_provenance("minimum_programme_months") == Provenance.NOT_LOADED
    plan = st0896.assessment_plan
    # SRC-PIER gives 3 months as the typical period; no maximum is published (facts: gaps).
    assert (plan.epa_window_months, plan.epa_window_is_maximum) == (3, False)
    assert "SRC-PIER" in plan.fact("epaWindowMonths")["source"]
    assert plan.fact("epaWindowIsMaximum")["provenance"] == Provenance.NOT_LOADED
    # No ST0896 source states resit rules (facts: epa.resits_and_retakes not_found).
    assert (plan.resit_grade_cap, plan.resit_scope) == ("", "")
    assert not plan.states("resitGradeCap") and not plan.states("resitScope")
    assert plan.every_theme_required is False
    assert not plan.states("everyThemeRequired")


def test_the_new_plan_facts_export_and_import_back(st0896):
    plan = st0896.assessment_plan
    plan.epa_window_is_maximum = True
    plan.resit_scope = "all"
    plan.every_theme_required = True
    plan.save()
    exported = selectors.export_standard(standard_version=st0896)
    assert exported["assessmentPlan"]["epaWindowIsMaximum"] is True
    assert exported["assessmentPlan"]["resitScope"] == "all"
    assert exported["assessmentPlan"]["everyThemeRequired"] is True
    AssessmentPlan.objects.all().delete()
    StandardVersion.objects.all().delete()
    again = imports.import_standard(data=exported).standard_version
    assert selectors.export_standard(standard_version=again) == exported


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        (
            "epaWindowIsMaximum",
            "yes",
            "assessmentPlan: 'epaWindowIsMaximum' must be true or false.",
        ),
        ("everyThemeRequired", 1, "assessmentPlan: 'everyThemeRequired' must be true or false."),
        ("resitScope", "some", "assessmentPlan: 'resitScope' must be one of failed, all"),
    ],
)
def test_a_malformed_plan_rule_is_refused_plainly(st0896, key, value, message):
    data = selectors.export_standard(standard_version=st0896)
    data["assessmentPlan"][key] = value
    with pytest.raises(StandardImportError) as error:
        imports.import_standard(data=data)
    assert message in str(error.value)


def test_the_migration_clears_a_minimum_copied_from_the_rules_and_can_put_it_back(db):
    copied = factories.StandardVersionFactory(
        minimum_programme_months=12,
        facts={"minimum_programme_months": {"provenance": "secondary", "source": "Pier"}},
    )
    longer = factories.StandardVersionFactory(minimum_programme_months=18)
    clearing.clear_copied_minimum(apps, None)
    copied.refresh_from_db()
    longer.refresh_from_db()
    assert copied.minimum_programme_months is None
    record = copied.fact("minimum_programme_months")
    assert record["provenance"] == Provenance.NOT_LOADED
    assert "the 12 months stored before was the funding rules' figure" in record["note"]
    assert longer.minimum_programme_months == 18
    clearing.restore_copied_minimum(apps, None)
    copied.refresh_from_db()
    assert copied.minimum_programme_months == 12
    assert copied.fact("minimum_programme_months") == {"provenance": "secondary", "source": "Pier"}


def test_the_standard_page_says_the_plans_minimum_and_the_resit_rules_are_not_stated(
    client, st0896
):
    client.force_login(factories.UserFactory())
    page = " ".join(client.get(st0896.get_absolute_url()).content.decode().split())
    assert "None known: the funding rules' minimum for the start date applies" in page
    assert "Cap on the grade: not stated by the plan" in page
    assert "Typically within 3 months of gateway: guidance, not a deadline." in page
    assert "A theme no question covers is a warning to the assessor, not a stop." in page
