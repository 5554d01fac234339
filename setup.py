"""What pyproject.toml cannot say: how an installed package gets pages, migrations and .mo files.

In a checkout ``templates/`` and ``migrations/`` sit at the top level; a built package (wheel or
``pip install .``) carries them inside as ``mentoring/templates`` and ``mentoring/migrations``,
where ``mentoring.package_dir`` finds them. The message catalogues are compiled into the build
(``.mo`` files are not in git), so an installed package speaks all six languages without
``pybabel compile``.
"""

from pathlib import Path

from setuptools import find_namespace_packages, setup
from setuptools.command.build_py import build_py

#: Top-level folders of the checkout shipped inside the package, under the same names.
DATA_FOLDERS = ("templates", "migrations")


class build_py_with_catalogues(build_py):  # noqa: N801 - setuptools' own naming
    """build_py that also compiles every translations/<lang>/LC_MESSAGES/messages.po."""

    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install reads the checkout, where `make` compiles them
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        for po in sorted(Path("mentoring/translations").glob("*/LC_MESSAGES/messages.po")):
            target = Path(self.build_lib) / po.with_suffix(".mo")
            target.parent.mkdir(parents=True, exist_ok=True)
            with po.open("rb") as source:
                catalogue = read_po(source, locale=po.parts[-3])
            with target.open("wb") as out:
                write_mo(out, catalogue, use_fuzzy=False)



def packages() -> list[str]:
    """Every folder of the package, data folders too (setuptools wants those named as well)."""
    found = find_namespace_packages(include=["mentoring", "mentoring.*"],
                                    exclude=["*__pycache__*"])
    for name in DATA_FOLDERS:
        found.append(f"mentoring.{name}")
        found += [f"mentoring.{name}.{sub}"
                  for sub in find_namespace_packages(where=name, exclude=["*__pycache__*"])]
    return found


setup(
    packages=packages(),
    package_dir={f"mentoring.{name}": name for name in DATA_FOLDERS},
    cmdclass={"build_py": build_py_with_catalogues},
)
