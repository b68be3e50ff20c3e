"""When a question is wrong: students' reports, question versions, regrading, fact corrections.

- :mod:`quiz.reports.models`: :class:`Report` (a student's report on an item they
  answered), :class:`Correction` and :class:`AttemptCorrection` (a regrade and what it did
  to each attempt), :class:`FactAnswer` (a fact's answer as the quiz last saw it).
- :mod:`quiz.reports.versions`: an edit to an answered question starts a new version.
- :mod:`quiz.reports.regrade`: re-scoring the attempts that were asked an old key.
- :mod:`quiz.reports.facts`: noticing that a dossier fact's answer was corrected.
- :mod:`quiz.reports.views`: the report form and the owners' queue.
"""
