"""Twin linking: which German document is the translation of which English one, from content alone.

**Signals.** A translation changes the words but keeps much else. :func:`signals` reduces a document
to the keys that survive translation, each with the place (0-255 along the text) where it first
occurs:

* facts: numbers by value whatever the notation (`100.000` = `100,000`, `1,5 Mio.` = `1.5 million`,
  `6½`, `sechs` = `six`), dates (`22. Juni 2019` = `June 22, 2019`), weekdays, URLs, e-mail addresses;
* names: capitalized tokens inside a sentence, acronyms and alphanumeric names (`Cass`, `Jiaozi`,
  `PRNewswire`, `A380`), folded to lowercase ASCII;
* cognates: a spelling skeleton of every word (`Technologie` and `technology` both give `tchn`,
  `Schottland` and `Scotland` `stln`).

**Score.** For a German/English pair, keys count by their rarity in the archive (idf, scaled to
0..1 so the score means the same in a small and a large archive). Six features make one logistic
score in 0..1: the smoothed cosine of shared facts, names and cognates; the share of facts found in
only one of the two (a translation drops almost none); how far apart the shared keys sit in the two
texts (a translation keeps their order, a related article does not); and how far the length ratio is
from the usual one (German runs ~15% longer). The weights were fitted by logistic regression on
every German x English pair of the dev sets (shared/eval/wmt-news-dev and xquad-dev with the title
lines dropped, ~10,000 pairs, 142 twins). Publication dates more than a month apart lower the score
(a prior, not fitted: the dev sets carry no dates).

**Candidates.** No all-pairs comparison. Each document looks up, in an inverted index, its rarest
keys that occur in both languages (at most `PROBE_KEYS` keys pointing to at most `PROBE_BUDGET`
documents together; keys in more than `MAX_KEY_DF` documents are skipped; rarity is the larger of
the two languages' counts, so that a German word whose skeleton happens to match a rare English one
does not crowd out real names). The documents found are ranked by the weight they share over the
square root of their own key weight (so long documents do not win by size), and only the best
`CANDIDATES` are scored. Work per document is bounded by these constants, so linking grows
linearly with the archive.

**Assignment.** Greedy stable matching: all scored pairs, best first; a pair is linked when neither
document is linked yet and its score reaches `min_score`. With one symmetric score per pair this is
the stable matching: no two documents would both rather be linked to each other than to their
partners. Hungarian assignment maximizes the summed score instead, which can break a clear pair to
make two doubtful ones; a wrong link is worse than a missing one, so greedy is the right choice here,
and it costs O(pairs log pairs).

**Threshold.** `DEFAULT_MIN_SCORE` = 0.25 was set on the dev sets with hard negatives added
(German and English paragraphs of the same Wikipedia articles that are not translations of each
other): the best wrong pair there scores 0.16, two twins score 0.16-0.22 and all others 0.40 or
more; 0.25 is about halfway in logit terms, leaning to precision. tests/test_twins.py asserts the
precision and recall it gives.

**Stated twins** (JSONL `twin`) win in both directions: a document that names its twin is never
linked by content, even when the named twin is not in the archive. Of a stated pair, the English
document (or else the one not German) becomes `en`.
"""

from __future__ import annotations

import heapq
import math
import re
import sys
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from datetime import date
from functools import lru_cache
from typing import NamedTuple

from whoosh.lang.stopwords import stoplists

from .documents import Document
from .language import detect

SIDES = ("de", "en")
DEFAULT_MIN_SCORE = 0.25

# Candidate generation: bounded work per document.
PROBE_KEYS = 24  # rarest cross-language keys a document looks up
PROBE_BUDGET = 200  # ... as long as they point to at most this many documents together
MAX_KEY_DF = 200  # keys in more documents (of either language) do not generate candidates
CANDIDATES = 4  # partners scored per document and direction (a twin ranks first in nearly all cases)

# Scoring (see the module docstring for how these were chosen).
IDF_PRIOR_DOCS = 100  # keeps idf meaningful in tiny archives
SMOOTHING = 2.0  # pseudo-mass added to cosine denominators: a single shared key is weak evidence
POSITION_PRIOR = 1.0  # weight of the "unrelated" prior (mean distance 1/3) in the position feature
LENGTH_RATIO = 0.15  # usual log(len(German) / len(English))
INTERCEPT = 0.157
WEIGHTS = {"facts": 4.297, "facts_missing": -7.927, "names": 4.989, "cognates": 9.067, "positions": -11.003,
           "length": -4.265}
