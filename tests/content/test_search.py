"""Search, as students type: which words find what, in what order, highlighted how, on the page.

Every test here runs on the database the suite runs on (SQLite's FTS5 by default, PostgreSQL's
full-text search with ``DATABASE_URL``): the rules are the same on both.
"""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from content.models import Fact
from content.search import Query, find, highlight
from content.search.query import MAX_WORDS, similarity, word_forms
from tests.factories import CitationFactory, FactFactory, SectionFactory, SourceFactory, TopicFactory

pytestmark = pytest.mark.django_db

URL = "/search/"


@pytest.fixture
def dossier():
    """Passages and facts written so that each rule below has one thing to find."""
    topic = TopicFactory(slug="nk-russia", title="North Korea–Russia relations")
    SectionFactory(
        topic=topic,
        slug="famine",
        context="the 1990s North Korean famine",
        body="The sources count deaths between 1993 and 2000, and disagree on how many.",
    )
    SectionFactory(
        topic=topic,
        slug="gorbachev",
        context="Gorbachev and the end of Soviet subsidies",
        body="Mikhail Gorbachev's answer was perestroika, and cuts in Soviet aid.",
    )
    SectionFactory(topic=topic, slug="chongjin", context="Ports", body="The port of Chŏngjin & its trade.")
    FactFactory(
        topic=topic,
        slug="leader",
        kind=Fact.Kind.PERSON,
        subject="led the north",
        answer="Kim Il-sung",
        aliases=["Kim Il Sung", "Kim Song-ju"],
        statement="He led the north from 1948.",
    )
    FactFactory(
        topic=topic,
        slug="summit",
        kind=Fact.Kind.PLACE,
        subject="the city of the 2019 summit",
        answer="Vladivostok",
        statement="Vladimir Putin met Kim Jong-un in Vladivostok.",
    )
    FactFactory(
        topic=topic,
        slug="peking",
        subject="the year Russia and China signed the treaties of Peking",
        answer="1860",
        statement="Russia and China signed two treaties in 1860.",
    )
    FactFactory(
        topic=topic,
        slug="pact",
        subject="the year the Warsaw Pact was founded",
        answer="1955",
        statement="The Warsaw Pact was founded in 1955.",
    )
    return topic


def found(text: str) -> list[str]:
    """The slugs of what ``text`` finds, best first."""
    return [hit.obj.slug for hit in find(text)[0:100]]


def page(client, text: str, **extra) -> str:
    response = client.get(URL, {"q": text}, **extra)
    assert response.status_code == 200
    return response.content.decode()


# The rules, as Python sees a query ------------------------------------------------------


def test_a_query_is_its_words_case_accents_and_symbols_aside():
    """Runs of letters and digits, folded; hyphens, apostrophes and the rest only separate."""
    query = Query.parse("Kim Il-sung’s «CHŎNGJIN» 17.5 km_h")

    assert [term.word for term in query.terms] == ["kim", "il", "sung", "s", "chongjin", "17", "5", "km"]
    assert query.text == "kim il sung s chongjin 17 5 km"


def test_a_query_keeps_its_first_distinct_words_and_leaves_out_overlong_ones():
    """At most eight words, repeats counted once; a 41-character "word" is nobody's."""
    query = Query.parse("one two one three four five six seven eight nine ten " + "x" * 41)

    assert [term.word for term in query.terms] == [
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
    ]
    assert len(query.terms) == MAX_WORDS
    assert query.dropped == 2


def test_a_query_is_cut_to_200_characters_before_it_is_read():
    """Whatever follows the 200th character is not read at all."""
    assert Query.parse("a" * 199 + " treaty").text == ""  # the long word is left out, "treaty" is cut
    assert Query.parse("treaty " + "b" * 500).text == "treaty"


def test_only_the_last_word_of_three_characters_or_more_is_a_prefix():
    """As students type, the word being typed finds the words it starts."""
    assert [t.prefix for t in Query.parse("kim gor").terms] == [False, True]
    assert [t.prefix for t in Query.parse("gor kim").terms] == [False, True]
    assert [t.prefix for t in Query.parse("kim il").terms] == [False, False]


