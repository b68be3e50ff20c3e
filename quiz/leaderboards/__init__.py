"""Leaderboards: who ranks where, overall and per quiz (``standings``), and their pages.

Also the challengers of a shared link, best first, shown on the sharer's results page.
"""
