"""Query evaluation a whole posting list at a time, with numpy, instead of document at a time.

Whoosh walks a query's matchers one document at a time in Python and can skip documents only
where every matcher bounds its score. Our queries are wide ORs (each word in six fields, its
compound parts and its translations) under a coordination factor, so Whoosh would score every
matching document: at 100,000 releases 0.4 s per question, against 7 ms here (`benchmarks.matchers`).

Here each term's postings are arrays (document numbers, weights), read from the segment's sidecar or
decoded once into an LRU cache; BM25F is computed for a whole list at once, and the query tree combined
with array unions and intersections. The scores are Whoosh's own (`tests/backend/test_ranking.py`).
Phrases are checked on word positions, also as arrays; other nodes run through Whoosh's matcher.
"""

from __future__ import annotations

import math
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any, NamedTuple

import numpy as np
from whoosh import query as wq
from whoosh.searching import Searcher

from ... import tuning
from ...arrays import ranges
from ...query.concepts import Coordinated
from ...query.estimate import estimate
from ...query.limits import check_time, too_many_words
from ...query.synonyms import Synonyms
from ...query.tree import leaves
from ..postings import EMPTY, Postings, combine, common, contains
from . import decode, proximity
from .concept_bits import ConceptBits
from .postings import SharedState
from .recent import RecentPostings
from .shapes import summed_or, term_leaves
from .sidecar import UNSAID, Sidecar, term_keys

MAX_EXPANSION = 2000  # terms a prefix, wildcard or range may expand to, per field
EXPANSION_SECONDS = 0.5  # and the time it may take to find them
WARM_MIN_FREQUENCY = 64  # rarer terms decode in well under a millisecond; `warm` leaves them
DENSE_MATCHES = 1024  # documents from which `matches` flags postings in an array rather than searching them


class Segment(NamedTuple):
    """One segment of the searcher: its reader, first document number, id, and sidecar (None: decode)."""

    reader: Any
    base: int
    id: str
    sidecar: Sidecar | None