DATE_SLACK_DAYS = 31  # a translation may appear some weeks after the original
DATE_PENALTY = 4.0  # logit taken off at a year or more apart

GROUPS = ("facts", "names", "cognates")
GROUP_INDEX = {"n": 0, "d": 0, "w": 0, "u": 0, "t": 1, "c": 2}  # key kind -> index in GROUPS


@dataclass(frozen=True)
class Link:
    """A German document and its English twin."""

    de: str
    en: str
    score: float
    stated: bool = False  # the source said so (JSONL `twin`)


class Signals(NamedTuple):
    """What linking needs to know about one document; small and picklable."""

    lang: str
    length: int  # characters of title + body, whitespace collapsed
    date: str | None  # publication date, YYYY[-MM[-DD]]
    keys: tuple[str, ...]  # kind letter, colon, value; in order of first occurrence
    where: bytes  # where each key first occurs, 0..255 along the text


# ---------------------------------------------------------------- numbers and dates

FRACTIONS = {"½": 0.5, "¼": 0.25, "¾": 0.75, "⅓": 1 / 3, "⅔": 2 / 3}
NUMBER = re.compile(r"(?<![\w.,])(\d+(?:[.,'’]\d+)*)([½¼¾⅓⅔])?|([½¼¾⅓⅔])")
SCALES = {
    "en": {"thousand": 1e3, "million": 1e6, "millions": 1e6, "m": 1e6, "mn": 1e6, "billion": 1e9,
           "billions": 1e9, "bn": 1e9, "b": 1e9, "trillion": 1e12, "trillions": 1e12, "tn": 1e12},
    "de": {"tausend": 1e3, "million": 1e6, "millionen": 1e6, "mio": 1e6, "milliarde": 1e9,
           "milliarden": 1e9, "mrd": 1e9, "billion": 1e12, "billionen": 1e12, "bio": 1e12},
}
SCALE_AFTER = re.compile(r"(\s?)([^\W\d_]+)")
NUMBER_WORDS = {
    "en": "two three four five six seven eight nine ten eleven twelve",
    "de": "zwei drei vier fünf sechs sieben acht neun zehn elf zwölf",
}
NUMBER_WORD = {lang: {w: i for i, w in enumerate(words.split(), 2)} for lang, words in NUMBER_WORDS.items()}
# The patterns of number words, months and weekdays run on lowercased text: three times faster than re.I.
NUMBER_WORD_RE = {lang: re.compile(r"\b(" + "|".join(words) + r")\b") for lang, words in NUMBER_WORD.items()}
MONTHS = {
    "en": "january february march april may june july august september october november december",
    "de": "januar februar märz april mai juni juli august september oktober november dezember",
}
MONTH = {lang: {m: i for i, m in enumerate(names.split(), 1)} for lang, names in MONTHS.items()}
MONTH["de"] |= {"jänner": 1, "maerz": 3}
MONTH["en"] |= {m[:3]: i for m, i in MONTH["en"].items()} | {"sept": 9}
WEEKDAYS = {
    "en": "monday tuesday wednesday thursday friday saturday sunday",
    "de": "montag dienstag mittwoch donnerstag freitag samstag sonntag",
}
WEEKDAY = {lang: {d: i for i, d in enumerate(names.split(), 1)} for lang, names in WEEKDAYS.items()}
WEEKDAY["de"]["sonnabend"] = 6
WEEKDAY_RE = {lang: re.compile(r"\b(?:" + "|".join(days) + r")\b") for lang, days in WEEKDAY.items()}


def _months(lang: str) -> str:
    return "(?:" + "|".join(sorted(MONTH[lang], key=len, reverse=True)) + ")"


DATE = {
    "en": re.compile(rf"\b(?P<month>{_months('en')})\.?\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\b"
                     rf"(?:,?\s+(?P<year>\d{{4}})\b)?|"
                     rf"\b(?P<day2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<month2>{_months('en')})\b\.?"
                     rf"(?:,?\s+(?P<year2>\d{{4}})\b)?"),
    "de": re.compile(rf"\b(?P<day>\d{{1,2}})\.\s*(?P<month>{_months('de')})\b(?:\s+(?P<year>\d{{4}})\b)?|"
                     rf"\b(?P<day2>\d{{1,2}})\.(?P<month2>\d{{1,2}})\.(?P<year2>\d{{4}})\b"),
}
MONTH_YEAR = {lang: re.compile(rf"\b({_months(lang)})\s+(\d{{4}})\b") for lang in MONTH}
ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")


