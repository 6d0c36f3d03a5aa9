"""The interface's words in German and English, and how a request picks one of the two.

Kept as plain dicts rather than gettext catalogues: two languages and a few dozen strings do not
justify a compile step, and a missing key fails loudly in tests (KeyError) instead of showing a msgid.
The interface languages (`UI_LANGS`) are a list of their own; the document languages that search
can be limited to, and their names, come from the indexer's language registry.
"""

from __future__ import annotations

from indexer import lang as languages

UI_NAMES = {"de": "Deutsch", "en": "English"}  # the interface languages, each in its own words
UI_LANGS = tuple(UI_NAMES)
DEFAULT_UI = "en"

STRINGS: dict[str, dict[str, str]] = {
    "de": {
        "brand_tagline": "Pressemitteilungen auf Deutsch und Englisch durchsuchen",
        "skip_to_results": "Zu den Ergebnissen springen",
        "search_label": "Suchbegriffe",
        "search_placeholder": "z. B. Finanztechnologie Chengdu",
        "search_button": "Suchen",
        "filters": "Filter",
        "filter_lang": "Sprache",
        "lang_all": "Alle Sprachen",
        "filter_from": "Datum von",
        "filter_to": "Datum bis",
        "date_hint": "JJJJ, JJJJ-MM oder JJJJ-MM-TT",
        "filter_source": "Quelle",
        "sort": "Sortieren nach",
        "sort_relevance": "Relevanz",
        "sort_newest": "Neueste zuerst",
        "sort_oldest": "Älteste zuerst",
        "source_placeholder": "z. B. PRNewswire",
        "apply_filters": "Filter anwenden",
        "reset_filters": "Filter zurücksetzen",
        "results_summary": "{total} Treffer für „{query}“ ({ms} ms)",
        "results_summary_one": "1 Treffer für „{query}“ ({ms} ms)",
        "page_of": "Seite {page} von {pages}",
        "did_you_mean": "Meinten Sie",
        "no_results": "Keine Treffer für „{query}“.",
        "tips_title": "Tipps",
        "tip_spelling": "Prüfen Sie die Schreibweise oder nehmen Sie ein anderes Wort.",
        "tip_fewer": "Weniger Wörter finden mehr: jedes weitere Wort grenzt ein.",
        "tip_filters": "Entfernen Sie Filter für Sprache, Datum oder Quelle.",
        "tip_other_lang": "Suchen Sie in der anderen Sprache: Finanz… ↔ financ…",
        "tip_phrase": "„Anführungszeichen“ suchen eine genaue Wortfolge.",
        "welcome": "Durchsuchen Sie {docs} Pressemitteilungen auf Deutsch und Englisch.",
        "welcome_how": (
            "Geben Sie Wörter ein und drücken Sie die Eingabetaste. Gibt es eine Mitteilung in beiden "
            "Sprachen, erscheint sie einmal, mit einem Link auf jede Fassung."
        ),
        "no_index": "Es gibt noch keinen Suchindex.",
        "no_index_how": "Bauen Sie ihn mit diesem Befehl und laden Sie die Seite neu:",
        "query_error": "Diese Anfrage lässt sich nicht auswerten",
        "param_notice_lang": "Unbekannte Sprache „{value}“: es wird in allen Sprachen gesucht.",
        "param_notice_date": "„{value}“ ist kein Datum (JJJJ, JJJJ-MM oder JJJJ-MM-TT) und wird ignoriert.",
        "param_notice_query_long": "Die Anfrage war zu lang und wurde auf {max} Zeichen gekürzt.",
        "param_notice_page": "Seite {asked} gibt es nicht; gezeigt wird Seite {page}.",
        "param_notice_source_long": "Die Quelle war zu lang und wird ignoriert.",
        "param_notice_place_long": "Der Ort war zu lang und wird ignoriert.",
        "filter_place": "Ort",
        "facets": "Treffer nach",
        "facet_lang": "Sprache",
        "facet_year": "Jahr",
        "facet_source": "Quelle",
        "facet_place": "Ort",
        "facet_remove": "alle",
        "facets_jump": "Treffer eingrenzen ↓",
        "follow_search": "Diese Suche abonnieren (Atom)",
        "related": "Ähnliche Mitteilungen",
        "showing_results_for": "Treffer für",
        "search_instead_for": "Stattdessen suchen nach",
        "download": "Herunterladen",
        "download_cut": "die ersten {max} Treffer",
        "also_in": "Auch auf {language}",
        "also_in_other": "Auch in einer anderen Sprache",
        "untitled": "(ohne Titel)",
        "prev": "Zurück",
        "next": "Weiter",
        "pagination": "Seiten",
        "results": "Ergebnisse",
        "back_to_results": "Zurück zu den Ergebnissen",
        "new_search": "Neue Suche",
        "meta_lang": "Sprache",
        "meta_date": "Datum",
        "meta_place": "Ort",
        "meta_source": "Quelle",
        "meta_cited": "Genannte Quellen",
        "meta_url": "Adresse",
        "meta_id": "Kennung",
        "meta_path": "Datei",
        "doc_twin": "Diese Mitteilung auf {language}",
        "doc_twin_other": "Diese Mitteilung in einer anderen Sprache",
        "highlight_note": "Hervorgehoben: „{query}“",
        "not_found_title": "Nicht gefunden",
        "not_found": "Hier gibt es nichts: die Seite oder das Dokument „{what}“ existiert nicht.",
        "error_title": "Fehler",
        "error_generic": "Etwas ist schiefgegangen. Bitte versuchen Sie es noch einmal.",
        "bad_request": "Die Anfrage ist ungültig.",
        "ui_switch_label": "Sprache der Oberfläche",
        "index_status": "{docs} Dokumente im Index",
        "footer": "twinsearch – zweisprachige Volltextsuche",
    },
    "en": {
        "brand_tagline": "Search press releases in German and English",
        "skip_to_results": "Skip to results",
        "search_label": "Search terms",
        "search_placeholder": "e.g. fintech Chengdu",
        "search_button": "Search",
        "filters": "Filters",
        "filter_lang": "Language",
        "lang_all": "All languages",
        "filter_from": "Date from",
        "filter_to": "Date to",
        "date_hint": "YYYY, YYYY-MM or YYYY-MM-DD",
        "filter_source": "Source",
        "sort": "Sort by",
        "sort_relevance": "Relevance",
        "sort_newest": "Newest first",
        "sort_oldest": "Oldest first",
        "source_placeholder": "e.g. PRNewswire",
        "apply_filters": "Apply filters",
        "reset_filters": "Clear filters",
        "results_summary": "{total} results for “{query}” ({ms} ms)",
        "results_summary_one": "1 result for “{query}” ({ms} ms)",
        "page_of": "Page {page} of {pages}",
        "did_you_mean": "Did you mean",
        "no_results": "No results for “{query}”.",
        "tips_title": "Tips",
        "tip_spelling": "Check the spelling or try another word.",
        "tip_fewer": "Fewer words find more: each extra word narrows the search.",
        "tip_filters": "Remove the language, date or source filters.",
        "tip_other_lang": "Search in the other language: financ… ↔ Finanz…",
        "tip_phrase": "\"Quotation marks\" look for an exact phrase.",
        "welcome": "Search {docs} press releases in German and English.",
        "welcome_how": (
            "Type some words and press Enter. A release published in both languages shows up once, "
            "with a link to each version."
        ),
        "no_index": "There is no search index yet.",
        "no_index_how": "Build it with this command, then reload the page:",
        "query_error": "This query cannot be understood",
        "param_notice_lang": "Unknown language “{value}”: searching all languages.",
        "param_notice_date": "“{value}” is not a date (YYYY, YYYY-MM or YYYY-MM-DD) and is ignored.",
        "param_notice_query_long": "The query was too long and has been shortened to {max} characters.",
        "param_notice_page": "There is no page {asked}; showing page {page}.",
        "param_notice_source_long": "The source was too long and is ignored.",
        "param_notice_place_long": "The place was too long and is ignored.",
        "filter_place": "Place",
        "facets": "Results by",
        "facet_lang": "Language",
        "facet_year": "Year",
        "facet_source": "Source",
        "facet_place": "Place",
        "facet_remove": "all",
        "facets_jump": "Narrow the results ↓",
        "follow_search": "Follow this search (Atom)",
        "related": "Related releases",
        "showing_results_for": "Showing results for",
        "search_instead_for": "Search instead for",
        "download": "Download",
        "download_cut": "the first {max} results",
        "also_in": "Also in {language}",
        "also_in_other": "Also in another language",
        "untitled": "(untitled)",
        "prev": "Previous",
        "next": "Next",
        "pagination": "Pages",
        "results": "Results",
        "back_to_results": "Back to the results",
        "new_search": "New search",
        "meta_lang": "Language",
        "meta_date": "Date",
        "meta_place": "Place",
        "meta_source": "Source",
        "meta_cited": "Sources cited",
        "meta_url": "Address",
        "meta_id": "Identifier",
        "meta_path": "File",
        "doc_twin": "This release in {language}",
        "doc_twin_other": "This release in another language",
        "highlight_note": "Highlighted: “{query}”",
        "not_found_title": "Not found",
        "not_found": "Nothing here: the page or document “{what}” does not exist.",
        "error_title": "Error",
        "error_generic": "Something went wrong. Please try again.",
        "bad_request": "The request is not valid.",
        "ui_switch_label": "Interface language",
        "index_status": "{docs} documents in the index",
        "footer": "twinsearch – bilingual full-text search",
    },
}



