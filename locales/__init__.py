"""Gettext catalogs (domain ``courtyard``), shipped with the package."""

from pathlib import Path

LOCALES_DIR = Path(__file__).parent
DOMAIN = "courtyard"