def _put(keys: dict[str, int], key: str, pos: int) -> None:
    keys.setdefault(key, pos)


def number_keys(text: str, lang: str) -> dict[str, int]:
    """Every number as its value (`n:100000`), whatever the language's separators and scale words."""
    keys: dict[str, int] = {}
    text = text.lower()
    for m in NUMBER.finditer(text):
        if m.group(3):
            _put(keys, _number_key(FRACTIONS[m.group(3)]), m.start())
            continue
        fraction = FRACTIONS[m.group(2)] if m.group(2) else 0.0
        factor = _scale(text, m.end(), lang)
        for value in _parse_number(m.group(1)):
            _put(keys, _number_key((value + fraction) * factor), m.start())
    words = NUMBER_WORD.get(lang, NUMBER_WORD["en"])
    for m in NUMBER_WORD_RE.get(lang, NUMBER_WORD_RE["en"]).finditer(text):
        _put(keys, _number_key(words[m.group(1)] * _scale(text, m.end(), lang)), m.start())
    return keys


def _scale(text: str, end: int, lang: str) -> float:
    """`million` after a number multiplies it; a one-letter `m` or `b` only when written on (`5m`).
    `text` is lowercased."""
    m = SCALE_AFTER.match(text, end)
    if not m or (m.group(1) and len(m.group(2)) == 1):
        return 1.0
    return SCALES.get(lang, SCALES["en"]).get(m.group(2), 1.0)


def _parse_number(raw: str) -> list[float]:
    """`100.000` and `100,000` are 100000, `1,5` and `1.5` are 1.5, whatever the language.

    One separator before exactly three digits is read both ways (`1.000` is 1000 in German, 1 in
    English), so a translator who keeps the source's notation still yields the same key.
    """
    seps = [ch for ch in raw if not ch.isdigit()]
    groups = re.split(r"[.,'’]", raw)
    if not seps:
        return [float(raw)]
    if len(seps) == 1 and seps[0] in ".,":
        decimal = float(f"{groups[0]}.{groups[1]}")
        return [float("".join(groups)), decimal] if len(groups[1]) == 3 else [decimal]
    if len(set(seps)) == 2 and _grouped(groups[:-1]):  # 1.234,5 or 1,234.5: the last one is decimal
        return [float("".join(groups[:-1]) + "." + groups[-1])]
    if len(set(seps)) == 1 and _grouped(groups):  # 1.000.000, 1,000,000, 1'000
        return [float("".join(groups))]
    return [float(g) for g in groups]


def _grouped(groups: list[str]) -> bool:
    return bool(groups) and 1 <= len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:])


def _number_key(value: float) -> str:
    return f"n:{int(value)}" if value == int(value) and abs(value) < 1e15 else f"n:{value:.6g}"


def date_keys(text: str, lang: str) -> dict[str, int]:
    """Dates as `d:YYYY-MM-DD`, `d:MM-DD` and `d:YYYY-MM`; weekdays as `w:1`..`w:7`."""
    keys: dict[str, int] = {}
    text = text.lower()
    for m in ISO_DATE.finditer(text):
        _put(keys, "d:" + m.group(0), m.start())
        _put(keys, f"d:{m.group(2)}-{m.group(3)}", m.start())
    months = MONTH.get(lang, MONTH["en"])
    for m in DATE.get(lang, DATE["en"]).finditer(text):
        name = m.group("month") or m.group("month2")
        month = int(name) if name.isdigit() else months.get(name, 0)
        day = int(m.group("day") or m.group("day2"))
        year = m.group("year") or m.group("year2")
        if 1 <= month <= 12 and 1 <= day <= 31:
            _put(keys, f"d:{month:02d}-{day:02d}", m.start())
            if year:
                _put(keys, f"d:{year}-{month:02d}-{day:02d}", m.start())
    for m in MONTH_YEAR.get(lang, MONTH_YEAR["en"]).finditer(text):
        month = months.get(m.group(1))
        if month:
            _put(keys, f"d:{m.group(2)}-{month:02d}", m.start())
    weekdays = WEEKDAY.get(lang, WEEKDAY["en"])
    for m in WEEKDAY_RE.get(lang, WEEKDAY_RE["en"]).finditer(text):
        _put(keys, f"w:{weekdays[m.group(0)]}", m.start())
    return keys


