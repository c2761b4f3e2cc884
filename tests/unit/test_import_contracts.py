"""Each import contract in pyproject.toml fails when the import it forbids is written.

The contracts run in CI through ``lint-imports``; these tests make sure none of them is a
contract that cannot fail: a copy of the tree gets one forbidden import, and import-linter,
run with the project's own contracts, must report that contract broken.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("bot", "handlers", "models", "locales")


def _contracts() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    return [c["name"] for c in config["tool"]["importlinter"]["contracts"]]


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    copy = tmp_path_factory.mktemp("tree")
    for package in PACKAGES:
        shutil.copytree(ROOT / package, copy / package, ignore=shutil.ignore_patterns("*.pyc"))
    shutil.copy(ROOT / "pyproject.toml", copy / "pyproject.toml")
    return copy


VIOLATIONS: dict[str, list[tuple[str, str]]] = {
    "Rule of direction: bot -> handlers -> models -> locales": [
        ("models/base.py", "import handlers.core.app"),
        ("locales/__init__.py", "import models"),
    ],
    "The product core never imports a Telegram framework or the scheduler": [
        ("handlers/core/messages.py", "import aiogram"),
    ],
    "Feature packages never import each other": [
        ("handlers/needs/use_cases.py", "import handlers.polls.use_cases"),
        ("handlers/plan/views.py", "from handlers.problems import views"),
    ],
    "The core knows no feature": [
        ("handlers/core/context.py", "import handlers.polls.voting"),
        ("handlers/core/app.py", "import handlers.features"),
    ],
    "Rules are pure: no database, no Telegram, no network": [
        ("handlers/plan/rules.py", "import sqlalchemy"),
        ("handlers/core/tally.py", "import models"),
        ("handlers/polls/rules.py", "from handlers.core import context"),
        ("handlers/polls/outcome_rules.py", "import models"),
    ],
    "The aiogram runtime never loads python-telegram-bot": [
        ("bot/runtimes/aiogram.py", "import telegram"),
    ],
    "The PTB runtime never loads aiogram (it costs ~150 MB)": [
        ("bot/runtimes/ptb.py", "import aiogram"),
    ],
    "The emulator stands apart from the product it tests": [
        ("bot/sandbox/emulator_models.py", "import handlers.core.messages"),
    ],
    "Web pages are rendered by the bot, never by the product core": [
        ("handlers/public/snapshot.py", "import jinja2"),
    ],
}
CASES = [(name, *violation) for name, found in VIOLATIONS.items() for violation in found]


def _feature_packages() -> list[str]:
    return sorted(
        f"handlers.{path.parent.name}"
        for path in (ROOT / "handlers").glob("*/__init__.py")
        if path.parent.name != "core"
    )


def test_every_feature_package_is_kept_apart_from_the_others() -> None:
    """A new feature package must join the independence contract (and the core's ban)."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    contracts = {c["name"]: c for c in config["contracts"]}
    assert sorted(contracts["Feature packages never import each other"]["modules"]) == (
        _feature_packages()
    )
    assert set(_feature_packages()) <= set(
        contracts["The core knows no feature"]["forbidden_modules"]
    )


def test_every_contract_has_a_violation_below() -> None:
    assert sorted(VIOLATIONS) == sorted(_contracts())


@pytest.mark.parametrize(("contract", "module", "line"), CASES)
def test_a_forbidden_import_breaks_its_contract(
    tree: Path, contract: str, module: str, line: str
) -> None:
    path = tree / module
    original = path.read_text()
    path.write_text(original + f"\n{line}  # the violation under test\n")
    try:
        run = subprocess.run(
            [str(Path(sys.executable).with_name("lint-imports"))],
            cwd=tree,
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        path.write_text(original)
    assert run.returncode == 1, run.stdout
    assert f"{contract} BROKEN" in run.stdout
    kept = [name for name in VIOLATIONS if name != contract]
    for other in kept:
        assert f"{other} KEPT" in run.stdout or f"{other} BROKEN" in run.stdout
