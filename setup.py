"""Which packages the distribution holds; everything else about it is in pyproject.toml.

pyproject.toml cannot both discover packages and map a folder outside them into one, so this
file does the one thing it cannot: it ships the top-level `static/` folder (pages, ES modules,
CSS, translations, vendored libraries) as the package `plenaria_static`, found by
`server.settings` through the import system in an editable install and in a wheel alike.
"""

from setuptools import find_packages, setup

setup(
    packages=[*find_packages(include=["server", "server.*", "moderation", "moderation.*"]), "plenaria_static"],
    package_dir={"plenaria_static": "static"},
)
