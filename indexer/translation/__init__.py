"""Query translation: which language a query is in, and what its words are in the other language.

Two sources, merged per word: the bilingual dictionary (`dictionary`, when installed) and the
lexicon learned from the archive's twins (`learned`). Translations are index terms with weights
(the best one 1.0), meant to be searched as one synonym group per query word (`synonyms`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .. import lang, tuning
from ..analysis import normalize_words
from ..lang import compounds
from . import dictionary, learned
from .dictionary import Dictionary
from .learned import Learned

MAX_TERMS = 5  # translations per word; the synonym group keeps extra ones from counting double
MAX_PHRASES = 2  # and translations of several words (`prime minister`), beside them
MIN_SHARE = 0.5  # a dictionary translation named less than half as often as the best one is left out
LEARNED_WEIGHT = 0.8  # a learned translation at full Dice counts this much
QUERY_WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")


@dataclass
class Translator:
    """The translations of query words, from the dictionary (None: not installed) and the learned lexicon."""

    dictionary: Dictionary | None
    learned: Learned

    def translate(self, lang: str, word: str) -> dict[str, float]:
        """Target-language term -> weight for the `lang` word `word`; {} when none is known."""
        term = normalize_words(lang, [word])[0]
        if not term:
            return {}
        found = self._weighed(self.dictionary.translations(lang, word, term)) if self.dictionary is not None else {}
        for target, dice in self.learned.translations(lang, term):
            found[target] = max(found.get(target, 0.0), round(LEARNED_WEIGHT * dice, 3))
        return _best(found)

    def phrase(self, lang: str, words: list[str]) -> dict[str, float]:
        """Target term(s) -> weight for a run of `lang` words that the dictionary lists as one entry
        (`stock exchange` -> `bors`); {} when it does not."""
        normalized = normalize_words(lang, words)
        if self.dictionary is None or not normalized[0] or not normalized[-1]:  # `stock exchange to`: no
            return {}
        terms = " ".join(t for t in normalized if t)
        return _best(self._weighed(self.dictionary.phrase_translations(lang, terms)))

    @staticmethod
    def _weighed(candidates: tuple[tuple[str, int], ...]) -> dict[str, float]:
        """Each dictionary translation's share of the best one-word one (phrases do not crowd words out),
        those named less than `MIN_SHARE` as often left out."""
        if not tuning.current().phrase_translations:
            candidates = tuple(c for c in candidates if " " not in c[0])
        if not candidates:
            return {}
        top = next((count for target, count in candidates if " " not in target), candidates[0][1])
        return {target: min(1.0, round(count / top, 3)) for target, count in candidates if count >= MIN_SHARE * top}

    def knows(self, lang: str, word: str) -> bool:
        term = normalize_words(lang, [word])[0]
        return bool(term) and bool((self.dictionary and self.dictionary.translations(lang, word, term))
                                   or self.learned.translations(lang, term))

    def lists(self, lang: str, word: str) -> bool:
        """Whether the dictionary has an entry for `word` itself, not only for a word with the same stem."""
        return self.dictionary is not None and self.dictionary.lists(lang, word)

    def word(self, lang: str, term: str) -> str:
        """A readable word for a term, for explanations."""
        return self.dictionary.word(lang, term) if self.dictionary else term


def _best(found: dict[str, float]) -> dict[str, float]:
    """The `MAX_TERMS` best one-word translations and the `MAX_PHRASES` best of several words."""
    ranked = sorted(found.items(), key=lambda x: -x[1])
    words, phrases = [t for t in ranked if " " not in t[0]], [t for t in ranked if " " in t[0]]
    return dict(words[:MAX_TERMS] + phrases[:MAX_PHRASES])


def guess_language(words: list[str], translator: Translator | None) -> str | None:
    """`de`, `en`, or None when the words do not tell: stop words first, then known vocabulary."""
    lowered = [w.lower() for w in words]
    votes = {code: sum(w in lang.get(code).search_stop_words for w in lowered) for code in ("de", "en")}
    if votes["de"] == votes["en"] and translator is not None:
        votes = {code: sum(translator.knows(code, w) for w in lowered) for code in ("de", "en")}
    if votes["de"] == votes["en"]:
        return None
    return "de" if votes["de"] > votes["en"] else "en"


def names(words: list[str], lang: str | None, translator: Translator | None = None) -> frozenset[str]:
    """Words to leave untranslated: acronyms, and in English a capitalized word that the dictionary lists
    under no entry of its own (`Tesla`; `Adam`: only its stem is known, from `adamant`). A capitalized
    word it lists is translated too (`Summer Theatre` -> `Sommer`, `Theater`; headlines capitalize every
    word), beside the word as typed, which a name in the other language's text still matches. In German,
    where every noun is capitalized, only acronyms (the dictionary decides)."""
    found = {w for w in words if len(w) > 1 and w.isupper()}
    if lang == "en":
        listed = (lambda w: translator.lists(lang, w)) if translator is not None else (lambda w: False)
        if not tuning.current().capitalized_translated:  # as before: only a listed first word is translated
            found |= {w for w in words[1:] if w[:1].isupper()}
            found |= {w for w in words[:1] if w[:1].isupper() and not listed(w)}
        else:
            found |= {w for w in words if w[:1].isupper() and not listed(w)}
    return frozenset(found)


def query_words(text: str) -> list[str]:
    return QUERY_WORD.findall(text)


def state(gen: Path | None) -> dict:
    """What query translation and compound splitting have to work with, for `stats`."""
    found = dictionary.load()
    lexicon = learned.load(gen) if gen is not None else Learned()
    return {
        "dictionary": found.path if found else None,
        "dictionary_entries": found.entries if found else 0,
        "dictionary_package": dictionary.DEBIAN_PACKAGE,
        "learned_translations": lexicon.entries,
        "learned_from_pairs": lexicon.pairs,
        "compound_lexicon": compounds.available(),
    }
