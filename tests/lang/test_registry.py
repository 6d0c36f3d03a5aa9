"""The language registry: languages are data plus one module each, and a new one needs no other change."""

from __future__ import annotations

import json

import pytest

import indexer
from indexer import lang
from indexer.cli import main
from indexer.lang.detect import _clear_case, detect
from tests.lang import toy_french
from web import create_app

FRENCH = (
    "Le marché des technologies financières\n\n"
    "Les marchés financiers de la région ont présenté une nouvelle plateforme pour les entreprises qui "
    "travaillent dans la finance. La banque et le gouvernement de la ville ont signé un accord pour que "
    "les entreprises du secteur trouvent des investisseurs sur le marché local. Le projet est soutenu "
    "par les autorités et les universités de la région."
)


@pytest.fixture
def french():
    """The toy language, registered for one test: the module and this one registry line."""
    lang.register(toy_french.LANGUAGE)
    yield toy_french.LANGUAGE
    lang.unregister("fr")


@pytest.fixture
def french_index(french, tmp_path, seed_copy):
    (seed_copy / "marche.txt").write_text(FRENCH, encoding="utf-8")
    index_dir = tmp_path / "index"
    report = indexer.rebuild(source=seed_copy, index_dir=index_dir)
    assert report.languages == {"de": 2, "en": 3, "fr": 1}
    return index_dir


def test_german_english_and_the_neutral_fallback_are_registered():
    assert lang.codes() == ("de", "en")
    assert lang.field_languages() == ("de", "en", "xx")
    assert lang.field_language("fr") == "xx" and lang.field_language(None) == "xx"
    assert lang.other("de") == "en" and lang.other("en") == "de" and lang.other("xx") is None


def test_a_registered_language_is_detected_by_its_function_words(french):
    assert detect(FRENCH) == ("fr", 1.0)


def test_detection_follows_the_registry_after_it_has_run():
    """The marker table that detection builds once is rebuilt when a language comes or goes."""
    assert _clear_case(FRENCH) is None  # no language's markers: langdetect decides
    lang.register(toy_french.LANGUAGE)
    try:
        assert _clear_case(FRENCH) == "fr"
    finally:
        lang.unregister("fr")
    assert _clear_case(FRENCH) is None


def test_a_language_added_through_the_registry_alone_is_indexed_stemmed_and_found(french_index, capsys):
    doc = indexer.get("marche", index_dir=french_index)
    assert doc["lang"] == "fr" and doc["title"] == "Le marché des technologies financières"
    # `marché` finds `marchés` only through the French stemmer: the neutral analyzer does not stem
    assert [h.id for h in indexer.search("marché", index_dir=french_index, lang="fr")] == ["marche"]
    hit = indexer.search("investisseur", index_dir=french_index).hits[0]
    assert hit.id == "marche" and "<mark>investisseurs</mark>" in hit.snippet
    assert main(["search", "financier", "--lang", "fr", "--json", "--index", str(french_index)]) == 0
    assert [h["id"] for h in json.loads(capsys.readouterr().out)["hits"]] == ["marche"]


def test_the_web_offers_a_registered_language_as_a_tab_and_a_filter(french_index):
    client = create_app(french_index).test_client()
    page = client.get("/?q=march%C3%A9&ui=en").get_data(as_text=True)
    assert 'lang=fr' in page and ">French<" in page
    assert client.get("/api/search?q=march%C3%A9&lang=fr").get_json()["hits"][0]["id"] == "marche"
    assert client.get("/api/search?q=x&lang=it").status_code == 400
