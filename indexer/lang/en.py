"""English: possessives dropped, Snowball stems, and the words of English releases."""

from __future__ import annotations

from .base import Language, numbered, words

# Whoosh's English stop list (`whoosh.lang.stopwords`), kept here as data.
STOP_WORDS = words("""
a about above after again against all am an and any are as at be because been before being below
between both but by can did do does doing don down during each few for from further had has have
having he her here hers herself him himself his how i if in into is it its itself just me more most
my myself no nor not now of off on once only or other our ours ourselves out over own s same she
should so some such t than that the their theirs them themselves then there these they this those
through to too under until up very was we were what when where which while who whom why will with
you your yours yourself yourselves
""")
QUESTION_WORDS = frozenset({"whose", "many", "much"})  # missing from the stop list, frequent in questions

_MONTHS = numbered("january february march april may june july august september october november december")


def analyzer():
    from ..analysis import chain

    return chain(stop=LANGUAGE.search_stop_words, possessives=True, stemmer="english")


LANGUAGE = Language(
    code="en",
    names={"de": "Englisch", "en": "English"},
    analyzer=analyzer,
    stop_words=STOP_WORDS,
    search_stop_words=STOP_WORDS | QUESTION_WORDS,
    stemmer="english",
    possessives=True,
    markers=words("the and of to is that with for was are this from have has were which been its"),
    months=_MONTHS | {m[:3]: i for m, i in _MONTHS.items()} | {"sept": 9},
    weekdays=numbered("monday tuesday wednesday thursday friday saturday sunday"),
    number_words=numbered("two three four five six seven eight nine ten eleven twelve", 2),
    scales={"thousand": 1e3, "million": 1e6, "millions": 1e6, "m": 1e6, "mn": 1e6, "billion": 1e9,
            "billions": 1e9, "bn": 1e9, "b": 1e9, "trillion": 1e12, "trillions": 1e12, "tn": 1e12},
)
