"""Playing a quiz: starting an attempt (``attempts``), serving and answering its questions
(``views``, ``answers``), what a question card shows (``cards``), results, review of
mistakes, and challenges.

"Student clicks an option" → ``views.attempt_question`` → ``answers.record_answer``
(the conditional writes) → ``quiz.models.Attempt`` (the score).
"""