@pytest.mark.parametrize(
    ("word", "forms"),
    [
        ("treaty", ("treaty", "treaties")),
        ("treaties", ("treaties", "treaty")),
        ("death", ("death", "deaths")),
        ("deaths", ("deaths", "death")),
        ("box", ("box", "boxes")),
        ("boxes", ("boxes", "box")),
        ("class", ("class", "classes")),
        ("day", ("day", "days")),
        ("1990s", ("1990s",)),
        ("us", ("us",)),
    ],
)
def test_a_word_also_finds_its_regular_plural_or_singular(word, forms):
    assert word_forms(word) == forms


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    # The values PostgreSQL's pg_trgm gives (SELECT similarity(a, b)).
    [
        ("gorbachov", "gorbachev", 7 / 13),
        ("yeltsen", "yeltsin", 5 / 11),
        ("pusin", "putin", 3 / 9),
        ("ab", "abc", 0.4),
    ],
)
def test_spelling_similarity_is_pg_trgms(a, b, expected):
    assert similarity(a, b) == pytest.approx(expected)


# What a query finds -------------------------------------------------------------------


def test_words_match_in_any_order(dossier):
    """Every word must be there; where and in which order does not matter."""
    assert found("famine deaths") == ["famine"]
    assert found("deaths famine") == ["famine"]
    assert found("putin kim") == ["summit"]
    assert found("kim putin") == ["summit"]
    assert found("famine putin") == []


def test_hyphens_case_and_accents_are_ignored(dossier):
    """ "kim il sung" finds what "Kim Il-sung" finds; "chongjin" finds "Chŏngjin"."""
    assert found("kim il sung") == found("Kim Il-sung") == found("KIM IL-SUNG") == ["leader"]
    assert found("chongjin") == found("CHŎNGJIN") == ["chongjin"]


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("korean famine", "famine"),  # a passage's context
        ("perestroika", "gorbachev"),  # a passage's body
        ("2019 summit", "summit"),  # a fact's subject
        ("jong un", "summit"),  # a fact's statement
        ("vladivostok", "summit"),  # a fact's answer (and statement)
        ("song ju", "leader"),  # one of a fact's aliases
    ],
)
def test_every_text_of_a_passage_or_fact_is_searched(dossier, text, slug):
    assert slug in found(text)


@pytest.mark.parametrize("text", ['"', '", "', "\\", "[", "]"])
def test_the_punctuation_of_an_alias_list_finds_nothing(client, dossier, text):
    """Aliases are words, not their list's JSON text: its quotes and commas are nobody's."""
    html = page(client, text)

    assert "has no letters or digits to search for" in html
    assert 'class="result"' not in html


def test_a_word_finds_its_plural_and_singular(dossier):
    """ "treaty" finds "treaties", "death" finds "deaths"."""
    assert found("treaty peking") == ["peking"]
    assert found("death sources") == ["famine"]


def test_the_last_word_finds_the_words_it_starts_and_the_others_are_whole(dossier):
    """ "gorb" finds Gorbachev as it is typed; "war pact" does not find the Warsaw Pact."""
    assert found("gorb") == ["gorbachev"]
    assert found("soviet gorb") == ["gorbachev"]
    assert found("war pact") == []
    assert found("pact war") == ["pact"]


def test_a_misspelt_word_is_replaced_by_the_words_spelled_like_it(client, dossier):
    """No dossier has "gorbachov": the search is for "gorbachev", and the page says so."""
    assert found("gorbachov") == ["gorbachev"]
    assert found("mikhail gorbachov") == ["gorbachev"]

    html = page(client, "Gorbachov")

    assert "No dossier has the word “gorbachov”: searched for gorbachev instead." in html
    assert "<mark>Gorbachev</mark>" in html


def test_a_word_some_dossier_holds_is_never_respelled(dossier):
    """ "soviet" is there, so it is searched as it is, even where it finds nothing with "famine"."""
    query = find("soviet famine").query

    assert [term.respelled for term in query.terms] == [(), ()]
    assert found("soviet famine") == []


def test_respelling_keeps_the_first_letter_and_needs_four_letters(dossier):
    """A first letter is rarely mistyped; a short word has too few letters to guess from."""
    assert found("korbachev") == []
    assert found("kin") == []  # "kim" is one letter away, but three letters are too few


def test_unpublished_dossiers_are_not_searched(dossier):
    SectionFactory(topic=TopicFactory(published=False), slug="draft", body="A secret passage.")

    assert found("secret passage") == []


def test_results_are_ranked_a_title_above_a_body(dossier):
    """A word in a passage's context counts more than the same word in a body."""
    SectionFactory(
        topic=dossier, slug="in-body", context="Farms", body="Every kolkhoz farmed; a kolkhoz sold."
    )
    SectionFactory(topic=dossier, slug="in-title", context="The kolkhoz", body="It farmed.")

    assert found("kolkhoz") == ["in-title", "in-body"]


