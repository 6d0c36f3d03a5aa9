"""German: Snowball stems with umlauts folded, compound parts, and the words of German releases."""

from __future__ import annotations

from .base import Language, numbered, spelled_out, words

# Whoosh's German stop list (`whoosh.lang.stopwords`), kept here as data.
STOP_WORDS = words("""
aber alle allem allen aller alles als also am an ander andere anderem anderen anderer anderes anderm
andern anderr anders auch auf aus bei bin bis bist da damit dann das dasselbe dazu daß dein deine
deinem deinen deiner deines dem demselben den denn denselben der derer derselbe derselben des
desselben dessen dich die dies diese dieselbe dieselben diesem diesen dieser dieses dir doch dort du
durch ein eine einem einen einer eines einig einige einigem einigen einiger einiges einmal er es
etwas euch euer eure eurem euren eurer eures für gegen gewesen hab habe haben hat hatte hatten hier
hin hinter ich ihm ihn ihnen ihr ihre ihrem ihren ihrer ihres im in indem ins ist jede jedem jeden
jeder jedes jene jenem jenen jener jenes jetzt kann kein keine keinem keinen keiner keines können
könnte machen man manche manchem manchen mancher manches mein meine meinem meinen meiner meines mich
mir mit muss musste nach nicht nichts noch nun nur ob oder ohne sehr sein seine seinem seinen seiner
seines selbst sich sie sind so solche solchem solchen solcher solches soll sollte sondern sonst um
und uns unse unsem unsen unser unses unter viel vom von vor war waren warst was weg weil weiter
welche welchem welchen welcher welches wenn werde werden wie wieder will wir wird wirst wo wollen
wollte während würde würden zu zum zur zwar zwischen über
""")
# The stop list lacks most question words, and natural-language questions are full of them.
QUESTION_WORDS = words("""
ab wer wem wen wessen wann warum weshalb weswegen wieso wozu worum womit wodurch wofür wohin woher
worüber woran worauf wobei viele vielen wurde wurden
""")


def analyzer(split_compounds: bool | None = None):
    """Capitalized compounds (nouns) are also indexed as their parts, unless `split_compounds` is
    False or, by default, `$TWINSEARCH_COMPOUNDS` is `0`."""
    from ..analysis import chain
    from ..config import split_compounds as compounds_setting
    from . import compounds

    if split_compounds is None:
        split_compounds = compounds_setting()
    return chain(stop=LANGUAGE.search_stop_words, mark_capitals=True,
                 splitter=compounds.split if split_compounds else None, stemmer="german", fold_umlauts=True)


LANGUAGE = Language(
    code="de",
    names={"de": "Deutsch", "en": "German"},
    analyzer=analyzer,
    stop_words=STOP_WORDS,
    search_stop_words=spelled_out(STOP_WORDS | QUESTION_WORDS),
    stemmer="german",
    fold_umlauts=True,
    compounds=True,
    genitive_s=True,
    markers=words("""
der die das und ist nicht mit für auf sich dem den des eine einer wird wurde auch sind
"""),
    months=numbered("januar februar märz april mai juni juli august september oktober november dezember")
    | {"jänner": 1, "maerz": 3},
    day_first=True,
    weekdays=numbered("montag dienstag mittwoch donnerstag freitag samstag sonntag") | {"sonnabend": 6},
    number_words=numbered("zwei drei vier fünf sechs sieben acht neun zehn elf zwölf", 2),
    scales={"tausend": 1e3, "million": 1e6, "millionen": 1e6, "mio": 1e6, "milliarde": 1e9,
            "milliarden": 1e9, "mrd": 1e9, "billion": 1e12, "billionen": 1e12, "bio": 1e12},
)
