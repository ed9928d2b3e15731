"""The NCCMH framework as reference data: its structure loads from the fixture built from
the seed text, each part labelled with where it came from, its statements not loaded yet."""

import io
import json
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.urls import reverse

from standards.models import CompetenceFramework, FrameworkDomain, FrameworkUnit
from standards.services import frameworks

SEED = settings.BASE_DIR.parent.parent / "shared" / "seeds" / "004_ccd4c7ca472800b3.txt"


def _load():
    return frameworks.import_framework(
        data=frameworks.load_framework_file(frameworks.NCCMH_FIXTURE)
    )


def test_the_fixture_holds_four_sections_29_units_and_ten_domains(db):
    framework = _load()
    assert [s.title for s in framework.sections.order_by("number")] == [
        "Underpinning understanding and knowledge",
        "Communication and engagement skills",
        "Self-care",
        "Working in partnership",
    ]
    codes = list(
        FrameworkUnit.objects.filter(section__framework=framework).values_list("code", flat=True)
    )
    expected = (
        [f"1.{n}" for n in range(1, 9)]
        + [f"2.{n}" for n in range(1, 6)]
        + ["3.1", "3.2"]
        + [f"4.{n}" for n in range(1, 15)]
    )
    assert codes == expected
    unit = FrameworkUnit.objects.get(section__framework=framework, code="3.2")
    assert unit.title == "Ability to make effective use of supervision"
    assert "section 5.3" in unit.source and "line" in unit.source
    assert FrameworkDomain.objects.filter(framework=framework).count() == 10
    assert framework.provenance == "seed" and not framework.statements_loaded


def test_loading_twice_changes_nothing(db):
    first = _load()
    again = _load()
    assert first.pk == again.pk
    assert CompetenceFramework.objects.count() == 1
    assert FrameworkUnit.objects.count() == 29


def test_the_command_loads_and_refuses_a_bad_file(db, tmp_path):
    out = io.StringIO()
    call_command("import_framework", stdout=out)
    assert "4 sections, 29 units, 10 domains" in out.getvalue()
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"code": "X"}))
    with pytest.raises(CommandError, match="has no"):
        call_command("import_framework", str(bad))


@pytest.mark.skipif(not SEED.exists(), reason="the seed documents are beside the project")
def test_the_fixture_is_what_the_builder_makes_from_the_seed(tmp_path):
    script = settings.BASE_DIR / "fixtures" / "frameworks" / "build_nccmh.py"
    code = (
        "import importlib.util, json, sys\n"
        f"spec = importlib.util.spec_from_file_location('b', {str(script)!r})\n"
        "m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)\n"
        f"print(json.dumps(m.build(m.Path({str(SEED)!r}))))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, check=True)  # noqa: S603
    built = json.loads(result.stdout)
    assert built == json.loads(frameworks.NCCMH_FIXTURE.read_text(encoding="utf-8"))


def test_the_page_labels_every_part_and_says_statements_are_not_loaded(client, personas):
    framework = _load()
    client.force_login(personas["apprentice"])
    page = client.get(reverse("standards:framework-detail", args=[framework.pk])).content.decode()
    assert "4.14</strong> Ability to help people develop coping and problem-solving skills" in page
    assert page.count("Seed-derived") >= 1 + 29 + 10
    assert "Not loaded yet" in page