def test_results_mix_passages_and_facts_by_rank(dossier):
    """One ranked list: a fact with the word in its subject and statement comes before a
    passage that has it once in a long body."""
    SectionFactory(
        topic=dossier,
        slug="ideas",
        context="Ideas",
        body="Among the many ideas of the state, juche was one. " * 5,
    )
    FactFactory(
        topic=dossier, slug="juche", subject="the idea called juche", statement="Juche is self-reliance."
    )

    hits = find("juche")[0:10]

    assert [(hit.kind, hit.obj.slug) for hit in hits] == [("fact", "juche"), ("passage", "ideas")]


# Highlighting -------------------------------------------------------------------------


def test_highlight_marks_matched_words_and_escapes_everything_else():
    """Neighbouring matches are one mark; markup in the text is shown as text."""
    text = "<b>Kim Il-sung</b> & Kim Jong-un met Putin."

    snippet = highlight(text, Query.parse("kim il sung putin"))

    assert snippet == (
        "&lt;b&gt;<mark>Kim Il-sung</mark>&lt;/b&gt; &amp; <mark>Kim</mark> Jong-un met <mark>Putin</mark>."
    )


def test_highlight_marks_a_whole_word_from_its_start_and_a_plural():
    snippet = highlight("Two treaties with Gorbachev.", Query.parse("treaty gorb"))

    assert snippet == "Two <mark>treaties</mark> with <mark>Gorbachev</mark>."


def test_highlight_cuts_a_window_around_the_first_match():
    """A long text is cut to a window around the match, with ellipses where it was cut."""
    text = "word " * 100 + "needle & thread " + "word " * 100

    snippet = highlight(text, Query.parse("NEEDLE"), width=80)

    assert snippet.startswith("…")
    assert snippet.endswith("…")
    assert "<mark>needle</mark> &amp; thread" in snippet
    assert len(snippet) < 140


def test_search_escapes_the_text_and_the_query(client):
    """Markup in a passage or in the query is shown as text; only <mark> is ours."""
    SectionFactory(context="Scripts", body="Before <script>alert(1)</script> after.")

    html = page(client, "<script>alert")

    assert "&lt;<mark>script</mark>&gt;<mark>alert</mark>(1)&lt;/<mark>script</mark>&gt; after." in html
    assert "<script>alert" not in html
    assert "“&lt;script&gt;alert”" in html


# The page -----------------------------------------------------------------------------


def test_the_empty_page_shows_the_box_and_a_hint(client):
    html = page(client, "")

    assert '<label for="search-q">' in html
    assert 'type="search"' in html
    assert "Type a word or a name" in html


def test_no_match_says_so(client, dossier):
    html = page(client, "zeppelin")

    assert "No passage or fact contains every word of “zeppelin”" in html
    assert 'class="result"' not in html


def test_results_link_where_each_passage_or_fact_is_explained(client, dossier):
    """A passage links to its anchor; a fact with no passage to its dossier; each is labelled."""
    html = page(client, "gorbachev")

    assert '<a class="result-title" href="/dossiers/nk-russia/#section-gorbachev">' in html
    assert "North Korea–Russia relations in the context of Gorbachev and the end of Soviet subsidies" in html
    assert "· Passage · North Korea–Russia relations" in html


def test_a_disputed_fact_links_to_the_full_list_and_is_marked(client, dossier):
    """A disputed fact with no passage or event is reached on the dossier's full disputed list."""
    fact = FactFactory(topic=dossier, slug="lone-dispute", subject="the lone disputed thing")
    CitationFactory(source=SourceFactory(topic=dossier, key="wiki"), fact=fact, value="1")
    CitationFactory(source=SourceFactory(topic=dossier, key="maps"), fact=fact, value="2")
    fact.refresh_disputed()

    html = page(client, "lone disputed")

    assert f'href="{dossier.get_absolute_url()}?disputed=all#fact-lone-dispute"' in html
    assert "Sources disagree" in html


def test_results_come_twenty_a_page_with_links_that_repeat_the_words_only(client):
    """Page links carry the query's words (bounded, folded), not whatever was typed."""
    topic = TopicFactory()
    for i in range(15):
        SectionFactory(topic=topic, slug=f"s{i}", body=f"Walrus passage {i}.")
    for i in range(10):
        FactFactory(topic=topic, slug=f"f{i}", statement=f"Walrus fact {i} was 1900.")
    typed = "WALRUS!!! <>" + "?" * 150

    first = page(client, typed)
    second = client.get(URL, {"q": "walrus", "page": 2}).content.decode()

    assert "25 results for “WALRUS!!! &lt;&gt;???" in first
    assert first.count('class="result"') == 20
    assert second.count('class="result"') == 5
    assert 'aria-current="page">2</a>' in second
    links = re.findall(r'href="(\?q=[^"]*)"', first)
    assert links
    assert {parse_qs(urlsplit(unescape(link)).query)["q"][0] for link in links} == {"walrus"}


