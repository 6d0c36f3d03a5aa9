"""Releases as OpenSearch documents: our own analysis, run in Python, indexed as its terms.

Decision: the text fields hold the terms that our analyzers (`indexer.analysis`, per language) make,
joined by spaces and split again by OpenSearch's `whitespace` analyzer, rather than OpenSearch's own
German and English analyzers configured to imitate ours. One analysis for both backends means the
same query tree (`Parser.parse`, whose leaves are already our terms) finds the same documents on
either, with no second configuration to keep in step: our German normalization, compound splitting
from the lexicon, stemmer and stop lists have no exact OpenSearch counterpart.

What Whoosh keeps that plain text does not, and how it is kept:
- a title's boost (`TITLE_BOOST`) is in its term frequencies: each title term is written as often as
  the boost says, which leaves each title's length relative to the average (what BM25 reads) unchanged;
- a compound's parts share the compound's position in Whoosh; here they follow the text as a second
  value of the field, so that phrases over the text itself stay adjacent (a phrase over parts of
  different compounds is the one thing that matches on Whoosh only);
- not kept: a part's half weight (`analysis.hyphen.PART_BOOST`). Term frequencies are whole numbers here,
  and writing every other term twice to make room would double the positions indexed; a part counts as a
  whole word, which moves German scores by up to a third and no MRR@10 of `benchmarks.quality` by .01.

Scores: each field has BM25 parameters of its own, set once the index is written (`similarities`), and
the query's terms carry boosts (`query.dsl`), so that OpenSearch scores as the array ranker does.
"""

from __future__ import annotations

from typing import Any

from ...model import Document
from ..whoosh.schema import build_schema
from ..whoosh.writer import document_fields

SCHEMA = build_schema()
TEXT_FIELDS = tuple(name for name in SCHEMA.names() if SCHEMA[name].format is not None
                    and SCHEMA[name].format.supports("positions"))
KEYWORD_FIELDS = ("id", "lang", "file")
STORED_FIELDS = tuple(name for name in SCHEMA.names() if SCHEMA[name].stored)
REPEATS = {name: max(1, round(SCHEMA[name].format.field_boost)) for name in TEXT_FIELDS}  # see `terms`
PARTS_GAP = 100  # positions between a field's text and its compounds' parts
PAGE = 10_000  # hits a search reads at once, at the least (OpenSearch's default `max_result_window`)


def mapping(k1: float, b: float, shards: int, replicas: int) -> dict:
    """The settings and mappings of one generation's index."""
    text = {"type": "text", "analyzer": "whitespace", "norms": True, "position_increment_gap": PARTS_GAP}
    properties: dict[str, Any] = {name: text | {"similarity": _similarity(name)} for name in TEXT_FIELDS}
    properties |= {name: {"type": "keyword"} for name in KEYWORD_FIELDS}
    properties |= {"n": {"type": "integer"}, "date": {"type": "long"},
                   "stored": {"type": "object", "enabled": False}}
    return {
        "settings": {"index": {"number_of_shards": shards, "number_of_replicas": replicas,
                               "max_result_window": PAGE, "refresh_interval": "-1",
                               "similarity": similarities(k1, b, 1, {})}},
        "mappings": {"dynamic": "strict", "_source": {"excludes": list(TEXT_FIELDS)},
                     "properties": properties},
    }


def similarities(k1: float, b: float, size: int, holding: dict[str, int]) -> dict:
    """Each text field's BM25 parameters, such that Lucene's length normalization equals Whoosh's.

    Whoosh divides a document's field length by the field's total length over all `size` documents,
    Lucene by that over the documents holding the field (`holding`): with `r = size / holding`,
    `k1 * (1 - b + b * r * length / lucene_average)` is `k1' * (1 - b' + b' * length / lucene_average)`
    for `k1' = k1 * (1 - b + b * r)` and `b' = b * r / (1 - b + b * r)`."""
    found = {}
    for name in TEXT_FIELDS:
        r = size / holding[name] if holding.get(name) else 1.0  # as `query.dsl` reads it back
        scale = 1 - b + b * r
        found[_similarity(name)] = {"type": "BM25", "k1": k1 * scale, "b": b * r / scale if scale else b}
    return found


def _similarity(fieldname: str) -> str:
    return f"field_{fieldname}"


def body(doc: Document, file_key: str, n: int) -> dict:
    """The document to index for `doc`, number `n`."""
    fields = document_fields(doc, file_key)
    stored = {name: fields.get(f"_stored_{name}", fields.get(name)) for name in STORED_FIELDS}
    out: dict[str, Any] = {"n": n, "stored": stored, "id": doc.id, "lang": doc.lang, "file": file_key}
    for name in TEXT_FIELDS:
        value = fields.get(name)
        if value:
            out[name] = terms(name, value)
    if "date" in fields:
        out["date"] = SCHEMA["date"].prepare_datetime(fields["date"])
    return out


def terms(fieldname: str, text: str) -> list[str]:
    """The field's terms as Whoosh indexes them: the text's, then the parts that share a position."""
    field, repeat = SCHEMA[fieldname], REPEATS[fieldname]
    main: list[str] = []
    parts: list[str] = []
    last = -1
    for token in field.analyzer(text, positions=True):
        (parts if token.pos == last else main).extend([token.text] * repeat)
        last = token.pos
    return [" ".join(main), " ".join(parts)] if parts else [" ".join(main)]
