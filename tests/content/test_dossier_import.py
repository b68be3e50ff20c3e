"""`manage.py import_dossier`: every file is checked whole before anything is written."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

import pytest
import yaml
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from content.dossier import DossierError, import_dossier, load_dossier
from content.dossier import load as dossier_load
from content.models import Citation, Fact, Section, Source, Tag, TimelineEvent, Topic, normalise
from tests.content.conftest import DATA, REPO, content_dump, edit, line_of

pytestmark = pytest.mark.django_db

KINDS = "year, date, number, person, place, organisation, treaty, event, text"


def run_import(path) -> str:
    out = io.StringIO()
    call_command("import_dossier", str(path), stdout=out)
    return out.getvalue()


@dataclass(frozen=True)
class Broken:
    """One way to break small.yaml, and the problem the importer must report for it."""

    edits: tuple[tuple[str, str], ...]
    needle: str  # text on the line the problem is reported on (the last such line)
    field: str  # "" for a YAML syntax error, which has no field
    message: str

    def apply(self, text: str) -> str:
        for old, new in self.edits:
            text = edit(text, old, new)
        return text


BROKEN = {
    "unknown key": Broken(
        (("    explanation: The treaty", "    explanaton: The treaty"),),
        "explanaton:",
        "facts[0].explanaton",
        "unknown key 'explanaton' (expected one of: slug, kind, subject, statement, answer, tags, cite, "
        "stem, unit, aliases, distractors, class, year, era, section, event, explanation, dispute); "
        "did you mean 'explanation'?",
    ),
    "unknown top-level key": Broken(
        (("\ntags:\n", "\ntagz:\n"),),
        "tagz:",
        "tagz",
        "unknown key 'tagz'",
    ),
    "repeated key": Broken(
        (("    unit: km\n", "    unit: km\n    unit: kms\n"),),
        "unit: kms",
        "facts[1].unit",
        "key given twice (first on line",
    ),
    "missing required key": Broken(
        (("    subject: kilometres long is the border\n", ""),),
        "- slug: border-length",
        "facts[1].subject",
        "required key is missing",
    ),
    "empty required value": Broken(
        (("  title: Small Topic – a test dossier", '  title: ""'),),
        'title: ""',
        "topic.title",
        "must not be empty",
    ),
    "no sources at all": Broken(
        (("\nsources:\n", "\nsauces:\n"),),
        "format: 1",
        "sources",
        "required key is missing",
    ),
    "empty source list": Broken(
        (("\nsources:\n", "\nsources: []\nunused:\n"),),
        "sources: []",
        "sources",
        "must list at least one source",
    ),
    "unknown source": Broken(
        (("    cite: [dictionary, news]", "    cite: [dictionary, newz]"),),
        "[dictionary, newz]",
        "facts[2].cite[1]",
        "unknown source 'newz' (not defined under sources); did you mean 'news'?",
    ),
    "unknown source in a citation mapping": Broken(
        (("      - source: dictionary\n        value: 19", "      - source: dictonary\n        value: 19"),),
        "source: dictonary",
        "facts[1].cite[1].source",
        "unknown source 'dictonary'",
    ),
    "unknown section": Broken(
        (("    section: korean-war", "    section: korean-wars"),),
        "section: korean-wars",
        "events[1].section",
        "unknown section 'korean-wars' (not defined under sections)",
    ),
    "unknown event": Broken(
        (("    event: war-begins", "    event: war-began"),),
        "event: war-began",
        "facts[2].event",
        "unknown event 'war-began' (not defined under events)",
    ),
    "unknown tag": Broken(
        (("    tags: [war, borders]", "    tags: [war, frontiers]"),),
        "[war, frontiers]",
        "facts[3].tags[1]",
        "unknown tag 'frontiers' (not defined under tags)",
    ),
    "tag listed twice": Broken(
        (("    tags: [war, borders]", "    tags: [war, war]"),),
        "[war, war]",
        "facts[3].tags[1]",
        "tag 'war' is listed twice",
    ),
    "fact without tags": Broken(
        (("    tags: [treaties]\n", "    tags: []\n"),),
        "tags: []",
        "facts[0].tags",
        "must list at least one tag",
    ),
    "impossible day": Broken(
        (("    date: 1950-06-25", "    date: 1950-02-30"),),
        "1950-02-30",
        "events[1].date",
        "'1950-02-30' does not exist: February 1950 has 28 days",
    ),
    "month 13": Broken(
        (('    date: "2019-04"', '    date: "2019-13"'),),
        "2019-13",
        "events[2].date",
        "'2019-13' does not exist: there is no month 13",
    ),
    "not a date": Broken(
        (("    date: 2019-04-25", "    date: 25 April 2019"),),
        "25 April 2019",
        "sources[2].date",
        "'25 April 2019' is not a date (expected YYYY, YYYY-MM or YYYY-MM-DD)",
    ),
    "period ending before it starts": Broken(
        (("    end: 1953", "    end: 1949"),),
        "end: 1949",
        "events[1].end",
        "the period ends (1949) before it starts (1950)",
    ),
    "bad slug": Broken(
        (("  - slug: war-leader", "  - slug: War_Leader"),),
        "War_Leader",
        "facts[2].slug",
        "'War_Leader' is not a slug (lowercase a-z, 0-9 and hyphens",
    ),
    "duplicate slug": Broken(
        (("  - slug: summit-city", "  - slug: war-leader"),),
        "- slug: war-leader",
        "facts[3].slug",
        "duplicate fact 'war-leader' (first defined on line",
    ),
    "duplicate source key": Broken(
        (("  - key: news", "  - key: atlas"),),
        "- key: atlas",
        "sources[2].key",
        "duplicate source key 'atlas'",
    ),
    "fact without a citation": Broken(
        (("    cite: [news]\n", "    cite: []\n"),),
        "cite: []",
        "facts[3].cite",
        "must list at least one citation",
    ),
    "unknown answer kind": Broken(
        (("    kind: year", "    kind: yeer"),),
        "kind: yeer",
        "facts[0].kind",
        f"unknown answer kind 'yeer' (expected one of: {KINDS}); did you mean 'year'?",
    ),
    "unknown source kind": Broken(
        (("    kind: book", "    kind: bok"),),
        "kind: bok",
        "sources[1].kind",
        "unknown source kind 'bok' (expected one of: web_page, reference, book, article, document, other)",
    ),
    "year answer that is not a year": Broken(
        (("    answer: 1689", "    answer: Nerchinsk"),),
        "answer: Nerchinsk",
        "facts[0].answer",
        "'Nerchinsk' is not a year",
    ),
    "number answer that is not a number": Broken(
        (
            ('    answer: "17"', "    answer: seventeen"),
            ("    statement: The border is 17 km long.", "    statement: The border is seventeen km long."),
        ),
        "answer: seventeen",
        "facts[1].answer",
        "'seventeen' is not a number",
    ),
    "citation value that is not a number": Broken(
        (("        value: 19", "        value: nineteen"),),
        "value: nineteen",
        "facts[1].cite[1].value",
        "'nineteen' is not a number",
    ),
    "era that is not a year": Broken(
        (("    year: 1689", "    year: late 1680s"),),
        "year: late 1680s",
        "facts[0].year",
        "'late 1680s' is not a year",
    ),
    "statement without its answer": Broken(
        (("    answer: Vladivostok", "    answer: Vladivostok city"),),
        'statement: "Kim and Putin',
        "facts[3].statement",
        "does not contain the answer 'Vladivostok city' exactly as written",
    ),
    "disputed fact without a dispute note": Broken(
        (("    dispute: The atlas gives 17 km, the dictionary 19 km.\n", ""),),
        "- slug: border-length",
        "facts[1].dispute",
        "the citations give different values ('17', '19'): a disputed fact needs a dispute note",
    ),
    "text fact without a stem": Broken(
        (("    stem: In which city did Kim and Putin meet in April 2019?\n", ""),),
        "- slug: summit-city",
        "facts[3].stem",
        "a fact of kind 'text' needs a stem",
    ),
    "distractor equal to the answer": Broken(
        (("      - Moscow", "      - vladivostok."),),
        "- vladivostok.",
        "facts[3].distractors[1]",
        "'vladivostok.' is not wrong: it matches the answer 'Vladivostok'",
    ),
    "distractor equal to an alias": Broken(
        (('[Kim Jong-un, "Syngman Rhee"]', '[Kim Jong-un, "KIM IL SONG"]'),),
        '"KIM IL SONG"]',
        "facts[2].distractors[1]",
        "'KIM IL SONG' is not wrong: it matches the alias 'Kim Il-song'",
    ),
    "distractor equal, as a number, to a value one source gives": Broken(
        (("    unit: km\n", '    unit: km\n    distractors: ["21", "19.0"]\n'),),
        '"19.0"]',
        "facts[1].distractors[1]",
        "'19.0' is not wrong: it matches '19', the value source 'dictionary' gives",
    ),
    "distractor of a disputed text fact equal to a value one source gives": Broken(
        (
            (
                "    tags: [war, borders]\n    cite: [news]",
                "    tags: [war, borders]\n    dispute: The atlas says Khabarovsk.\n"
                "    cite: [news, {source: atlas, value: Khabarovsk}]",
            ),
        ),
        "      - Khabarovsk",
        "facts[3].distractors[0]",
        "'Khabarovsk' is not wrong: it matches 'Khabarovsk', the value source 'atlas' gives",
    ),
    "distractor of a number fact that is not a number": Broken(
        (("    unit: km\n", "    unit: km\n    distractors: [nineteen]\n"),),
        "distractors: [nineteen]",
        "facts[1].distractors[0]",
        "'nineteen' is not a number",
    ),
    "two distractors alike": Broken(
        (('      - "Pyongyang"', '      - "khabarovsk!"'),),
        '- "khabarovsk!"',
        "facts[3].distractors[2]",
        "'khabarovsk!' is the same as distractors[0] 'Khabarovsk'",
    ),
    "empty distractor": Broken(
        (("      - Moscow", '      - ""'),),
        '- ""',
        "facts[3].distractors[1]",
        "must not be empty",
    ),
    "distractor longer than an answer may be": Broken(
        (("      - Moscow", "      - " + "Moscow " * 40),),
        "- Moscow Moscow",
        "facts[3].distractors[1]",
        "is 279 characters long (at most 200)",
    ),
    "text fact with too few distractors": Broken(
        (("      - Moscow\n", ""),),
        "- Khabarovsk",
        "facts[3].distractors",
        "a fact of kind 'text' needs at least 3 distractors (wrong answers written by the author); "
        "it has 2 usable",
    ),
    "text fact without distractors": Broken(
        (('    distractors:\n      - Khabarovsk\n      - Moscow\n      - "Pyongyang"\n', ""),),
        "- slug: summit-city",
        "facts[3].distractors",
        "a fact of kind 'text' needs at least 3 distractors (wrong answers written by the author); "
        "it has 0 usable",
    ),
    "text longer than its column": Broken(
        (("    title: The Korean War", "    title: " + "War " * 60),),
        "title: War War",
        "events[1].title",
        "is 239 characters long (at most 200)",
    ),
    "several lines where one is expected": Broken(
        (("    context: The Korean War", "    context: |\n      The Korean\n      War"),),
        "context: |",
        "sections[1].context",
        "must be one line",
    ),
    "a list where text is expected": Broken(
        (("    answer: Kim Il-sung", "    answer: [Kim Il-sung]"),),
        "answer: [Kim Il-sung]",
        "facts[2].answer",
        "expected text, got a list",
    ),
    "text where a list is expected": Broken(
        (("    tags: [treaties]\n", "    tags: treaties\n"),),
        "tags: treaties",
        "facts[0].tags",
        "expected a list, got 'treaties'",
    ),
    "bad url": Broken(
        (("    url: https://example.com/atlas", "    url: example dot com"),),
        "url: example dot com",
        "sources[0].url",
        "'example dot com' is not a valid URL",
    ),
    "unsupported format": Broken(
        (("format: 1", "format: 2"),),
        "format: 2",
        "format",
        "unsupported format '2' (this importer reads format 1)",
    ),
    "YAML syntax error": Broken(
        (("    statement: The border is 17 km long.", "    statement: The border is: 17 km long."),),
        "The border is: 17",
        "",
        "YAML syntax error: mapping values are not allowed",
    ),
}


@pytest.mark.parametrize("already_imported", [False, True], ids=["empty-db", "previous-version-imported"])
@pytest.mark.parametrize("case", BROKEN.values(), ids=BROKEN.keys())
def test_a_broken_file_is_refused_with_its_line_and_field(case, already_imported, small_yaml, write_dossier):
    """Each kind of mistake is reported as `file:line: field: message`, the command fails,
    and the database is exactly as it was, whether empty or holding an earlier version."""
    if already_imported:
        import_dossier(load_dossier(DATA / "small.yaml"))
    before = content_dump()
    text = case.apply(small_yaml)
    path = write_dossier(text)

    with pytest.raises(CommandError) as raised:
        run_import(path)

    line = line_of(text, case.needle, last=True)
    expected = (
        f"{path}:{line}: {case.field}: {case.message}" if case.field else f"{path}:{line}: {case.message}"
    )
    assert expected in str(raised.value)
    assert content_dump() == before


def test_every_problem_is_reported_in_line_order(small_yaml, write_dossier):
    """The importer does not stop at the first problem: all of them are listed, top to bottom,
    under a count."""
    text = small_yaml
    for old, new in [
        ("    kind: book", "    kind: bok"),
        ("    date: 1950-06-25", "    date: 1950-02-30"),
        ("    kind: year", "    kind: yeer"),
        ("    cite: [news]\n", "    cite: []\n"),
    ]:
        text = edit(text, old, new)
    path = write_dossier(text)

    with pytest.raises(CommandError) as raised:
        run_import(path)

    message = str(raised.value)
    assert message.startswith(f"{path}: 4 problems, nothing imported:\n")
    reported = [
        (int(m[1]), m[2]) for m in re.finditer(rf"^{re.escape(str(path))}:(\d+): (\S+):", message, re.M)
    ]
    assert reported == [
        (line_of(text, "kind: bok"), "sources[1].kind"),
        (line_of(text, "1950-02-30"), "events[1].date"),
        (line_of(text, "kind: yeer"), "facts[0].kind"),
        (line_of(text, "cite: []"), "facts[3].cite"),
    ]
    assert Topic.objects.count() == 0


def test_a_file_that_is_not_a_mapping_is_refused(write_dossier):
    """A YAML list (or any non-mapping) at the top is not a dossier."""
    path = write_dossier("- just\n- a list\n")
    with pytest.raises(CommandError, match=rf"{re.escape(str(path))}:1: file: expected a mapping of keys"):
        run_import(path)


def test_an_empty_file_is_refused(write_dossier):
    """An empty file is an error, not an empty dossier."""
    path = write_dossier("# nothing yet\n")
    with pytest.raises(CommandError, match="the file is empty"):
        run_import(path)


def test_a_missing_file_is_refused(tmp_path):
    """A path that does not exist fails with a message, not a traceback."""
    path = tmp_path / "nope.yaml"
    with pytest.raises(CommandError, match=rf"{re.escape(str(path))}:0: no such file"):
        run_import(path)


def test_a_valid_file_is_imported_with_every_row_and_relation():
    """Every part of the file lands in its row: unquoted dates and numbers are read as written,
    citation values default to the answer, and the command prints a one-line summary."""
    output = run_import(DATA / "small.yaml")

    assert output == (
        "Imported small-topic: 2 sections, 3 events, 4 facts (1 disputed), 3 sources, 3 tags.\n"
    )
    topic = Topic.objects.get(slug="small-topic")
    assert topic.title == "Small Topic – a test dossier"
    assert topic.definition == (
        'The first paragraph of the definition.\n\nThe second paragraph: with a colon, and "quotes".'
    )
    assert [c.source.key for c in topic.definition_citations.order_by("pk")] == ["atlas", "dictionary"]

    sources = {s.key: s for s in topic.sources.all()}
    assert [s.key for s in topic.sources.all()] == ["atlas", "dictionary", "news"]
    assert sources["atlas"].title == "Atlas: the world"
    assert sources["atlas"].kind == Source.Kind.REFERENCE
    assert (str(sources["atlas"].date), sources["atlas"].date_precision) == ("2010-01-01", "year")
    assert (str(sources["dictionary"].date), sources["dictionary"].date_precision) == ("2012-03-01", "month")
    assert (str(sources["news"].date), sources["news"].date_precision) == ("2019-04-25", "day")

    sections = list(topic.sections.all())
    assert [s.slug for s in sections] == ["imperial-borders", "korean-war"]
    assert sorted(t.slug for t in sections[0].tags.all()) == ["borders", "treaties"]
    locators = list(sections[0].citations.order_by("pk").values_list("source__key", "locator", "note"))
    assert locators == [("atlas", "", ""), ("dictionary", "p. 12", "The border chapter.")]

    war = topic.events.get(slug="war-begins")
    assert (war.year, war.month, war.day, war.end_year, war.section.slug) == (1950, 6, 25, 1953, "korean-war")
    summit = topic.events.get(slug="summit")
    assert (summit.year, summit.month, summit.day, summit.section) == (2019, 4, None, None)

    nerchinsk = topic.facts.get(slug="nerchinsk-year")
    assert (nerchinsk.answer, nerchinsk.year, nerchinsk.section.slug, nerchinsk.event.slug) == (
        "1689",
        1689,
        "imperial-borders",
        "nerchinsk",
    )
    assert list(nerchinsk.citations.values_list("source__key", "value", "locator")) == [
        ("atlas", "1689", "1689 entry")
    ]
    leader = topic.facts.get(slug="war-leader")
    assert leader.aliases == ["Kim Il Sung", "Kim Il-song"]
    assert list(leader.citations.values_list("value", flat=True)) == ["Kim Il-sung", "Kim Il-sung"]
    city = topic.facts.get(slug="summit-city")
    assert city.stem == "In which city did Kim and Putin meet in April 2019?"
    assert sorted(t.slug for t in city.tags.all()) == ["borders", "war"]
    assert city.distractors == ["Khabarovsk", "Moscow", "Pyongyang"]
    assert leader.distractors == ["Kim Jong-un", "Syngman Rhee"]
    assert nerchinsk.distractors == []
    assert all(fact.sample_key > 0 for fact in topic.facts.all())
    assert Tag.objects.get(slug="treaties").description == "Agreements between states."


def test_disputed_is_computed_from_the_citation_values():
    """A fact whose sources give different values is disputed; the others are not."""
    run_import(DATA / "small.yaml")

    assert set(Fact.objects.filter(disputed=True).values_list("slug", flat=True)) == {"border-length"}
    border = Fact.objects.get(slug="border-length")
    assert list(border.citations.values_list("source__key", "value")) == [
        ("atlas", "17"),
        ("dictionary", "19"),
    ]
    assert border.dispute_note == "The atlas gives 17 km, the dictionary 19 km."


def test_reimport_recomputes_disputed_both_ways(small_yaml, write_dossier):
    """When the file settles one dispute and opens another, both flags follow the file."""
    run_import(DATA / "small.yaml")
    text = edit(small_yaml, "      - source: dictionary\n        value: 19\n", "      - dictionary\n")
    text = edit(
        text,
        "    cite: [dictionary, news]",
        '    dispute: The paper names his son.\n    cite: [dictionary, {source: news, value: "Kim Jong-il"}]',
    )

    run_import(write_dossier(text))

    assert set(Fact.objects.filter(disputed=True).values_list("slug", flat=True)) == {"war-leader"}


def test_reimport_updates_rows_in_place(small_yaml, write_dossier):
    """Importing a changed file keeps every row's pk and writes the new values, including
    citation values that follow a changed answer."""
    run_import(DATA / "small.yaml")
    pks = content_pks()
    text = edit(small_yaml, "  title: Small Topic – a test dossier", "  title: Small Topic, revised")
    text = edit(text, "    answer: 1689", '    answer: "1690"')
    text = edit(text, "signed the Treaty of Nerchinsk in 1689.", "signed the Treaty of Nerchinsk in 1690.")
    text = edit(text, "    title: Historical Dictionary", "    title: Historical Dictionary, 2nd edition")

    output = run_import(write_dossier(text))

    assert output.startswith("Imported small-topic: 2 sections, 3 events, 4 facts (1 disputed)")
    assert content_pks() == pks
    assert Topic.objects.get().title == "Small Topic, revised"
    fact = Fact.objects.get(slug="nerchinsk-year")
    assert fact.answer == "1690"
    assert list(fact.citations.values_list("value", flat=True)) == ["1690"]
    assert Source.objects.get(key="dictionary").title == "Historical Dictionary, 2nd edition"


def test_reimport_removes_what_the_file_no_longer_lists(small_yaml, write_dossier):
    """Facts, events, sections and sources dropped from the file are deleted from its topic;
    nothing else changes."""
    run_import(DATA / "small.yaml")
    text = edit(small_yaml, small_yaml[small_yaml.index("  - slug: summit-city") :], "")
    text = edit(text, text[text.index("  - slug: summit\n") : text.index("\nfacts:")], "")
    text = edit(
        text, "    tags: [war]\n    body: The war began in 1950.\n", "    body: The war began in 1950.\n"
    )

    output = run_import(write_dossier(text))

    assert output == (
        "Imported small-topic: 2 sections, 2 events, 3 facts (1 disputed), 3 sources, 3 tags; "
        "removed 2 rows the file no longer lists.\n"
    )
    assert sorted(Fact.objects.values_list("slug", flat=True)) == [
        "border-length",
        "nerchinsk-year",
        "war-leader",
    ]
    assert sorted(TimelineEvent.objects.values_list("slug", flat=True)) == ["nerchinsk", "war-begins"]
    assert not Section.objects.get(slug="korean-war").tags.exists()
    assert Citation.objects.filter(source__key="news").count() == 1  # war-leader still cites it


def test_importing_twice_duplicates_nothing():
    """A second import of the same file leaves the same rows, relations and citations."""
    run_import(DATA / "small.yaml")
    first = content_dump()
    counts = {
        model: model.objects.count() for model in (Topic, Source, Section, TimelineEvent, Fact, Tag, Citation)
    }

    run_import(DATA / "small.yaml")

    assert content_dump() == first
    assert {model: model.objects.count() for model in counts} == counts


def test_tags_are_shared_between_topics(small_yaml, write_dossier):
    """Tag slugs are global: a second topic reuses the tags, and its file updates their names."""
    run_import(DATA / "small.yaml")
    other = edit(small_yaml, "  slug: small-topic", "  slug: other-topic")
    other = edit(other, "    name: War\n", "    name: Wars\n")

    run_import(write_dossier(other))

    assert Tag.objects.count() == 3
    assert Tag.objects.get(slug="war").name == "Wars"
    assert Tag.objects.get(slug="war").facts.count() == 4
    assert Topic.objects.count() == 2


def test_import_query_count_does_not_grow_with_the_dossier(django_assert_max_num_queries):
    """Rows are written in bulk: a re-import of the 4-fact test dossier and of the 100-odd-fact
    shipped one take the same number of queries; a first import adds one UPDATE per
    disputed fact."""
    with django_assert_max_num_queries(30):
        import_dossier(load_dossier(DATA / "small.yaml"))
    with CaptureQueriesContext(connection) as small:
        import_dossier(load_dossier(DATA / "small.yaml"))
    shipped = load_dossier(REPO / "fixtures" / "north-korea-russia.yaml")
    disputed = sum(len({normalise(c.value) for c in fact.cite}) > 1 for fact in shipped.facts)
    with django_assert_max_num_queries(30 + disputed):
        import_dossier(shipped)
    with CaptureQueriesContext(connection) as big:
        import_dossier(shipped)

    assert len(big) == len(small) <= 25


def test_load_dossier_raises_a_structured_error(small_yaml, write_dossier):
    """The library function hands back each problem as data: file, line, field, message."""
    text = edit(small_yaml, "    kind: year", "    kind: yeer")
    path = write_dossier(text)

    with pytest.raises(DossierError) as raised:
        load_dossier(path)

    [problem] = raised.value.problems
    assert (problem.path, problem.line, problem.field) == (str(path), line_of(text, "yeer"), "facts[0].kind")
    assert problem.message.startswith("unknown answer kind 'yeer'")


@pytest.mark.parametrize("path", [DATA / "small.yaml", REPO / "fixtures" / "north-korea-russia.yaml"])
def test_both_yaml_parsers_read_a_dossier_alike(path, monkeypatch):
    """libyaml's parser is used when PyYAML has it; the pure-Python one, the fallback,
    reads every dossier to the same data."""
    with_libyaml = load_dossier(path)
    monkeypatch.setattr(dossier_load, "SAFE_LOADER", yaml.SafeLoader)

    assert load_dossier(path) == with_libyaml


def test_the_shipped_dossier_meets_the_minimums():
    """fixtures/north-korea-russia.yaml imports cleanly and is big enough to play on: at least
    8 sections, 20 events from 1689 to 2018, 80 facts of 6 kinds, every fact tagged and cited,
    and at least one disputed fact."""
    output = run_import(REPO / "fixtures" / "north-korea-russia.yaml")

    topic = Topic.objects.get(slug="north-korea-russia")
    assert output.startswith("Imported north-korea-russia: ")
    assert topic.sections.count() >= 8
    years = list(topic.events.values_list("year", flat=True))
    assert len(years) >= 20
    assert min(years) <= 1689
    assert max(years) >= 2018
    facts = topic.facts.all()
    assert facts.count() >= 80
    assert facts.values("kind").distinct().count() >= 6
    assert not facts.filter(tags__isnull=True).exists()
    assert not facts.filter(citations__isnull=True).exists()
    assert facts.filter(disputed=True).exists()


def content_pks() -> dict[str, dict[str, int]]:
    return {
        "topic": dict(Topic.objects.values_list("slug", "pk")),
        "sources": dict(Source.objects.values_list("key", "pk")),
        "sections": dict(Section.objects.values_list("slug", "pk")),
        "events": dict(TimelineEvent.objects.values_list("slug", "pk")),
        "facts": dict(Fact.objects.values_list("slug", "pk")),
        "tags": dict(Tag.objects.values_list("slug", "pk")),
    }


@pytest.mark.parametrize(
    ("written", "date", "precision"),
    [
        ("2010", "2010-01-01", "year"),
        ('"2010"', "2010-01-01", "year"),
        ('"2012-03"', "2012-03-01", "month"),
        ("2019-04-25", "2019-04-25", "day"),
        ('"2010-01-01"', "2010-01-01", "day"),
        ("2012-03-01", "2012-03-01", "day"),
    ],
)
def test_a_source_date_keeps_the_precision_the_file_gives(
    small_yaml, write_dossier, written, date, precision
):
    """A year or a month is stored as its first day with that precision; a full date on the
    first of a month or of January is still a full date."""
    text = edit(small_yaml, "    date: 2019-04-25", f"    date: {written}")

    run_import(write_dossier(text))

    news = Source.objects.get(key="news")
    assert (str(news.date), news.date_precision) == (date, precision)


def test_reimport_with_only_a_new_precision_updates_it(small_yaml, write_dossier):
    """ "2010" and "2010-01-01" store the same date: the precision alone is a change, made in place."""
    run_import(DATA / "small.yaml")
    atlas = Source.objects.get(key="atlas")
    assert (str(atlas.date), atlas.date_precision) == ("2010-01-01", "year")

    run_import(write_dossier(edit(small_yaml, "    date: 2010\n", '    date: "2010-01-01"\n')))

    assert Source.objects.get(key="atlas").pk == atlas.pk
    atlas.refresh_from_db()
    assert (str(atlas.date), atlas.date_precision) == ("2010-01-01", "day")
