"""The layers hold: services and models never reach for the request, and the matching engine
imports neither Flask nor the database."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent / "mentoring"
#: What a service or a model may not use: it would tie it to a web request.
REQUEST_BOUND = {"request", "session", "g", "url_for", "abort", "flash", "redirect"}


def _imports(path: Path):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                yield node.module, alias.name
        elif isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, ""


def _modules(*folders: str):
    return sorted(path for folder in folders for path in (ROOT / folder).rglob("*.py"))


@pytest.mark.parametrize("path", _modules("services", "models"), ids=lambda p: p.name)
def test_services_and_models_run_without_a_request(path):
    used = [f"{module}.{name}" for module, name in _imports(path)
            if (module == "flask" and name in REQUEST_BOUND)
            or module.startswith("flask_login")
            or module.endswith("i18n") or module.endswith("permissions")]
    assert used == [], f"{path.relative_to(ROOT.parent)} uses {used}"


@pytest.mark.parametrize("path", _modules("matching"), ids=lambda p: p.name)
def test_the_matching_engine_is_pure(path):
    used = [module for module, _name in _imports(path)
            if module.split(".")[0] in {"flask", "flask_babel", "sqlalchemy", "flask_sqlalchemy"}
            or module.startswith("mentoring.") and not module.startswith("mentoring.matching")]
    assert used == [], f"{path.name} imports {used}"


def test_no_service_signals_with_pythons_own_lookup_or_permission_errors():
    """``KeyError`` is a ``LookupError``: a service raising LookupError would let a bug pass
    for a missing page."""
    offenders = []
    for path in _modules("services", "models"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call) \
                    and getattr(node.exc.func, "id", "") in {"LookupError", "PermissionError"}:
                offenders.append(f"{path.name}:{node.lineno}")
    assert offenders == []
