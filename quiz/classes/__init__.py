"""Classes: a teacher's class with a join code, its members, and their results (``results``)."""
