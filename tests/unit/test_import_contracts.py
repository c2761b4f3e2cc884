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


VIOLATIONS = {
    "Rule of direction: bot -> handlers -> models": ("models/base.py", "import handlers.core.app"),
    "The product core never imports a Telegram framework or the scheduler": (
        "handlers/core/messages.py",
        "import aiogram",
    ),
    "The aiogram runtime never loads python-telegram-bot": (
        "bot/runtimes/aiogram.py",
        "import telegram",
    ),
    "The PTB runtime never loads aiogram (it costs ~150 MB)": (
        "bot/runtimes/ptb.py",
        "import aiogram",
    ),
    "The emulator stands apart from the product it tests": (
        "bot/sandbox/emulator_models.py",
        "import handlers.core.messages",
    ),
}


def test_every_contract_has_a_violation_below() -> None:
    assert sorted(VIOLATIONS) == sorted(_contracts())


@pytest.mark.parametrize("contract", sorted(VIOLATIONS))
def test_a_forbidden_import_breaks_its_contract(tree: Path, contract: str) -> None:
    module, line = VIOLATIONS[contract]
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
