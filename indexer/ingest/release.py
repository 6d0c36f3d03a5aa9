"""Metadata from loose release text: date header, title, dateline, source lines, details block.

Press releases copied from wires and news sites carry their metadata in conventions rather than
fields: a dateline (`CHENGDU, China, July 9, 2019 /PRNewswire/ —`, `Chengdu, China
(ots/PRNewswire) - Am 22. Juni 2019 ...`), `Source:` or `Quelle:` lines, a `Details` table at the
end, and web boilerplate around the article. These are general rules for those conventions; none
of them knows a particular file.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from .. import lang


def _months(day_first: bool) -> dict[str, int]:
    """The month names of the registered languages that write dates day first (`22. Juni 2019`) or
    month first (`June 22, 2019`)."""
    names: dict[str, int] = {}
    for language in lang.languages():
        if language.day_first == day_first:
            names |= language.months
    return names


MONTHS_DAY_FIRST = _months(True)
MONTH_ABBR = {m[:3]: i for m, i in _months(False).items()}  # `Sept.`, `September`: the first three letters tell

MONTH_FIRST_DATE = (r"(?P<month>(?i:" + "|".join(sorted(MONTH_ABBR, key=len, reverse=True)) + r")[a-z]*\.?)"
                    r"\s+(?P<day>\d{1,2}),?\s+(?P<year>\d{4})")
DAY_FIRST_DATE = (r"(?P<dday>\d{1,2})\.\s*(?P<dmonth>(?i:" + "|".join(MONTHS_DAY_FIRST) + r"))\s+(?P<dyear>\d{4})")

_PLACE_WORD = r"[A-ZÄÖÜ][\w.'’-]*"
_PLACE = _PLACE_WORD + r"(?:\s(?:" + _PLACE_WORD + r"|am|an|der|de|la|upon|on))" + "{0,3}"
DATELINE = re.compile(
    r"^(?P<place>" + _PLACE + r"(?:,\s*" + _PLACE + r"){0,3}?)"
    r"(?:,\s+" + MONTH_FIRST_DATE + r")?"
    r"\s*(?:/(?P<s1>[^/\n]{2,60})/|\((?P<s2>[^)\n]{2,60})\))?"
    r"\s*[-–—]{1,2}\s+"
)
DAY_FIRST_LEAD = re.compile(r"^(?:Am\s+|Den\s+)?" + DAY_FIRST_DATE, re.I)
HEADER_DATE = re.compile(r"^\s*date\s+(\d{4}-\d{2}(?:-\d{2})?)\b[ \t]*", re.I)
SOURCE_LINE = re.compile(r"^(?:source|quelle|quellen)\s*:\s*(?P<source>.+?)"
                         r"(?:\s{2,}|\s+(?=(?:editor|redaktion|redakteur)\s*:))"
                         r"(?:(?:editor|redaktion|redakteur)\s*:\s*(?P<editor>.+))?$|"
                         r"^(?:source|quelle|quellen)\s*:\s*(?P<only>.+)$", re.I)
EDITOR_LINE = re.compile(r"^(?:editor|redaktion|redakteur(?:in)?|author|autor(?:in)?)\s*:\s*(?P<editor>.+)$", re.I)
PUBLISHER_LINE = re.compile(r"^(?:besuchen sie uns auf|visit us at|mehr auf|more at)\s*:?\s*(?P<site>\S+)\s*$", re.I)
# A comment form or share bar ends the article: nothing after it belongs to the release.
END_MARKERS = re.compile(
    r"^(?:leave a reply|leave a comment|your email address will not be published|"
    r"schreibe einen kommentar|kommentar (?:hinterlassen|verfassen)|"
    r"ihre e-mail-adresse wird nicht veröffentlicht|share this:?|related posts?:?)\b", re.I)
SECTION_LABEL = re.compile(r"^[A-ZÄÖÜ][\w-]*(?:\s*[/>»|]\s*[A-ZÄÖÜ][\w-]*)+$")
DETAILS_KEYS = {
    "ort": "place", "place": "place", "location": "place",
    "quellen": "cited", "quelle": "cited", "sources": "cited",
    "datum": "date", "date": "date", "url": "url", "link": "url",
}
TAG = re.compile(r"</?[a-zA-Z][\w:-]*(?:\s[^<>]*)?/?>")
SCRIPT = re.compile(r"<(script|style)\b.*?</\1\s*>", re.I | re.S)
# Words that end with a full stop without ending a sentence: titles and offices of news copy (`U.S. Sen.
# Elizabeth Warren`), months, and the German amounts and abbreviations of press releases (`3,5 Mio. Euro`).
ABBREVIATIONS = {"dr", "mr", "mrs", "ms", "st", "nr", "ca", "bzw", "vgl", "z.b", "u.a", "inc", "co", "ltd",
                 "corp", "jr", "sr", "no", "prof", "etc", "usw", "evtl", "ggf", "jan", "feb", "mar", "apr",
                 "jun", "jul", "aug", "sep", "sept", "oct", "okt", "nov", "dec", "dez", "u.s", "e.g", "i.e",
                 "sen", "rep", "gov", "gen", "lt", "col", "capt", "sgt", "rev", "hon", "pres", "supt", "mt",
                 "ft", "dept", "vs", "approx", "mio", "mrd", "tsd", "abs", "str", "tel", "inkl", "zzgl",
                 "bzgl", "sog", "dipl", "ing", "hr", "bspw", "insb", "ggü", "mwst", "e.v"}
TITLE_MAX = 120


@dataclass
class Metadata:
    title: str | None = None
    body: str = ""
    date: str | None = None
    place: str | None = None
    source: str | None = None
    cited: list[str] = field(default_factory=list)
    editor: str | None = None
    url: str | None = None


def extract(text: str, title_hint: str | None = None) -> Metadata:
    """Splits loose release text into metadata and a clean body."""
    meta = Metadata(title=title_hint)
    text = clean_markup(text)
    m = HEADER_DATE.match(text)
    if m:
        meta.date = m.group(1)
        text = text[m.end():]
    lines = _strip_trailer([line.strip() for line in text.split("\n")], meta)
    paragraphs = _paragraphs(lines)
    while paragraphs and SECTION_LABEL.match(paragraphs[0]) and len(paragraphs[0]) < 60:
        paragraphs.pop(0)
    if meta.title is None and paragraphs and _looks_like_title(paragraphs[0]):
        meta.title = paragraphs.pop(0)
    _take_dateline(paragraphs, meta)
    meta.body = "\n\n".join(paragraphs)
    if meta.title is None and meta.body:
        meta.title = shorten(first_sentence(meta.body))
    return meta


def clean_markup(text: str) -> str:
    """Normalizes whitespace and removes HTML tags and Markdown emphasis from loose text."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ").replace("\u200b", "")
    if "<" in text:
        text = SCRIPT.sub(" ", text)
        text = TAG.sub(" ", text)
    if "&" in text:
        text = html.unescape(text)
    text = re.sub(r"\*\*(.+?)\*\*|__(.+?)__", lambda m: m.group(1) or m.group(2), text)
    return re.sub(r"[ \t\f\v]+", lambda m: "\t" if "\t" in m.group(0) else " ", text)


