#!/usr/bin/env bash
# The README's test command: installs the project with its test extras into
# .venv, runs the static checks (ruff, import-linter, mypy) and the whole test
# suite — SQLite and PostgreSQL, aiogram and PTB, and the browser story in
# Debian's Chromium (installed here with the CJK and emoji fonts when missing and
# we are root).
# Extra arguments go to pytest. Fails when no test ran (pytest exit 5).
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${COURTYARD_VENV:-.venv}"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -e ".[test]"
export PATH="$PWD/$venv/bin:$PATH"

# Chromium for the browser story; the CJK and colour emoji fonts so that Chinese charts and
# the page's Chinese labels and emoji are drawn, not boxes (their tests skip without them).
packages=()
command -v chromium >/dev/null 2>&1 || packages+=(chromium)
for font in fonts-noto-cjk fonts-noto-color-emoji; do
  dpkg-query -W -f='${Status}' "$font" 2>/dev/null | grep -q "ok installed" || packages+=("$font")
done
if [ "${#packages[@]}" -gt 0 ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "tests/run.sh: installing Debian's ${packages[*]} for the browser tests and Chinese charts"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${packages[@]}" >/dev/null) \
    || echo "tests/run.sh: WARNING: could not install ${packages[*]}; their tests will be SKIPPED"
fi

echo "== ruff";           ruff check . && ruff format --check .
echo "== import-linter";  lint-imports
echo "== mypy";           mypy

echo "== pytest"
set +e
python -m pytest "$@"
status=$?
set -e
if [ "$status" = 5 ]; then
  echo "tests/run.sh: no tests ran" >&2
  exit 1
fi
exit "$status"
