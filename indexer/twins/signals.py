"""Twin signals: what of a release survives its translation, for finding its twin from content alone.

**Signals.** A translation changes the words but keeps much else. :func:`signals` reduces a document
to the keys that survive translation, each with the place (0-255 along the text) where it first
occurs:

* facts: numbers by value whatever the notation (`100.000` = `100,000`, `1,5 Mio.` = `1.5 million`,
  `6½`, `sechs` = `six`), dates (`22. Juni 2019` = `June 22, 2019`), weekdays, URLs, e-mail addresses;
* names: capitalized tokens inside a sentence, acronyms and alphanumeric names (`Cass`, `Jiaozi`,
  `PRNewswire`, `A380`), folded to lowercase ASCII;
* cognates: a spelling skeleton of every word (`Technologie` and `technology` both give `tchn`,
  `Schottland` and `Scotland` `stln`).

Every document's signals are kept in a `table.SignalTable`; how an archive's documents are linked
from them (candidates, score, matching): `linker`.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from typing import NamedTuple

from .. import lang
from ..lang.detect import detect
from ..model import Document

SIDES = lang.PAIR

GROUPS = ("facts", "names", "cognates")
GROUP_INDEX = {"n": 0, "d": 0, "w": 0, "u": 0, "t": 1, "c": 2}  # key kind -> index in GROUPS


class Signals(NamedTuple):
    """What linking needs to know about one document; small and picklable."""

    lang: str
    length: int  # characters of title + body, whitespace collapsed
    date: str | None  # publication date, YYYY[-MM[-DD]]
    keys: tuple[str, ...]  # kind letter, colon, value; in order of first occurrence
    where: bytes  # where each key first occurs, 0..255 along the text


# ---------------------------------------------------------------- numbers and dates

def _starting(first: str, pattern: str) -> re.Pattern:
    """`pattern`, led by a lookahead of the characters (a class's contents) any match of it begins with: the
    regex engine then skips to those in C instead of trying the whole pattern at every position (numbers and
    dates about twice as fast). The matches are the same, as long as `first` holds every such character."""
    return re.compile(f"(?=[{first}])(?:{pattern})")


def _initials(words: Iterable[str]) -> str:
    return "".join(sorted({re.escape(word[0]) for word in words}))


FRACTIONS = {"½": 0.5, "¼": 0.25, "¾": 0.75, "⅓": 1 / 3, "⅔": 2 / 3}
NUMBER = _starting(r"\d½¼¾⅓⅔", r"(?<![\w.,])(\d+(?:[.,'’]\d+)*)([½¼¾⅓⅔])?|([½¼¾⅓⅔])")
_LANGUAGES = [language for language in lang.languages() if language.months]  # those with dates and numbers
SCALES = {language.code: dict(language.scales) for language in _LANGUAGES}
SCALE_AFTER = re.compile(r"(\s?)([^\W\d_]+)")
NUMBER_WORD = {language.code: dict(language.number_words) for language in _LANGUAGES}
# The patterns of number words, months and weekdays run on lowercased text: three times faster than re.I.
NUMBER_WORD_RE = {lang: _starting(_initials(words), r"\b(" + "|".join(words) + r")\b")
                  for lang, words in NUMBER_WORD.items()}
MONTH = {language.code: dict(language.months) for language in _LANGUAGES}
WEEKDAY = {language.code: dict(language.weekdays) for language in _LANGUAGES}
WEEKDAY_RE = {lang: _starting(_initials(days), r"\b(?:" + "|".join(days) + r")\b") for lang, days in WEEKDAY.items()}
FALLBACK = "en"  # whose words a document of another language is read with (names and numbers survive)


def _months(lang: str) -> str:
    return "(?:" + "|".join(sorted(MONTH[lang], key=len, reverse=True)) + ")"


DATE = {
    "en": _starting(r"\d" + _initials(MONTH["en"]),
                    rf"\b(?P<month>{_months('en')})\.?\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\b"
                    rf"(?:,?\s+(?P<year>\d{{4}})\b)?|"
                    rf"\b(?P<day2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<month2>{_months('en')})\b\.?"
                    rf"(?:,?\s+(?P<year2>\d{{4}})\b)?"),
    "de": _starting(r"\d", rf"\b(?P<day>\d{{1,2}})\.\s*(?P<month>{_months('de')})\b(?:\s+(?P<year>\d{{4}})\b)?|"
                    rf"\b(?P<day2>\d{{1,2}})\.(?P<month2>\d{{1,2}})\.(?P<year2>\d{{4}})\b"),
}
MONTH_YEAR = {lang: _starting(_initials(MONTH[lang]), rf"\b({_months(lang)})\s+(\d{{4}})\b") for lang in MONTH}
ISO_DATE = _starting(r"\d", r"\b(\d{4})-(\d{2})-(\d{2})\b")


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
    words = NUMBER_WORD.get(lang, NUMBER_WORD[FALLBACK])
    for m in NUMBER_WORD_RE.get(lang, NUMBER_WORD_RE[FALLBACK]).finditer(text):
        _put(keys, _number_key(words[m.group(1)] * _scale(text, m.end(), lang)), m.start())
    return keys


def _scale(text: str, end: int, lang: str) -> float:
    """`million` after a number multiplies it; a one-letter `m` or `b` only when written on (`5m`).
    `text` is lowercased."""
    m = SCALE_AFTER.match(text, end)
    if not m or (m.group(1) and len(m.group(2)) == 1):
        return 1.0
    return SCALES.get(lang, SCALES[FALLBACK]).get(m.group(2), 1.0)


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
    months = MONTH.get(lang, MONTH[FALLBACK])
    for m in DATE.get(lang, DATE[FALLBACK]).finditer(text):
        name = m.group("month") or m.group("month2")
        month = int(name) if name.isdigit() else months.get(name, 0)
        day = int(m.group("day") or m.group("day2"))
        year = m.group("year") or m.group("year2")
        if 1 <= month <= 12 and 1 <= day <= 31:
            _put(keys, f"d:{month:02d}-{day:02d}", m.start())
            if year:
                _put(keys, f"d:{year}-{month:02d}-{day:02d}", m.start())
    for m in MONTH_YEAR.get(lang, MONTH_YEAR[FALLBACK]).finditer(text):
        month = months.get(m.group(1))
        if month:
            _put(keys, f"d:{m.group(2)}-{month:02d}", m.start())
    weekdays = WEEKDAY.get(lang, WEEKDAY[FALLBACK])
    for m in WEEKDAY_RE.get(lang, WEEKDAY_RE[FALLBACK]).finditer(text):
        _put(keys, f"w:{weekdays[m.group(0)]}", m.start())
    return keys


# ---------------------------------------------------------------- words and links

SIGNAL_WORD = re.compile(r"[^\W\d_]+")
ALNUM_NAME = re.compile(r"\b(?=[^\W_]*\d)(?=[^\W_]*[^\W\d_])[^\W_]{2,}\b")
URL = re.compile(r"\b(?:https?://|www\.)[^\s<>\"'“”„]+|\b[\w.-]+\.(?:com|org|net|de|at|ch|eu|uk|io|gov)"
                 r"(?:/[^\s<>\"'“”„]*)?\b", re.I)
LINK_HINT = re.compile(r"://|www\.|@|\.(?:com|org|net|de|at|ch|eu|uk|io|gov)\b", re.I)  # cheap pre-check
EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
STOP = frozenset().union(*(lang.get(code).stop_words for code in lang.PAIR))
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
def _word(raw: str) -> tuple[str | None, str | None, bool] | None:
    """A word's keys, cached as words recur: (its name key if it is capitalized, its cognate key,
    whether it is all capitals), or None for a word that is no key."""
    if len(raw) < 3 and not (len(raw) == 2 and raw.isupper()):
        return None
    word = fold(raw)
    if word in STOP:
        return None
    skeleton = cognate(word) if len(word) >= MIN_COGNATE_WORD else ""
    return (sys.intern("t:" + word) if raw[0].isupper() else None,
            sys.intern("c:" + skeleton) if len(skeleton) >= 3 else None, raw.isupper())


def word_keys(text: str) -> dict[str, int]:
    """Names (`t:`): capitalized inside a sentence, or all capitals; cognate skeletons (`c:`)."""
    keys: dict[str, int] = {}
    for m in SIGNAL_WORD.finditer(text):
        known = _word(m.group(0))
        if known is None:
            continue
        name, skeleton, capitals = known
        start = m.start()
        if name is not None and name not in keys and (
                capitals or not SENTENCE_START.search(text, max(0, start - 4), start)):
            keys[name] = start
        if skeleton is not None:
            keys.setdefault(skeleton, start)
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
    return Signals(lang, len(" ".join(text.split())), doc.date, tuple(map(sys.intern, order)),
                   bytes([min(255, int(found[k] * scale)) for k in order]))