def translate(ui: str, key: str, **values: object) -> str:
    """The string `key` in language `ui`, with `{placeholders}` filled (values are not escaped here)."""
    text = STRINGS[ui][key]
    return text.format(**values) if values else text


def lang_name(ui: str, code: str | None) -> str:
    """A document language's name in the interface's language (from the language registry), else its code."""
    language = languages.get(code)
    return language.name(ui) if language else (code or "?").upper()


def search_languages(ui: str) -> list[tuple[str, str]]:
    """(code, name) of each document language a search can be limited to, for tabs and the filter."""
    return [(language.code, language.name(ui)) for language in languages.languages()]


def _with_language(ui: str, key: str, code: str | None) -> str:
    """A string naming a document language (`also_in`, `doc_twin`), or its `_other` form for a language
    the registry does not know."""
    if languages.get(code) is None:
        return STRINGS[ui][f"{key}_other"]
    return translate(ui, key, language=lang_name(ui, code))


def also_in(ui: str, lang: str | None) -> str:
    """The twin link's label: the twin's language, said in the interface's language."""
    return _with_language(ui, "also_in", lang)


def doc_twin_label(ui: str, lang: str | None) -> str:
    return _with_language(ui, "doc_twin", lang)


def number(ui: str, n: int) -> str:
    """1234 -> '1.234' (German) or '1,234' (English)."""
    text = f"{n:,}"
    return text.replace(",", ".") if ui == "de" else text


def pick_ui(asked: str | None, cookie: str | None, accept_languages) -> str:
    """The interface language: an explicit ?ui= wins, then the remembered cookie, then the browser's."""
    for choice in (asked, cookie):
        if choice in UI_LANGS:
            return choice
    return accept_languages.best_match(UI_LANGS, default=DEFAULT_UI)
