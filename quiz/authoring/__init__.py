"""Teachers' authoring: the admin for questions and quizzes, its forms, the CSV import, the
choice rules (``rules``) both of them enforce, and the Moodle formats (``formats``: GIFT,
Aiken and Moodle XML in, GIFT and Moodle XML out)."""