class Ranker:
    """Evaluates queries against one thread's searcher; see the module docstring."""

    def __init__(self, searcher: Searcher, shared: SharedState) -> None:
        self.searcher = searcher
        self.reader = searcher.reader()
        self.shared = shared
        self.size = self.reader.doc_count_all()
        self.segments = [Segment(reader, base, reader.segment().segment_id(), shared.sidecar(reader))
                         for reader, base in self.reader.leaf_readers()]
        self.recent = RecentPostings()

    @property
    def k1(self) -> float:
        return tuning.current().k1

    @property
    def b(self) -> float:
        return tuning.current().b

    def search(self, q: wq.Query) -> Postings:
        """Every live document `q` matches, with its score."""
        found = self.evaluate(q)
        return found.only(self.shared.live(self.searcher)) if self.reader.has_deletions() else found

    def warm(self, budget: int) -> tuple[int, int]:
        """Decodes the postings of the most frequent text terms, up to `budget` postings, so that the
        first queries that use them need not; returns (terms, postings) decoded. Segments with a sidecar
        need no decoding: their files are asked into the page cache instead."""
        frequency: Counter[tuple[str, bytes]] = Counter()
        for segment in self.segments:
            if segment.sidecar is not None:
                segment.sidecar.warm()
                continue
            for fieldname, field in self.searcher.schema.items():
                if field.scorable:
                    for btext, info in segment.reader.iter_field(fieldname):
                        frequency[fieldname, btext] += info.doc_frequency()
        terms = postings = 0
        for (fieldname, btext), df in frequency.most_common():
            if postings + df > budget or df < WARM_MIN_FREQUENCY:
                break
            postings += len(self._postings(fieldname, btext)[0])
            terms += 1
        return terms, postings

    def mask(self, q: wq.Query) -> np.ndarray:
        """Does `q` match each document number? For filters; from arrays (Whoosh's matchers: 2 s a language at 1M)."""
        mask = np.zeros(self.size, dtype=bool)
        mask[self.search(q).docs] = True
        return mask

    def matched_terms(self, q: wq.Query, docnum: int) -> list[tuple[str, str]]:
        """The (field, term) leaves of `q` that document `docnum` contains."""
        found = []
        for leaf in leaves(q):
            if type(leaf) is wq.Term and leaf.fieldname in self.searcher.schema:
                btext = self.searcher.schema[leaf.fieldname].to_bytes(leaf.text)
                if (leaf.fieldname, btext) in self.reader:
                    docs, _ = self._postings(leaf.fieldname, btext)
                    i = np.searchsorted(docs, docnum)
                    if i < len(docs) and docs[i] == docnum:
                        found.append((leaf.fieldname, leaf.text))
        return found

    def matches(self, q: wq.Query, docs: np.ndarray) -> np.ndarray:
        """Whether `q` matches each of `docs` (sorted): an OR of terms looks the documents up in its terms'
        postings, or, for many documents, flags its postings in one array and reads the documents' flags
        (a search of 30,000 documents in each of 60 long lists took longer than the query itself)."""
        terms = term_leaves(q)
        if terms is None:
            return contains(self.search(q).docs, docs, docs_sorted=True)
        found = [leaf[1] for t in terms if (leaf := self._leaf(t)) is not None]
        if len(docs) >= DENSE_MATCHES:
            flags = np.zeros(self.size, bool)
            for postings in found:
                flags[postings] = True
            return flags[docs]
        hit = np.zeros(len(docs), bool)
        for postings in found:
            hit |= contains(postings, docs, docs_sorted=True)
        return hit

    def evaluate(self, q: wq.Query) -> Postings:
        check_time()  # a request's time limit, if its server set one
        if type(q) is wq.Term:
            return self._term(q)
        if isinstance(q, Synonyms):
            return self._synonyms(q)
        if isinstance(q, Coordinated) and len(q.subqueries) > 1:
            return self._coordinated(q)
        if summed_or(q):
            return self._compound(q, self._union)
        if type(q) is wq.And:
            return self._compound(q, self._intersection)
        if type(q) is wq.AndNot:
            return self._and_not(q)
        if type(q) is wq.AndMaybe:
            return self._and_maybe(q)
        if type(q) is wq.Phrase:
            return self._phrase(q)
        if q is wq.NullQuery:
            return EMPTY
        if type(q) is wq.Every:
            return self._every(q)
        if isinstance(q, wq.MultiTerm):
            return self._expanded(q)
        return self._by_matcher(q)

    def _every(self, q: wq.Every) -> Postings:
        """`body:*`: every document with some text in the field (all of them without a field), at one score,
        from the field lengths rather than by walking every term of the field as Whoosh does."""
        if q.fieldname in (None, "*"):
            docs = np.arange(self.size, dtype=np.intp)
        elif q.fieldname in self.searcher.schema:
            docs = np.flatnonzero(self.shared.lengths(self.searcher, q.fieldname) > 0)
        else:
            return EMPTY
        return Postings(docs, np.full(len(docs), q.boost))

    def _expanded(self, q: wq.MultiTerm) -> Postings:
        """A prefix, wildcard or range: its terms OR-ed and scored as Whoosh scores them (one term as itself,
        several summed, times the query's boost), within a budget of terms and time, else a `QueryError`
        that says how to narrow it."""
        if q.fieldname not in self.searcher.schema:
            return EMPTY
        field = self.searcher.schema[q.fieldname]
        started = time.monotonic()
        parts = []
        for n, btext in enumerate(q._btexts(self.reader)):
            if n >= MAX_EXPANSION or time.monotonic() - started > EXPANSION_SECONDS:
                raise too_many_words(q, n)
            parts.append(self._term(wq.Term(q.fieldname, field.from_bytes(btext))))
        if len(parts) <= 1:
            return parts[0] if parts else EMPTY
        return self._union(parts).scaled(q.boost)

    def _term(self, q: wq.Term) -> Postings:
        found = self._leaf(q)
        if found is None:
            return EMPTY
        field, docs, weights = found
        weights = weights.astype(np.float64)  # scores in double precision, as Whoosh's
        if field.scorable:
            scores = self._idf(len(docs)) * weights * (self.k1 + 1) / (weights + self._norm(q.fieldname)[docs])
        else:
            scores = weights
        return Postings(docs, scores * q.boost if q.boost != 1.0 else scores)

    def _leaf(self, q: wq.Term):
        """The field, documents and weights of a term query, or None where the index lacks the term."""
        try:
            field = self.searcher.schema[q.fieldname]
            btext = field.to_bytes(q.text)
        except (KeyError, ValueError):  # an unknown field, or text the field cannot hold
            return None
        docs, weights = self._postings(q.fieldname, btext)
        return (field, docs, weights) if len(docs) else None

    def _idf(self, doc_frequency: float) -> float:
        """Whoosh's idf (`WeightingModel.idf`); a term's document frequency is its number of postings."""
        return math.log(self.size / (doc_frequency + 1)) + 1

    def _norm(self, fieldname: str) -> np.ndarray:
        return self.shared.norm(self.searcher, fieldname, self.k1, self.b)

    def _postings(self, fieldname: str, btext: bytes) -> tuple[np.ndarray, np.ndarray]:
        """All postings of a term, deleted documents included (as in Whoosh's document frequency);
        empty arrays for a term the index lacks. A query asks for most of its terms several times (their
        counts for the concept weights, then their postings), so this thread keeps the latest (`recent`)."""
        key = (fieldname, btext)
        found = self.recent.get(key)
        if found is not None:
            return found
        docs, weights = [], []
        for segment in self.segments:
            entry = self._segment_postings(segment, fieldname, btext)
            if len(entry[0]):
                docs.append(np.add(entry[0], segment.base, dtype=np.intp))  # numbers as `Postings` hold them
                weights.append(entry[1])
        if len(docs) == 1:
            found = docs[0], weights[0]
        elif not docs:
            found = decode.NO_POSTINGS
        else:
            found = np.concatenate(docs), np.concatenate(weights)
        self.recent.put(key, found)
        return found

    def _phrase(self, q: wq.Phrase) -> Postings:
        """Whoosh's `Phrase` (an ordered `SpanNear2`): the documents holding every word, each word at
        most `slop` positions after the one before; scored as the sum of the words' scores."""
        schema = self.searcher.schema
        if q.fieldname not in schema or not schema[q.fieldname].format \
                or not schema[q.fieldname].format.supports("positions") or q.slop < 1 or len(q.words) < 2 \
                or None in q.words:
            return self._by_matcher(q)  # what Whoosh does there (a query error included)
        field = schema[q.fieldname]
        try:
            terms = [field.to_bytes(word) for word in q.words]
        except ValueError:
            return EMPTY
        found = self._intersection([self._term(wq.Term(q.fieldname, word)) for word in q.words])
        if not len(found):
            return EMPTY
        # (candidate, position) codes of the phrase's possible ends, word by word
        ends = None
        for btext in terms:
            index, where = self._positions_of(q.fieldname, btext, found.docs)
            codes = index.astype(np.int64) << 32 | where
            if ends is not None:
                follows = np.zeros(len(codes), dtype=bool)
                for gap in range(1, q.slop + 1):
                    follows |= np.isin(codes - gap, ends)
                codes = codes[follows]
            ends = codes
        keep = np.unique(ends >> 32)
        return Postings(found.docs[keep], found.scores[keep] * q.boost)

    def _positions_of(self, fieldname: str, btext: bytes, docs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The positions of a term in each of `docs` (all of which hold it): (index into docs, position)."""
        index, where = [], []
        for segment in self.segments:
            base = segment.base
            lo, hi = np.searchsorted(docs, [base, base + segment.reader.doc_count_all()])
            if lo == hi:
                continue
            term_docs, _ = self._segment_postings(segment, fieldname, btext)
            key = (segment.id, fieldname, btext, "positions")
            entry = self.shared.postings.get(key)
            if entry is None:
                entry = decode.positions(decode.unfiltered(segment.reader, fieldname, btext))
                self.shared.postings.put(key, entry)
            positions, offsets = entry
            at = np.searchsorted(term_docs, docs[lo:hi] - base)
            counts = offsets[at + 1] - offsets[at]
            index.append(np.repeat(np.arange(lo, hi), counts))
            where.append(positions[ranges(offsets[at], counts)])
        return np.concatenate(index), np.concatenate(where).astype(np.int64)

    def single_documents(self, fieldname: str, btexts: list[bytes]) -> np.ndarray:
        """The live document each term names (as an id does), or -1, as Whoosh's `document_number` finds it;
        from the sidecars' tables in one pass where the segments have them."""
        found = np.full(len(btexts), -1, np.int64)
        live = self.shared.live(self.searcher) if self.reader.has_deletions() else None
        keys = term_keys(fieldname, btexts) if any(s.sidecar for s in self.segments) else None  # once, not per segment
        for segment in self.segments:
            side = segment.sidecar
            at = side.single_documents(keys) if side else np.full(len(btexts), UNSAID, np.int64)
            for i in np.flatnonzero(at == UNSAID).tolist():  # no sidecar, a collision, or several documents
                docs = self._segment_postings(segment, fieldname, btexts[i])[0]
                docs = docs[live[docs + segment.base]] if live is not None else docs
                at[i] = docs[0] if len(docs) else -1
            at = np.where(at >= 0, at + segment.base, -1)
            found = np.where(found >= 0, found, at if live is None else np.where(live[np.maximum(at, 0)], at, -1))
        return found

    def term_documents(self, fieldname: str, btext: bytes) -> int:
        """How many documents hold the term, deleted ones included (Whoosh's document frequency)."""
        return len(self._postings(fieldname, btext)[0])

    def _segment_postings(self, segment: Segment, fieldname: str, btext: bytes) -> tuple[np.ndarray, np.ndarray]:
        """One segment's postings of a term: from its sidecar, or decoded from its blocks and cached (empty
        entries too: most query terms are not in most fields)."""
        if segment.sidecar is not None:
            found = segment.sidecar.postings(fieldname, btext)
            if found is not None:
                return found
        key = (segment.id, fieldname, btext)
        entry = self.shared.postings.get(key)
        if entry is not None:
            return entry
        if (fieldname, btext) in segment.reader:  # cheaper than raising for a missing term
            d, w = decode.postings(decode.unfiltered(segment.reader, fieldname, btext))
            entry = (d.astype(np.int32), w.astype(np.float32))
        else:
            entry = decode.NO_POSTINGS
        self.shared.postings.put(key, entry)
        return entry

    def _synonyms(self, q: Synonyms) -> Postings:
        """A synonym group scored as one term: see `synonyms`."""
        present = [(t, found) for t in q.subqueries if (found := self._leaf(t)) is not None]
        if not present:
            return EMPTY
        docs, tf, _ = combine([Postings(docs, weights.astype(np.float64) * t.boost)
                               for t, (_, docs, weights) in present], self.size)
        idf = self._idf(sum(t.boost * len(docs) for t, (_, docs, _) in present))
        fieldname = q.subqueries[0].fieldname
        return Postings(docs, q.boost * idf * tf * (self.k1 + 1) / (tf + self._norm(fieldname)[docs]))

    def _estimate(self, q: wq.Query) -> float:
        """Whoosh's `estimate_size`, from the cached postings where it can."""
        return estimate(q, self._documents_of, self.reader.doc_count(), lambda other: other.estimate_size(self.reader))

    def _documents_of(self, fieldname: str, text: str) -> int:
        found = self._leaf(wq.Term(fieldname, text))
        return len(found[1]) if found is not None else 0

    def _by_matcher(self, q: wq.Query) -> Postings:
        """Any other query: Whoosh's matcher, walked to the end."""
        m = q.matcher(self.searcher, self.searcher.context(needs_current=True))
        docs, scores = [], []
        while m.is_active():
            docs.append(m.id())
            scores.append(m.score())
            m.next()
        return Postings(np.array(docs, dtype=np.intp), np.array(scores, dtype=np.float64))

    # ------------------------------------------------------------------ compounds

    def _compound(self, q: wq.CompoundQuery, how) -> Postings:
        """An OR or AND. As in Whoosh, a compound of one ignores its own boost."""
        if not q.subqueries:
            return EMPTY
        if len(q.subqueries) == 1:
            return self.evaluate(q.subqueries[0])
        return how([self.evaluate(s) for s in q.subqueries]).scaled(q.boost)

    def _union(self, parts: list[Postings]) -> Postings:
        parts = [p for p in parts if len(p)]
        if not parts:
            return EMPTY
        docs, scores, _ = combine(parts, self.size)
        return Postings(docs, scores)

    def _intersection(self, parts: list[Postings]) -> Postings:
        parts = sorted(parts, key=len)
        found = parts[0]
        for p in parts[1:]:
            if not len(found):
                return EMPTY
            i, j = common(found.docs, p.docs)
            found = Postings(found.docs[i], found.scores[i] + p.scores[j])
        return found

    def _and_not(self, q: wq.AndNot) -> Postings:
        kept = self.evaluate(q.a)
        if not len(kept):
            return EMPTY
        excluded = self.evaluate(q.b)
        keep = ~contains(excluded.docs, kept.docs, docs_sorted=True)
        return Postings(kept.docs[keep], kept.scores[keep])

    def _and_maybe(self, q: wq.AndMaybe) -> Postings:
        """`a ANDMAYBE b`: what `a` matches, scored higher where `b` matches too (as Whoosh scores it)."""
        kept = self.evaluate(q.a)
        if not len(kept):
            return EMPTY
        maybe = self.evaluate(q.b)
        i, j = common(kept.docs, maybe.docs)
        scores = kept.scores.copy()
        scores[i] += maybe.scores[j]
        return Postings(kept.docs, scores)

    def _coordinated(self, q: Coordinated) -> Postings:
        """The concepts' summed scores times the idf-weighted share of concepts matched: see `concepts`.

        The concepts' ORs are not combined level by level (each level a union over most of the index):
        every leaf's scores, times the boosts above it, are added into one array, and each concept sets
        its bit (`ConceptBits`), from which a document's share of concepts is read once at the end."""
        concepts = q.subqueries
        weights, scores = [], np.zeros(self.size)
        bits = ConceptBits(self.size, len(concepts))
        for i, concept in enumerate(concepts):
            for part in self._summands(concept, 1.0):
                np.add.at(scores, part.docs, part.scores)
                bits.add(i, part.docs)
            weights.append(self._idf(self._estimate(concept)))  # its terms still among the recent postings
        matched = bits.matched()
        if not len(matched):
            return EMPTY
        weighting = tuning.current()
        share = bits.weight(matched, weights) / sum(weights)
        found = Postings(matched, q.boost * scores[matched] * share ** weighting.coord_power)
        return proximity.bonus(found, concepts, weights, weighting.proximity, self.searcher.schema,
                               self._postings, self._positions_of)

    def _summands(self, q: wq.Query, factor: float) -> Iterator[Postings]:
        """Postings whose scores sum to `q`'s, each times `factor`: the parts of an OR (with its boost; a
        compound of one ignores it, as in Whoosh) one by one, anything else evaluated whole."""
        if summed_or(q):
            inner = factor if len(q.subqueries) == 1 else factor * q.boost
            for sub in q.subqueries:
                yield from self._summands(sub, inner)
            return
        found = self.evaluate(q)
        if len(found):
            yield found.scaled(factor)