# ---------------------------------------------------------------- words and links

WORD = re.compile(r"[^\W\d_]+")
ALNUM_NAME = re.compile(r"\b(?=[^\W_]*\d)(?=[^\W_]*[^\W\d_])[^\W_]{2,}\b")
URL = re.compile(r"\b(?:https?://|www\.)[^\s<>\"'“”„]+|\b[\w.-]+\.(?:com|org|net|de|at|ch|eu|uk|io|gov)"
                 r"(?:/[^\s<>\"'“”„]*)?\b", re.I)
LINK_HINT = re.compile(r"://|www\.|@|\.(?:com|org|net|de|at|ch|eu|uk|io|gov)\b", re.I)  # cheap pre-check
EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
STOP = frozenset(stoplists["en"]) | frozenset(stoplists["de"])
SENTENCE_START = re.compile(r"(?:^|[.!?:;…]|\n)[\s\"'“”„‘’«»()\[\]*•–—-]*$")
FOLD = str.maketrans({"ß": "ss", "æ": "ae", "ø": "o", "œ": "oe", "ł": "l", "đ": "d", "ı": "i"})
# German and English spellings of one sound, mapped to one letter; vowels are dropped after the first.
COGNATE_SUBS = (("sch", "s"), ("sh", "s"), ("sc", "s"), ("ph", "f"), ("th", "t"), ("ck", "c"), ("k", "c"),
                ("z", "c"), ("qu", "cv"), ("w", "v"), ("y", "i"))
VOWELS = re.compile(r"(?<!^)[aeiou]+")
DOUBLES = re.compile(r"(.)\1+")
COGNATE_LEN = 4  # consonants kept: enough to tell words apart, few enough to survive inflection
MIN_COGNATE_WORD = 4


def fold(word: str) -> str:
    """Lowercase ASCII-ish spelling: `Zürich` and `Zurich` meet, `Straße` is `strasse`."""
    word = unicodedata.normalize("NFKD", word.lower().translate(FOLD))
    return "".join(ch for ch in word if not unicodedata.combining(ch))


def cognate(word: str) -> str:
    """A spelling skeleton that German and English cognates share: `technologie`, `technology` -> `tchn`."""
    for a, b in COGNATE_SUBS:
        word = word.replace(a, b)
    return DOUBLES.sub(r"\1", VOWELS.sub("", word))[:COGNATE_LEN]


@lru_cache(maxsize=1 << 18)
def _word(raw: str) -> tuple[str, str] | None:
    """(folded word, cognate skeleton or ""), or None for a word that is no key; cached, words recur."""
    if len(raw) < 3 and not (len(raw) == 2 and raw.isupper()):
        return None
    word = fold(raw)
    if word in STOP:
        return None
    skeleton = cognate(word) if len(word) >= MIN_COGNATE_WORD else ""
    return sys.intern(word), sys.intern(skeleton) if len(skeleton) >= 3 else ""


def word_keys(text: str) -> dict[str, int]:
    """Names (`t:`): capitalized inside a sentence, or all capitals; cognate skeletons (`c:`)."""
    keys: dict[str, int] = {}
    for m in WORD.finditer(text):
        raw = m.group(0)
        known = _word(raw)
        if known is None:
            continue
        word, skeleton = known
        if raw[0].isupper() and "t:" + word not in keys and (
                raw.isupper() or not SENTENCE_START.search(text, max(0, m.start() - 4), m.start())):
            keys["t:" + word] = m.start()
        if skeleton:
            _put(keys, "c:" + skeleton, m.start())
    for m in ALNUM_NAME.finditer(text):
        _put(keys, "t:" + fold(m.group(0)), m.start())
    return keys


def link_keys(text: str) -> dict[str, int]:
    """URLs without scheme and `www.`, e-mail addresses; lowercase."""
    keys: dict[str, int] = {}
    if not LINK_HINT.search(text):
        return keys
    for m in URL.finditer(text):
        url = re.sub(r"^(?:https?://)?(?:www\.)?", "", m.group(0).lower()).rstrip("/.,;:!?)]")
        _put(keys, "u:" + url, m.start())
    for m in EMAIL.finditer(text):
        _put(keys, "u:" + m.group(0).lower(), m.start())
    return keys


