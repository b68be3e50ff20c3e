"""Assignments: a teacher gives a quiz to a class with a window and a grading policy;
students play it there; the class gradebook, its exports and the item analysis."""
