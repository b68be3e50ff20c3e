"""Accounts: sign-up, log-in (django-axes locks out guessing), profile, password reset,
the rate limits on what anyone can post (``throttle``), and a player's history."""