def signals(doc: Document) -> Signals:
    """The features of one document that survive translation; see the module docstring."""
    text = f"{doc.title or ''}\n{doc.body}"
    lang = doc.lang or detect(text)[0]
    found = link_keys(text) | number_keys(text, lang) | date_keys(text, lang) | word_keys(text)
    order = sorted(found, key=found.__getitem__)
    scale = 255 / max(1, len(text) - 1)
    return Signals(lang, len(" ".join(text.split())), doc.date, tuple(sys.intern(k) for k in order),
                   bytes(min(255, int(found[k] * scale)) for k in order))


# ---------------------------------------------------------------- scoring


class _Archive:
    """The German and English documents of an archive, with key statistics and candidate pairs."""

    def __init__(self, sigs: Mapping[str, Signals], exclude: Iterable[str] = ()) -> None:
        skip = set(exclude)
        self.ids = sorted(i for i, s in sigs.items() if s.lang in SIDES and i not in skip)
        self.sigs = [sigs[i] for i in self.ids]
        self.df: Counter[str] = Counter()
        self.df_en: Counter[str] = Counter()
        for s in self.sigs:
            self.df.update(s.keys)
            if s.lang == "en":
                self.df_en.update(s.keys)
        n = len(self.sigs) + IDF_PRIOR_DOCS
        self.idf = [math.log(n / (df + 1)) / math.log(n) for df in range(len(self.sigs) + 1)]
        self.mass: list[tuple[float, float, float]] = []  # summed key weight per group
        self.probes: list[list[str]] = []
        for s in self.sigs:
            self._scan(s)
        self.size = [math.sqrt(sum(m) + SMOOTHING) for m in self.mass]

    def weight(self, key: str) -> float:
        """Rarity of a key in the archive, 0..1 (idf over all German and English documents)."""
        return self.idf[self.df[key]]

    def _scan(self, s: Signals) -> None:
        """A document's key weight per group, and its probes: its rarest keys found in both languages.

        Rarity for probing is the larger of the two languages' counts: a key common on one side and
        rare on the other is a chance collision (a German skeleton that happens to be a rare English
        one), not a shared name.
        """
        mass = [0.0, 0.0, 0.0]
        usable = []
        for k in s.keys:
            df = self.df[k]
            mass[GROUP_INDEX[k[0]]] += self.idf[df]
            en = self.df_en.get(k, 0)
            if 0 < en < df and max(en, df - en) <= MAX_KEY_DF:
                usable.append((max(en, df - en), en if s.lang == "de" else df - en, k))
        self.mass.append((mass[0], mass[1], mass[2]))
        probes, budget = [], PROBE_BUDGET
        for _, postings, k in heapq.nsmallest(PROBE_KEYS, usable):
            budget -= postings
            if budget < 0 and probes:
                break
            probes.append(k)
        self.probes.append(probes)

    def candidates(self) -> set[tuple[int, int]]:
        """(German, English) index pairs worth scoring: for each document, the partners with the
        highest share of its probes, by a cosine-like ratio so that long documents do not win."""
        postings = self._postings()
        pairs = set()
        size = self.size
        for i, s in enumerate(self.sigs):
            found: defaultdict[int, float] = defaultdict(float)
            other = postings["en" if s.lang == "de" else "de"]
            for k in self.probes[i]:
                w = self.weight(k)
                for j in other[k]:
                    found[j] += w
            best = heapq.nlargest(CANDIDATES, found.items(), key=lambda item: item[1] / size[item[0]])
            pairs.update((i, j) if s.lang == "de" else (j, i) for j, _ in best)
        return pairs

    def _postings(self) -> dict[str, dict[str, list[int]]]:
        """For each language, the documents holding each key that the other language probes."""
        wanted: dict[str, set[str]] = {lang: set() for lang in SIDES}
        for s, keys in zip(self.sigs, self.probes, strict=True):
            wanted["en" if s.lang == "de" else "de"].update(keys)
        postings: dict[str, dict[str, list[int]]] = {lang: defaultdict(list) for lang in SIDES}
        for i, s in enumerate(self.sigs):
            for k in wanted[s.lang].intersection(s.keys):
                postings[s.lang][k].append(i)
        return postings


