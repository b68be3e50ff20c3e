"""Trivia on the dossiers, in areas:

- ``generation/`` builds questions from sourced facts; ``models`` holds questions,
  quizzes, attempts and classes;
- ``play/`` starts attempts, serves and answers questions, shows results;
- ``authoring/`` is the teachers' admin, its forms and the CSV import;
- ``accounts/`` is sign-up, log-in, profile, rate limits and a player's history;
- ``classes/`` is a teacher's classes and their results;
- ``leaderboards/`` ranks players.
"""
