"""The German-English dictionary (Ding, Debian's `trans-de-en`), read from where it is installed.

The dictionary is GPL and stays outside the repository: it is read at run time from
`$TWINSEARCH_DICTIONARY` (default `/usr/share/trans/de-en`). A Ding line aligns German and English
sub-entries (`de | de :: en | en`), each with `;`-separated synonyms; entries of up to
`MAX_PHRASE_WORDS` words are used. Translations are index terms, looked up by the query word as written
(`Fonds` is not `Fond`, `cooperation` is not `cooper`), else by its index term (`Währungen` -> `wahrung`):
`Zusammenarbeit; Kooperation :: co-operation; cooperation` gives the German terms `zusammenarbeit`
and `kooperation` for the English word `cooperation`, and back. A translation of several words is one
target of space-separated terms (`Premierminister` -> `prime minist`), which a query searches for as all
of its terms; only one-word entries are looked up.

Parsing takes a few seconds, so the term tables are cached per process and on disk (in
`$XDG_CACHE_HOME/twinsearch`, keyed by the file's path, size and modification time).
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import re
import threading
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from ..analysis import normalize_words
from ..config import dictionary_path

log = logging.getLogger(__name__)

DEBIAN_PACKAGE = "trans-de-en"
FORMAT = 7  # bump when the cached tables change shape (or the classes they hold move)
MAX_TRANSLATIONS = 8
MAIN_SENSE_WEIGHT = 2  # the first sub-entry of a line is its headword; the rest are phrases and forms
NOISE = re.compile(r"\{[^}]*\}|\[[^\]]*\]|\([^)]*\)|<[^>]*>|\s/[^/]+/")  # grammar, notes, /abbreviations/
ENTRY_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
EN_PREFIXES = ("to ", "a ", "an ", "the ")
MAX_PHRASE_WORDS = 3  # longer entries are explanations (`sb. who ...`), not translations


Table = dict[str, tuple[tuple[str, int], ...]]  # source word or term -> (target term, weight), best first


@dataclass
class Dictionary:
    """Translations into analyzed terms: `translations("en", "cooperation")` -> `(("zusammenarbeit", 4), ...)`."""

    path: str
    by_word: dict[str, Table] = field(default_factory=dict)  # "de"/"en" -> lowercase word -> translations
    by_term: dict[str, Table] = field(default_factory=dict)  # "de"/"en" -> index term -> translations
    words: dict[str, str] = field(default_factory=dict)  # "de:term"/"en:term" -> the word it mostly stands for
    by_phrase: dict[str, Table] = field(default_factory=dict)  # "de"/"en" -> `stock exchang` -> translations

    def translations(self, lang: str, word: str, term: str) -> tuple[tuple[str, int], ...]:
        return self.by_word[lang].get(word.lower()) or self.by_term[lang].get(term, ())

    def phrase_translations(self, lang: str, terms: str) -> tuple[tuple[str, int], ...]:
        """The translations of an entry of several words, by its index terms (`stock exchang` -> `bors`)."""
        return self.by_phrase[lang].get(terms, ())

    def lists(self, lang: str, word: str) -> bool:
        return word.lower() in self.by_word[lang]

    def word(self, lang: str, term: str) -> str:
        return self.words.get(f"{lang}:{term}", term)

    @property
    def entries(self) -> int:
        return len(self.by_word.get("de", {})) + len(self.by_word.get("en", {}))


_lock = threading.Lock()
_loaded: dict[tuple, Dictionary | None] = {}


def load(where: Path | None = None) -> Dictionary | None:
    """The dictionary at `where` (default: `config.dictionary_path()`), or None when it is not installed;
    read once per process."""
    where = Path(where or dictionary_path())
    try:
        st = where.stat()
    except OSError:
        key = (str(where),)
    else:
        key = (str(where), st.st_size, st.st_mtime_ns)
    with _lock:
        if key not in _loaded:
            _loaded[key] = _read_cached(where, key) if len(key) > 1 else _missing(where)
        return _loaded[key]


def _missing(where: Path) -> None:
    log.warning("no German-English dictionary at %s (Debian package %s): query translation uses only "
                "the lexicon learned from twins", where, DEBIAN_PACKAGE)


def _cache_file(key: tuple) -> Path:
    digest = hashlib.sha1(repr((FORMAT, *key)).encode()).hexdigest()[:16]
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "twinsearch" / f"dictionary-{digest}.pickle"


def _read_cached(where: Path, key: tuple) -> Dictionary:
    cache = _cache_file(key)
    try:
        with open(cache, "rb") as f:
            cached = pickle.load(f)
        if isinstance(cached, Dictionary):
            return cached
        log.info("the dictionary cache %s holds something else: parsing the dictionary again", cache)
    except FileNotFoundError:
        pass
    except Exception as e:
        log.info("the dictionary cache %s cannot be read (%s): parsing the dictionary again", cache,
                 type(e).__name__)
    dictionary = parse(where)
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(pickle.dumps(dictionary, protocol=pickle.HIGHEST_PROTOCOL))
        os.replace(tmp, cache)
    except OSError as e:
        log.info("could not cache the dictionary in %s: %s", cache, e)
    return dictionary


def parse(where: Path) -> Dictionary:
    """Reads a Ding file into term tables."""
    pairs: Counter[tuple[str, str]] = Counter()
    with open(where, encoding="utf-8", errors="replace") as f:
        for line in f:
            if line.startswith("#") or " :: " not in line:
                continue
            de_side, en_side = line.rstrip("\n").split(" :: ", 1)
            de_subs, en_subs = de_side.split(" | "), en_side.split(" | ")
            if len(de_subs) != len(en_subs):
                de_subs, en_subs = de_subs[:1], en_subs[:1]
            for i, (de_sub, en_sub) in enumerate(zip(de_subs, en_subs, strict=True)):
                weight = MAIN_SENSE_WEIGHT if i == 0 else 1
                for de_word in _words(de_sub, ()):
                    for en_word in _words(en_sub, EN_PREFIXES):
                        pairs[de_word, en_word] += weight
    return _tables(str(where), pairs)


def _words(sub_entry: str, prefixes: tuple[str, ...]) -> list[str]:
    """The synonyms of a sub-entry of up to `MAX_PHRASE_WORDS` words, without grammar notes:
    `Kooperation {f} [geh.]` -> `Kooperation`, `Prime Minister /PM/` -> `Prime Minister`."""
    words = []
    for synonym in NOISE.sub(" ", sub_entry).split(";"):
        synonym = " ".join(synonym.split())
        for prefix in prefixes:
            if synonym.startswith(prefix):
                synonym = synonym[len(prefix):]
        parts = synonym.split(" ")
        if len(parts) <= MAX_PHRASE_WORDS and all(ENTRY_WORD.fullmatch(part) for part in parts):
            words.append(synonym)
    return words


def _tables(where: str, pairs: Counter[tuple[str, str]]) -> Dictionary:
    words = {"de": sorted({de for de, _ in pairs}), "en": sorted({en for _, en in pairs})}
    terms = {lang: _terms(lang, ws) for lang, ws in words.items()}
    by_word: dict[str, dict[str, Counter[str]]] = {"de": defaultdict(Counter), "en": defaultdict(Counter)}
    by_term: dict[str, dict[str, Counter[str]]] = {"de": defaultdict(Counter), "en": defaultdict(Counter)}
    by_phrase: dict[str, dict[str, Counter[str]]] = {"de": defaultdict(Counter), "en": defaultdict(Counter)}
    spellings: Counter[tuple[str, str]] = Counter()
    for (de_word, en_word), weight in pairs.items():
        de_term, en_term = terms["de"][de_word], terms["en"][en_word]
        if not de_term or not en_term:
            continue
        if " " not in de_word:  # a query word looks up one word, and a run of query words an entry of several
            by_word["de"][de_word.lower()][en_term] += weight
            by_term["de"][de_term][en_term] += weight
        elif " " in de_term:
            by_phrase["de"][de_term][en_term] += weight
        if " " not in en_word:
            by_word["en"][en_word.lower()][de_term] += weight
            by_term["en"][en_term][de_term] += weight
        elif " " in en_term:
            by_phrase["en"][en_term][de_term] += weight
        spellings[f"de:{de_term}", de_word.lower()] += weight
        spellings[f"en:{en_term}", en_word.lower()] += weight
    display: dict[str, str] = {}
    for (key, word), _ in sorted(spellings.items(), key=lambda x: -x[1]):
        display.setdefault(key, word)
    return Dictionary(where, {lang: _ranked(t) for lang, t in by_word.items()},
                      {lang: _ranked(t) for lang, t in by_term.items()}, display,
                      {lang: _ranked(t) for lang, t in by_phrase.items()})


def _terms(lang: str, entries: list[str]) -> dict[str, str]:
    """Each entry's index terms, space-separated (`Prime Minister` -> `prime minist`); stop words dropped
    (`state of the art` -> `state art`), "" where none is left."""
    words = sorted({w for entry in entries for w in entry.split(" ")})
    term = dict(zip(words, normalize_words(lang, words), strict=True))
    return {entry: " ".join(t for w in entry.split(" ") if (t := term[w])) for entry in entries}


def _ranked(table: dict[str, Counter[str]]) -> Table:
    """The `MAX_TRANSLATIONS` most frequent one-word translations, then as many of several words."""
    return {key: tuple([c for c in counts.most_common() if " " not in c[0]][:MAX_TRANSLATIONS]
                       + [c for c in counts.most_common() if " " in c[0]][:MAX_TRANSLATIONS])
            for key, counts in table.items()}