def _features(arc: _Archive, i: int, j: int) -> dict[str, float]:
    """The pair features of the model (see the module docstring)."""
    a, b = arc.sigs[i], arc.sigs[j]
    where_a = dict(zip(a.keys, a.where, strict=True))
    idf, df = arc.idf, arc.df
    got = [0.0, 0.0, 0.0]
    spread = 0.0
    for k, place in zip(b.keys, b.where, strict=True):
        other = where_a.get(k)
        if other is not None:
            w = idf[df[k]]
            got[GROUP_INDEX[k[0]]] += w
            spread += w * abs(other - place)
    ma, mb = arc.mass[i], arc.mass[j]
    cos = [got[g] / (math.sqrt(ma[g] * mb[g]) + SMOOTHING) for g in range(3)]
    missing = ma[0] + mb[0] - 2 * got[0]
    return {
        "facts": cos[0],
        "facts_missing": missing / (missing + 2 * got[0] + SMOOTHING),
        "names": cos[1],
        "cognates": cos[2],
        "positions": (spread / 255 + POSITION_PRIOR / 3) / (sum(got) + POSITION_PRIOR),
        "length": (math.log(max(a.length, 1) / max(b.length, 1)) - LENGTH_RATIO) ** 2,
    }


def _shared_keys(arc: _Archive, i: int, j: int) -> dict[str, list[str]]:
    """The keys two documents share, per group, rarest first: what `explain` shows."""
    shared: dict[str, list[str]] = {group: [] for group in GROUPS}
    common = set(arc.sigs[i].keys).intersection(arc.sigs[j].keys)
    for key in sorted(common, key=lambda k: (arc.df[k], k)):
        shared[GROUPS[GROUP_INDEX[key[0]]]].append(key)
    return shared


def _contributions(features: dict[str, float], a: Signals, b: Signals) -> dict[str, float]:
    """Each signal's part of the logit; their sum plus the intercept is the score's logit."""
    parts = {name: WEIGHTS[name] * value for name, value in features.items()}
    parts["date"] = -_date_penalty(a.date, b.date)
    return parts


def _score(logit: float) -> float:
    return 1 / (1 + math.exp(-max(-50.0, min(50.0, logit))))


def _date_penalty(a: str | None, b: str | None) -> float:
    """Publication dates more than DATE_SLACK_DAYS apart make a translation less likely."""
    gap = _days_apart(a, b)
    if gap is None:
        return 0.0
    return DATE_PENALTY * min(1.0, max(0, gap - DATE_SLACK_DAYS) / 365)


def _days_apart(a: str | None, b: str | None) -> int | None:
    """Days between two partial dates, 0 when the periods overlap (`2019-07` and `2019-07-09`)."""
    ra, rb = _period(a), _period(b)
    if ra is None or rb is None:
        return None
    return max(0, max(ra[0], rb[0]) - min(ra[1], rb[1]))


