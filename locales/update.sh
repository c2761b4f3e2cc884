#!/usr/bin/env bash
# Extract messages from the code, merge them into every catalog and compile.
# Run from the repository root after changing user-visible text; then translate
# the new entries in locales/*/LC_MESSAGES/courtyard.po and run it again.
set -euo pipefail
cd "$(dirname "$0")/.."
pybabel extract -F locales/babel.cfg --no-location --sort-output --omit-header \
  -k t -k gettext -k ngettext:1,2 -k N_ -o locales/courtyard.pot bot handlers
for lang in en ru zh_Hans; do
  po="locales/$lang/LC_MESSAGES/courtyard.po"
  if [ -f "$po" ]; then
    pybabel update -D courtyard -i locales/courtyard.pot -d locales -l "$lang" --no-fuzzy-matching --ignore-obsolete
  else
    pybabel init -D courtyard -i locales/courtyard.pot -d locales -l "$lang"
  fi
done
pybabel compile -D courtyard -d locales --statistics
