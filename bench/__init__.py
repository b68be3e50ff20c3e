"""Measurements of the running app: ``make bench``, ``make loadtest`` and the crash test's helpers.

- :mod:`bench.server` starts and stops gunicorn against a throwaway database.
- :mod:`bench.data` migrates that database and fills it with a synthetic bank of facts.
- :mod:`bench.http` plays the app over HTTP (CSRF, login, starting and answering a quiz).
- :mod:`bench.wrk` drives gunicorn with wrk from a list of requests, and reads its figures.
- :mod:`bench.breakdown` times the parts of an answer in-process.
- :mod:`bench.run` prints the benchmark table; :mod:`bench.loadtest` checks a bounded load.
"""