@lru_cache(maxsize=1 << 14)
def _period(value: str | None) -> tuple[int, int] | None:
    """First and last day (ordinals) of `YYYY`, `YYYY-MM` or `YYYY-MM-DD`."""
    if not value:
        return None
    try:
        parts = [int(p) for p in value.split("-")[:3]]
        if len(parts) == 3:
            day = date(*parts).toordinal()
            return day, day
        if len(parts) == 2:
            first = date(parts[0], parts[1], 1)
            following = date(parts[0] + parts[1] // 12, parts[1] % 12 + 1, 1)
            return first.toordinal(), following.toordinal() - 1
        return date(parts[0], 1, 1).toordinal(), date(parts[0], 12, 31).toordinal()
    except ValueError:
        return None


@dataclass(frozen=True)
class _Pair:
    score: float
    de: int
    en: int


def _scored_pairs(arc: _Archive) -> list[_Pair]:
    """Every candidate pair with its score, best first (ties broken by ids, for stable output)."""
    pairs = []
    for i, j in arc.candidates():
        features = _features(arc, i, j)
        logit = INTERCEPT + sum(_contributions(features, arc.sigs[i], arc.sigs[j]).values())
        pairs.append(_Pair(_score(logit), i, j))
    pairs.sort(key=lambda p: (-p.score, arc.ids[p.de], arc.ids[p.en]))
    return pairs


def _match(pairs: list[_Pair], min_score: float) -> dict[int, _Pair]:
    """Greedy stable matching: best pairs first, each document linked at most once."""
    linked: dict[int, _Pair] = {}
    for p in pairs:
        if p.score < min_score:
            break
        if p.de not in linked and p.en not in linked:
            linked[p.de] = linked[p.en] = p
    return linked


def _stated_links(sigs: Mapping[str, Signals], stated: Mapping[str, str]) -> tuple[list[Link], set[str]]:
    """Links the sources stated, and every document they settle (also one whose twin is missing)."""
    links, settled = [], set()
    for doc, twin in sorted(stated.items()):
        if doc in settled or twin in settled or doc == twin:
            continue
        settled.add(doc)
        if twin not in sigs or doc not in sigs:
            continue
        settled.add(twin)
        de, en = (twin, doc) if sigs[doc].lang == "en" or sigs[twin].lang == "de" else (doc, twin)
        links.append(Link(de, en, 1.0, stated=True))
    return links, settled


def link(sigs: Mapping[str, Signals], stated: Mapping[str, str] | None = None,
         min_score: float = DEFAULT_MIN_SCORE) -> list[Link]:
    """Twin links of an archive: stated ones first, then the best mutual computed pairs; by de id."""
    links, settled = _stated_links(sigs, stated or {})
    arc = _Archive(sigs, exclude=settled)
    matched = set(_match(_scored_pairs(arc), min_score).values())
    links += [Link(arc.ids[p.de], arc.ids[p.en], round(p.score, 4)) for p in matched]
    return sorted(links, key=lambda x: (x.de, x.en))


def explain(doc_id: str, sigs: Mapping[str, Signals], stated: Mapping[str, str] | None = None,
            min_score: float = DEFAULT_MIN_SCORE, top: int = 5) -> dict:
    """Why a document was or was not linked: its link and its best candidates, signal by signal."""
    result: dict = {"id": doc_id, "min_score": min_score, "link": None, "candidates": []}
    if doc_id not in sigs:
        return result | {"verdict": "not in the archive"}
    result["lang"] = sigs[doc_id].lang
    links, settled = _stated_links(sigs, stated or {})
    own = next((x for x in links if doc_id in (x.de, x.en)), None)
    if doc_id in settled:
        verdict = "stated by the source" if own else "the source names a twin that is not in the archive"
        return result | {"link": asdict(own) if own else None, "verdict": verdict}
    if result["lang"] not in SIDES:
        return result | {"verdict": "neither German nor English: not linked"}
    arc = _Archive(sigs, exclude=settled)
    pairs = _scored_pairs(arc)
    matched = _match(pairs, min_score)
    me = arc.ids.index(doc_id)
    mine = [p for p in pairs if me in (p.de, p.en)][:top]
    result["candidates"] = [_candidate(arc, p, me, matched) for p in mine]
    if me in matched:
        p = matched[me]
        result["link"] = asdict(Link(arc.ids[p.de], arc.ids[p.en], round(p.score, 4)))
    return result | {"verdict": _verdict(me, mine, matched, min_score)}


def _candidate(arc: _Archive, p: _Pair, me: int, matched: dict[int, _Pair]) -> dict:
    other = p.en if p.de == me else p.de
    a, b = arc.sigs[p.de], arc.sigs[p.en]
    features, shared = _features(arc, p.de, p.en), _shared_keys(arc, p.de, p.en)
    parts = _contributions(features, a, b)
    partner = matched.get(other)
    return {
        "id": arc.ids[other],
        "score": round(p.score, 4),
        "logit": round(INTERCEPT + sum(parts.values()), 3),
        "signals": {name: {"value": round(value, 4), "logit": round(parts[name], 3)}
                    for name, value in features.items()}
        | {"date": {"days_apart": _days_apart(a.date, b.date), "logit": round(parts["date"], 3)}},
        "shared": {g: keys[:12] for g, keys in shared.items()},
        "linked_to": None if partner is None else arc.ids[partner.de if partner.en == other else partner.en],
    }


def _verdict(me: int, mine: list[_Pair], matched: dict[int, _Pair], min_score: float) -> str:
    if me in matched:
        return "linked: the best remaining pair for both documents"
    if not mine:
        return "no candidate: shares no rare name, number or word with a document of the other language"
    if mine[0].score < min_score:
        return f"not linked: the best candidate scores {mine[0].score:.3f}, below min_score {min_score}"
    return "not linked: every candidate above min_score is linked to a document it fits better"