def test_a_page_past_the_end_shows_the_last_page(client, dossier):
    html = client.get(URL, {"q": "kim", "page": "999"}).content.decode()

    assert html.count('class="result"') == 2


def test_too_many_words_says_which_were_searched(client, dossier):
    html = page(client, "kim one two three four five six seven eight nine")

    assert "Only the first 8 words were searched for." in html


def test_htmx_gets_the_results_and_a_history_restore_the_whole_page(client, dossier):
    """Typing (htmx) swaps in the results; Back or Forward (a history restore) needs the page.

    Both vary on the htmx headers, so no cache hands one the other's answer.
    """
    typing = client.get(URL, {"q": "gorbachev"}, HTTP_HX_REQUEST="true")
    back = client.get(URL, {"q": "gorbachev"}, HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true")
    plain = client.get(URL, {"q": "gorbachev"})

    assert typing.content.decode().lstrip().startswith('<div id="search-results"')
    assert "<html" not in typing.content.decode()
    assert "<mark>Gorbachev</mark>" in typing.content.decode()
    for whole in (back, plain):
        html = whole.content.decode()
        assert html.startswith("<!doctype html>")
        assert html.count('<header class="site-header">') == 1
        assert "<mark>Gorbachev</mark>" in html
    for response in (typing, back, plain):
        vary = {v.strip().lower() for v in response["Vary"].split(",")}
        assert {"hx-request", "hx-history-restore-request"} <= vary


def test_the_page_reads_a_fixed_number_of_queries(client, dossier, django_assert_num_queries):
    """At most four when something is found: the count, the ranked page, its passages, its
    facts. Nothing found: the count and the spelling check. A word respelled: those two,
    then up to four again (at most six)."""
    with django_assert_num_queries(4):
        page(client, "north")  # passages and facts
    with django_assert_num_queries(3):
        page(client, "kim")  # facts only
    with django_assert_num_queries(2):
        page(client, "zeppelin")
    with django_assert_num_queries(1):
        page(client, "zz")  # nothing found, and too short to respell
    with django_assert_num_queries(5):
        page(client, "gorbachov")  # count, spelling, count, ranked page, passages (no fact)
    with django_assert_num_queries(0):
        page(client, "")
    for i in range(40):
        SectionFactory(topic=dossier, slug=f"more-{i}", body=f"The north, part {i}.")
        FactFactory(topic=dossier, slug=f"more-{i}", statement=f"The north thing {i} was 1900.")
    with django_assert_num_queries(4):
        assert page(client, "north").count('class="result"') == 20


def test_nul_bytes_are_dropped(client, dossier):
    """A NUL cannot be stored or matched: "%00" alone is an empty search."""
    empty = client.get(URL, {"q": "\x00"})
    with_word = client.get(URL, {"q": "gorb\x00achev"})

    assert empty.status_code == 200
    assert "Type a word or a name" in empty.content.decode()
    assert with_word.status_code == 200
    assert with_word.context["query"].text == "gorb achev"


FTS_SYNTAX = [
    "NEAR(kim putin, 2)",
    '"kim',
    "kim*",
    "-kim",
    "^kim",
    "kim OR putin",
    "kim AND NOT putin",
    "title:kim",
    "kim & putin | !soviet",
    "kim:* <-> putin",
    "'kim'",
    "(kim",
    "\\",
    "%_%",
    "ﬁ ß ǅ İ",
    "١٢٣ 𝟙𝟚𝟛",
    "x" * 10_000,
]


@pytest.mark.parametrize("text", FTS_SYNTAX)
def test_query_syntax_of_either_database_is_only_words(client, dossier, text):
    """FTS5's and tsquery's operators are read as words or separators, never as syntax."""
    response = client.get(URL, {"q": text})

    assert response.status_code == 200


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=300) | st.sampled_from(FTS_SYNTAX), page_number=st.text(max_size=5))
@example(text='NEAR "x" * ^ - \x00', page_number="-1")
@example(text="kim " * 100, page_number="2")
def test_any_query_answers_200_and_links_only_its_words(client, dossier, text, page_number):
    """Whatever is typed, in whatever page: a page, and links that hold only the query's words."""
    response = client.get(URL, {"q": text, "page": page_number})
    partial = client.get(URL, {"q": text}, HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert partial.status_code == 200
    words = Query.parse(" ".join(text.replace("\x00", " ").split())).text
    for link in re.findall(r'href="\?([^"]*)"', response.content.decode()):
        assert parse_qs(unescape(link))["q"] == [words]