def _strip_trailer(lines: list[str], meta: Metadata) -> list[str]:
    """Removes source/editor/publisher lines, the details block and anything after a comment form."""
    kept: list[str] = []
    in_details = False
    for line in lines:
        if END_MARKERS.match(line):
            break
        if line.lower() == "details" or line.lower().startswith("details\t"):
            in_details = True
            continue
        if in_details:
            key, sep, value = line.partition("\t")
            if sep and len(key) < 30:
                _details_entry(key.strip().lower(), value.strip(), meta)
                continue
            if not line:
                continue
            in_details = False
        if len(line) < 160 and _meta_line(line, meta):
            continue
        kept.append(line.replace("\t", " "))
    return kept


def _meta_line(line: str, meta: Metadata) -> bool:
    m = SOURCE_LINE.match(line)
    if m:
        meta.source = (m.group("source") or m.group("only")).strip()
        if m.group("editor"):
            meta.editor = m.group("editor").strip()
        return True
    m = EDITOR_LINE.match(line)
    if m:
        meta.editor = m.group("editor").strip()
        return True
    m = PUBLISHER_LINE.match(line)
    if m:
        meta.source = meta.source or m.group("site")
        return True
    return False


def _details_entry(key: str, value: str, meta: Metadata) -> None:
    target = DETAILS_KEYS.get(key)
    if target == "place":
        meta.place = value or meta.place
    elif target == "cited":
        meta.cited += [s.strip() for s in re.split(r"[•·;,]|\s{2,}", value) if s.strip()]
    elif target == "date":
        meta.date = meta.date or parse_date(value)
    elif target == "url":
        meta.url = meta.url or value


