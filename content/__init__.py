"""The study material: dossiers (``models``), their pages (``views``, ``pages``), search,
the admin where editors write them, and dossier files (``dossier``) to import and export.

``content`` never imports ``quiz``: the study pages stand on their own, and the quiz app
builds on them (tests/test_layout.py checks it).
"""
