"""The lock files and the Docker image stay in step with pyproject.toml."""

import re
import tomllib
from pathlib import Path

import pytest
from django.conf import settings
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(settings.BASE_DIR)
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)", re.MULTILINE)
LOCKS = {"base.txt": [], "test.txt": ["test"], "deploy.txt": ["s3"]}


def pins(lock: str) -> dict[str, str]:
    text = (ROOT / "requirements" / lock).read_text()
    return {canonicalize_name(name): version for name, version in PIN.findall(text)}


@pytest.mark.parametrize(("lock", "extras"), LOCKS.items())
def test_lock_file_pins_everything_pyproject_asks_for(lock, extras):
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = project["dependencies"] + [
        text for extra in extras for text in project["optional-dependencies"][extra]
    ]
    pinned = pins(lock)
    stale = []
    for text in wanted:
        requirement = Requirement(text)
        version = pinned.get(canonicalize_name(requirement.name))
        if version is None or not requirement.specifier.contains(version, prereleases=True):
            stale.append(text)
    assert not stale, f"Run bin/lock: requirements/{lock} does not satisfy {stale}"


@pytest.mark.parametrize("lock", ["test.txt", "deploy.txt"])
def test_tests_and_production_run_the_same_versions_as_base(lock):
    base, other = pins("base.txt"), pins(lock)
    differ = {
        name: (version, other.get(name))
        for name, version in base.items()
        if other.get(name) != version
    }
    assert not differ, f"Run bin/lock: {lock} differs from base.txt in {differ}"


def test_every_pin_carries_hashes():
    for lock in LOCKS:
        text = (ROOT / "requirements" / lock).read_text()
        for match in PIN.finditer(text):
            following = text[match.end() :].split("\n", 2)
            assert following[0].strip() == "\\" and "--hash=sha256:" in following[1], (
                f"{match[1]} in {lock} has no hash"
            )


def test_docker_image_installs_exactly_the_deploy_lock():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "COPY requirements/deploy.txt" in dockerfile
    assert "pip install --require-hashes -r requirements/deploy.txt" in dockerfile
    assert "libmagic" not in dockerfile
