# Shared by bin/run, bin/test and bin/lock: find Python 3.11 and keep .venv in step with the
# lock files in requirements/ (made from pyproject.toml by bin/lock).
# Usage: source bin/_python.sh; ensure_venv "[test]"   (extras: "" or "[test]" or "[s3]")

find_python() {
  for candidate in python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1 &&
       "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then
      command -v "$candidate"
      return 0
    fi
  done
  echo "Python 3.11 is needed (Django 5.2 LTS). Install it, for example: apt-get install python3.11 python3.11-venv" >&2
  return 1
}

# The lock file for a set of extras, and the pyproject.toml extras it was made with.
lock_file_for() {
  case "$1" in
    "") echo "requirements/base.txt" ;;
    "[test]") echo "requirements/test.txt test" ;;
    "[s3]") echo "requirements/deploy.txt s3" ;;
    *) echo "No lock file for the extras $1 (see bin/lock)." >&2; return 1 ;;
  esac
}

# Stop with a clear message when pyproject.toml asks for a package or version that the lock
# file does not pin, so a forgotten bin/lock fails here and not as an import error later.
check_lock() {
  .venv/bin/python - "$@" <<'PY'
import re
import sys
import tomllib

from pip._vendor.packaging.requirements import Requirement
from pip._vendor.packaging.utils import canonicalize_name

lock_path, *extras = sys.argv[1:]
with open("pyproject.toml", "rb") as handle:
    project = tomllib.load(handle)["project"]
wanted = list(project["dependencies"])
for extra in extras:
    wanted += project["optional-dependencies"][extra]
pins = {}
with open(lock_path) as handle:
    for line in handle:
        match = re.match(r"([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)", line)
        if match:
            pins[canonicalize_name(match[1])] = match[2]
missing = []
for text in wanted:
    requirement = Requirement(text)
    if requirement.marker and not requirement.marker.evaluate():
        continue
    pinned = pins.get(canonicalize_name(requirement.name))
    if pinned is None or not requirement.specifier.contains(pinned, prereleases=True):
        missing.append(text)
if missing:
    sys.exit(
        f"{lock_path} is out of date: pyproject.toml asks for {', '.join(missing)}.\n"
        "Run bin/lock to update the lock files, then commit them with pyproject.toml."
    )
PY
}

ensure_venv() {
  local extras="$1"
  local python stamp wanted spec lock lock_extras
  spec=$(lock_file_for "$extras") || return 1
  read -r lock lock_extras <<<"$spec"
  python=$(find_python)
  if [ ! -x .venv/bin/python ]; then
    echo "Creating .venv with $python"
    "$python" -m venv .venv
  fi
  check_lock "$lock" $lock_extras || return 1
  stamp=.venv/.installed
  wanted="$(sha256sum "$lock" | cut -d' ' -f1) $lock"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$wanted" ]; then
    echo "Installing Python packages into .venv from $lock"
    .venv/bin/python -m pip install --quiet --upgrade pip
    # Every package is pinned with its hashes, so pip installs exactly what was tested.
    # The project itself is not installed: it has no package of its own to import (the
    # code runs from this checkout) and nothing reads its metadata.
    .venv/bin/python -m pip install --quiet --require-hashes -r "$lock"
    echo "$wanted" > "$stamp"
  fi
}
