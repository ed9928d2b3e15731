# Shared by bin/run and bin/test: find Python 3.11 and keep .venv in step with pyproject.toml.
# Usage: source bin/_python.sh; ensure_venv "[test]"   (extras, may be empty)

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

ensure_venv() {
  local extras="$1"
  local python stamp wanted
  python=$(find_python)
  if [ ! -x .venv/bin/python ]; then
    echo "Creating .venv with $python"
    "$python" -m venv .venv
  fi
  stamp=.venv/.installed
  wanted="$(sha256sum pyproject.toml | cut -d' ' -f1) $extras"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$wanted" ]; then
    echo "Installing Python packages into .venv"
    .venv/bin/python -m pip install --quiet --upgrade pip
    .venv/bin/python -m pip install --quiet -e ".$extras"
    echo "$wanted" > "$stamp"
  fi
}
