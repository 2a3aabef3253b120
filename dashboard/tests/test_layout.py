"""Arrows point down: the dashboard reads `accounts` and `healthscore` and no other app of ours,
and `accounts` never imports the dashboard (its home view redirects by URL name)."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUR_PACKAGES = {p.parent.name for p in ROOT.glob("*/__init__.py")}


def imported_packages(package: str) -> dict[str, set[str]]:
    """Each module of `package` -> the top-level packages of ours it imports."""
    found = {}
    for path in (ROOT / package).rglob("*.py"):
        names = set()
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
        found[str(path.relative_to(ROOT))] = names & OUR_PACKAGES
    return found


def test_the_dashboard_imports_only_accounts_and_healthscore():
    allowed = {"dashboard", "accounts", "healthscore"}
    wrong = {module: sorted(names - allowed) for module, names in imported_packages("dashboard").items()}
    assert {module: names for module, names in wrong.items() if names} == {}


def test_accounts_does_not_import_the_dashboard():
    importers = [module for module, names in imported_packages("accounts").items() if "dashboard" in names]
    assert importers == []
