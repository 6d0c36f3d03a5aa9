"""Why a document was or was not linked to a twin: its candidates, signal by signal."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ..dates import period
from ..model import Link, plain
from .linker import (
    DATE_PENALTY,
    DATE_SLACK_DAYS,
    DEFAULT_MIN_SCORE,
    INTERCEPT,
    WEIGHTS,
    Archive,
    Pair,
    match,
    scored_pairs,
    stated_links,
)
from .signals import GROUP_INDEX, GROUPS, SIDES, Signals
from .table import SignalTable


def explain(doc_id: str, sigs: Mapping[str, Signals], stated: Mapping[str, str] | None = None,
            min_score: float = DEFAULT_MIN_SCORE, top: int = 5) -> dict:
    """Why a document was or was not linked: its link and its best candidates, signal by signal."""
    result: dict = {"id": doc_id, "min_score": min_score, "link": None, "candidates": []}
    table = SignalTable.of(sigs)
    if doc_id not in table:
        return result | {"verdict": "not in the archive"}
    result["lang"] = table.lang_of(doc_id)
    links, settled = stated_links(table, stated or {})
    own = next((x for x in links if doc_id in (x.de, x.en)), None)
    if doc_id in settled:
        verdict = "stated by the source" if own else "the source names a twin that is not in the archive"
        return result | {"link": plain(own) if own else None, "verdict": verdict}
    if result["lang"] not in SIDES:
        return result | {"verdict": "neither German nor English: not linked"}
    arc = Archive(table, exclude=settled)
    pairs = scored_pairs(arc)
    matched = match(pairs, min_score)
    me = arc.ids.index(doc_id)
    mine = [p for p in pairs if me in (p.de, p.en)][:top]
    result["candidates"] = [_candidate(arc, p, me, matched) for p in mine]
    if me in matched:
        p = matched[me]
        result["link"] = plain(Link(arc.ids[p.de], arc.ids[p.en], round(p.score, 4)))
    return result | {"verdict": _verdict(me, mine, matched, min_score)}


def _candidate(arc: Archive, p: Pair, me: int, matched: dict[int, Pair]) -> dict:
    other = p.en if p.de == me else p.de
    features, shared = _pair_features(arc, p.de, p.en), _shared_keys(arc, p.de, p.en)
    parts = _contributions(features, arc.date[p.de], arc.date[p.en])
    partner = matched.get(other)
    return {
        "id": arc.ids[other],
        "score": round(p.score, 4),
        "logit": round(INTERCEPT + sum(parts.values()), 3),
        "signals": {name: {"value": round(value, 4), "logit": round(parts[name], 3)}
                    for name, value in features.items()}
        | {"date": {"days_apart": _days_apart(arc.date[p.de], arc.date[p.en]), "logit": round(parts["date"], 3)}},
        "shared": {g: keys[:12] for g, keys in shared.items()},
        "linked_to": None if partner is None else arc.ids[partner.de if partner.en == other else partner.en],
    }


def _verdict(me: int, mine: list[Pair], matched: dict[int, Pair], min_score: float) -> str:
    if me in matched:
        return "linked: the best remaining pair for both documents"
    if not mine:
        return "no candidate: shares no rare name, number or word with a document of the other language"
    if mine[0].score < min_score:
        return f"not linked: the best candidate scores {mine[0].score:.3f}, below min_score {min_score}"
    return "not linked: every candidate above min_score is linked to a document it fits better"


def _shared_keys(arc: Archive, i: int, j: int) -> dict[str, list[str]]:
    """The keys two documents share, per group, rarest first: what `explain` shows."""
    shared: dict[str, list[str]] = {group: [] for group in GROUPS}
    common = set(arc.doc_keys(i)).intersection(arc.doc_keys(j))
    for key in sorted(common, key=lambda k: (arc.df_of(k), k)):
        shared[GROUPS[GROUP_INDEX[key[0]]]].append(key)
    return shared


def _contributions(features: dict[str, float], date_a: str | None, date_b: str | None) -> dict[str, float]:
    """Each signal's part of the logit; their sum plus the intercept is the score's logit."""
    parts = {name: WEIGHTS[name] * value for name, value in features.items()}
    parts["date"] = -_date_penalty(date_a, date_b)
    return parts


def _pair_features(arc: Archive, i: int, j: int) -> dict[str, float]:
    return {name: float(values[0]) for name, values in arc.features(np.array([i]), np.array([j])).items()}


def _date_penalty(a: str | None, b: str | None) -> float:
    """Publication dates more than DATE_SLACK_DAYS apart make a translation less likely."""
    gap = _days_apart(a, b)
    if gap is None:
        return 0.0
    return DATE_PENALTY * min(1.0, max(0, gap - DATE_SLACK_DAYS) / 365)


def _days_apart(a: str | None, b: str | None) -> int | None:
    """Days between two partial dates, 0 when the periods overlap (`2019-07` and `2019-07-09`)."""
    ra, rb = period(a), period(b)
    if ra is None or rb is None:
        return None
    return ra.days_apart(rb)
