"""Plenária's pages, ES modules, CSS and translations, installed as the package `plenaria_static`.

This folder is served as it is; the file only makes it a package, so that an installed wheel
carries every file here (see setup.py) and `server.settings` finds them from any directory.
"""
