"""The built package runs on its own: pages, migrations and compiled catalogues are inside.

The wheel is built from a copy of the checkout without any ``.mo`` file and without network
(``--no-build-isolation`` uses this environment's setuptools and Babel), then unpacked and run
from a folder outside the checkout: ``db upgrade`` and ``/`` and ``/healthz`` answer 200.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import need

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("pyproject.toml", "setup.py", "README.md", "mentoring", "templates", "migrations")


def _setuptools_can_build() -> bool:
    try:
        import setuptools
    except ImportError:
        return False
    return int(setuptools.__version__.split(".")[0]) >= 77


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    if not _setuptools_can_build():
        need("building the wheel needs setuptools>=77 (pip install -e '.[test]')")
    source = tmp_path_factory.mktemp("source")
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.mo")
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, source / name, ignore=ignore)
        else:
            shutil.copy2(ROOT / name, source / name)
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-index",
         "--no-build-isolation", "--wheel-dir", str(out), str(source)],
        check=True, capture_output=True, cwd=source,
    )
    (built,) = out.glob("mentoring-*.whl")
    return built


def _names(wheel: Path) -> set[str]:
    with zipfile.ZipFile(wheel) as archive:
        return set(archive.namelist())


def _tree(folder: str) -> set[str]:
    return {path.relative_to(ROOT).as_posix() for path in (ROOT / folder).rglob("*")
            if path.is_file() and "__pycache__" not in path.parts}


def test_the_wheel_carries_every_template_and_migration(wheel):
    names = _names(wheel)
    for path in _tree("templates") | _tree("migrations"):
        assert f"mentoring/{path}" in names
    assert not any("__pycache__" in name for name in names)


def test_the_wheel_carries_static_files_and_a_compiled_catalogue_per_language(wheel):
    names = _names(wheel)
    for path in _tree("mentoring/static"):
        assert path in names
    catalogues = sorted(ROOT.glob("mentoring/translations/*/LC_MESSAGES/messages.po"))
    assert catalogues
    for po in catalogues:
        assert po.with_suffix(".mo").relative_to(ROOT).as_posix() in names


RUN_INSTALLED = """
import sys
from pathlib import Path

from flask_migrate import upgrade

import mentoring

assert Path(mentoring.__file__).parent == Path(sys.argv[1]) / "mentoring", mentoring.__file__
app = mentoring.create_app()
with app.app_context():
    upgrade()
client = app.test_client()
for path in ("/", "/healthz"):
    assert client.get(path).status_code == 200, path
french = client.get("/", headers={"Accept-Language": "fr"}).get_data(as_text=True)
assert "Mentorat" in french, "the French catalogue is not used"
"""


def test_the_unpacked_wheel_migrates_and_serves_from_outside_the_checkout(wheel, tmp_path):
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(site)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(site), "SECRET_KEY": "x" * 64,
           "DATABASE_URL": f"sqlite:///{tmp_path / 'deploy.sqlite'}"}
    result = subprocess.run([sys.executable, "-c", RUN_INSTALLED, str(site)], cwd=elsewhere,
                            env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]
