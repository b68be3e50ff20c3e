"""Teachers' authoring: the admin for questions and quizzes, its forms, the CSV import, and
the choice rules (``rules``) both of them enforce."""