def _paragraphs(lines: list[str]) -> list[str]:
    """Joins lines into paragraphs at blank lines, keeping single line breaks inside."""
    paragraphs, current = [], []
    for line in [*lines, ""]:
        if line:
            current.append(line)
        elif current:
            paragraphs.append("\n".join(current))
            current = []
    return paragraphs


def _looks_like_title(paragraph: str) -> bool:
    if "\n" in paragraph or len(paragraph) > 200:
        return False
    if DATELINE.match(paragraph):
        return False
    return not paragraph.endswith(".") or len(paragraph.split()) <= 12


def _take_dateline(paragraphs: list[str], meta: Metadata) -> None:
    """Finds a dateline at the start of one of the first paragraphs and moves it into `meta`."""
    for i, paragraph in enumerate(paragraphs[:3]):
        m = DATELINE.match(paragraph)
        if not m:
            continue
        source = m.group("s1") or m.group("s2")
        rest = paragraph[m.end():]
        german = DAY_FIRST_LEAD.match(rest)
        if not (source or m.group("month") or german or "," in m.group("place")):
            continue
        meta.place = meta.place or normalize_place(m.group("place"))
        meta.source = meta.source or (source.strip() if source else None)
        if m.group("month"):
            meta.date = meta.date or _ymd(m.group("year"), MONTH_ABBR[m.group("month")[:3].lower()],
                                          m.group("day"))
        elif german:
            meta.date = meta.date or _ymd(german.group("dyear"), MONTHS_DAY_FIRST[german.group("dmonth").lower()],
                                          german.group("dday"))
        paragraphs[i] = rest
        return


def normalize_place(place: str) -> str:
    """`CHENGDU, China` -> `Chengdu, China`."""
    return ", ".join(p.strip().title() if p.isupper() and len(p.strip()) > 3 else p.strip()
                     for p in place.split(","))


def parse_date(text: str) -> str | None:
    """An ISO date (or year-month) from `2019-07-09`, `July 9, 2019` or `9. Juli 2019`."""
    m = re.search(r"\b(\d{4})-(\d{2})(?:-(\d{2}))?\b", text)
    if m:
        return "-".join(g for g in m.groups() if g)
    m = re.search(MONTH_FIRST_DATE, text, re.I)
    if m:
        return _ymd(m.group("year"), MONTH_ABBR[m.group("month")[:3].lower()], m.group("day"))
    m = re.search(DAY_FIRST_DATE, text, re.I)
    if m:
        return _ymd(m.group("dyear"), MONTHS_DAY_FIRST[m.group("dmonth").lower()], m.group("dday"))
    return None


def _ymd(year: str, month: int, day: str) -> str:
    return f"{int(year):04d}-{month:02d}-{int(day):02d}"


_SENTENCE_END = re.compile(r"[.!?](?=[\"'”’»)]?\s+[\"'„“«(]?[A-ZÄÖÜ0-9])")


def first_sentence(text: str) -> str:
    """The first sentence, not fooled by ordinals (`22. Juni`) or abbreviations (`Dr.`)."""
    text = text.strip()
    for m in _SENTENCE_END.finditer(text):
        before = text[: m.start()].rsplit(None, 1)[-1] if text[: m.start()].strip() else ""
        word = before.lower().strip("(\"'„“")
        if m.group(0) == "." and ((word.isdigit() and len(word) <= 2) or word in ABBREVIATIONS
                                  or len(word) == 1):
            continue
        return text[: m.end()]
    return text.split("\n", 1)[0]


def shorten(sentence: str, limit: int = TITLE_MAX) -> str:
    sentence = " ".join(sentence.split())
    if len(sentence) <= limit:
        return sentence
    cut = sentence[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:-–— ")
    return cut + "…"
