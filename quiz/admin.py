"""The quiz app's admin (Django's autodiscovery imports this module): see :mod:`quiz.authoring.admin`."""

from quiz.authoring import admin  # noqa: F401  (registers the ModelAdmins)
from quiz.teachers import register_user_admin

register_user_admin()
