"""No query parameter can cause a 500: every page, every parameter it reads, any value.

The pages are those of tests/test_every_page.py (every page of the site, as a visitor, a
student and a teacher). Each gets, for each parameter any view reads (and one it does
not), values a person or an attacker might send: empty, huge numbers, negative numbers,
far-off and impossible dates, NUL bytes, markup, very long strings, lists. Hypothesis
draws the combinations; the answer must be below 500 (a 400 or the page ignoring it).
"""

from __future__ import annotations

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import site_pages

pytestmark = pytest.mark.django_db

#: Every query parameter a view reads (grep request.GET), and one that none does.
PARAMETERS = [
    "page",
    "q",
    "disputed",
    "period",
    "quiz",
    "since",
    "until",
    "next",
    "length",
    "seed",
    "unknown",
]
NASTY = [
    "",
    "0",
    "-1",
    "9" * 40,
    "1e309",
    "NaN",
    "9999-12-31",
    "0001-01-01",
    "2026-02-30",
    "99999-01-01",
    "\x00",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "%",
    "*",
    '"',
    "all",
    "week",
    "x" * 5000,
    "../../etc/passwd",
    "//evil.example",
    "🙂",
]
#: Values per (page, parameter): every nasty value reaches every parameter on some page,
#: and every page sees every parameter.
PER_PARAMETER = 3


def test_no_query_parameter_causes_a_server_error(site):
    """About 1,300 requests: each page × each parameter × three of the values above (rotated so
    every value meets every parameter), then all parameters at once with the worst values."""
    problems, sent = [], 0
    for i, (name, client, url, headers) in enumerate(site_pages(site)):
        path = url.split("?")[0]
        for j, param in enumerate(PARAMETERS):
            for k in range(PER_PARAMETER):
                value = NASTY[(i + j * PER_PARAMETER + k) % len(NASTY)]
                response = client.get(path, {param: value}, **headers)
                sent += 1
                if response.status_code >= 500:
                    problems.append(f"{name}: ?{param}={value[:40]!r} -> {response.status_code}")
        everything = {param: ["9999-12-31", "\x00", "9" * 40] for param in PARAMETERS}
        response = client.get(path, everything, **headers)
        if response.status_code >= 500:
            problems.append(f"{name}: every parameter at once -> {response.status_code}")
    assert sent > 1000
    assert not problems, "\n".join(problems)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(params=st.dictionaries(st.sampled_from(PARAMETERS), st.text(max_size=80) | st.dates().map(str)))
def test_any_text_in_the_filters_of_the_busiest_pages(site, params):
    """Random text in every parameter of the pages with the most filters: still no 500."""
    for client, path in pages_with_filters(site):
        assert client.get(path, params).status_code < 500, (path, params)


def pages_with_filters(site: dict) -> list[tuple[Client, str]]:
    teacher = Client()
    teacher.force_login(site["teacher"])
    classroom = site["classroom"].pk
    return [
        (teacher, f"/classes/{classroom}/"),
        (teacher, f"/classes/{classroom}/attempts.csv"),
        (teacher, "/search/"),
        (teacher, "/leaderboards/"),
        (teacher, f"{site['topic'].get_absolute_url()}"),
    ]


@pytest.mark.parametrize(
    ("param", "value"),
    [("until", "9999-12-31"), ("since", "9999-12-31"), ("until", "0001-01-01"), ("page", "9" * 40)],
)
def test_the_class_page_and_its_export_refuse_far_dates_politely(site, param, value):
    """The dates that once raised OverflowError: the page says what is wrong, the export
    ignores the filter; neither is a 500."""
    teacher = Client()
    teacher.force_login(site["teacher"])
    classroom = site["classroom"]
    page = teacher.get(f"/classes/{classroom.pk}/", {param: value})
    export = teacher.get(f"/classes/{classroom.pk}/attempts.csv", {param: value})
    assert page.status_code == 200
    assert export.status_code == 200
    if param != "page":
        assert "Pick a day between" in page.content.decode()
