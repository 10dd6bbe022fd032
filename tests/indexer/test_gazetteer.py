"""The gazetteer (indexer/gazetteer): countries from CLDR, organisations and known
people from the data files, found in any inflection and in both scripts."""

from __future__ import annotations

from pathlib import Path

import pytest

from indexer.gazetteer import Entity, GazetteerError, load_gazetteer
from indexer.gazetteer.datafiles import BUNDLED


@pytest.fixture(scope="module")
def gaz():
    return load_gazetteer(BUNDLED)


def ids(gaz, text: str, lang: str) -> list[str]:
    return [entity.id for _, _, entity in gaz.find(text, lang)]


def test_countries_are_the_iso_codes_with_cldr_labels(gaz) -> None:
    countries = gaz.entities("country")
    assert len(countries) == 249  # ISO 3166-1, not CLDR's regions ("001") nor "EU", "XK"
    assert gaz.entity("country", "001") is None and gaz.entity("country", "EU") is None
    az = gaz.entity("country", "AZ")
    assert az == Entity("country", "AZ", "Azerbaijan", "Азербайджан")
    assert az.label("ru") == "Азербайджан" and az.label("en") == "Azerbaijan"
    assert gaz.entity("country", "DE").label("ru") == "Германия"


@pytest.mark.parametrize(("text", "lang", "expected"), [
    ("Azerbaijan and Russia", "en", ["AZ", "RU"]),
    ("the Azerbaijani side", "en", ["AZ"]),
    ("Azerbaijan's position", "en", ["AZ"]),
    ("Minister of Foreign Affairs of Russian Federation", "en", ["RU"]),
    ("Azerbaijan-Russia-Iran trilateral format", "en", ["AZ", "RU", "IR"]),
    ("Armenia-Azerbaijan Nagorno-Karabakh conflict", "en", ["AM", "AZ"]),
    ("Iranian and Georgian delegations", "en", ["IR", "GE"]),
    ("визит в Азербайджане", "ru", ["AZ"]),
    ("между Азербайджаном и Россией", "ru", ["AZ", "RU"]),
    ("азербайджанского народа", "ru", ["AZ"]),
    ("армяно-азербайджанского конфликта", "ru", ["AM", "AZ"]),
    ("Президентом Российской Федерации", "ru", ["RU"]),
    ("Межрегионального азербайджано-российского Форума", "ru", ["AZ", "RU"]),
    ("с Германией и Грузией", "ru", ["DE", "GE"]),
    ("в Соединённых Штатах", "ru", ["US"]),
    ("Myanmar and Trinidad and Tobago", "en", ["MM", "TT"]),
])
def test_countries_by_name_and_adjective_in_any_inflection(gaz, text, lang, expected) -> None:
    assert ids(gaz, text, lang) == expected


@pytest.mark.parametrize(("text", "lang"), [
    ("a turkey for dinner", "en"),          # English names are capitalised
    ("Того же мнения министр", "ru"),       # "Того" dropped in countries.toml
    ("the Indian Ocean and the Persian Gulf", "en"),  # [ignore]
    ("let us go", "en"),                    # abbreviations only as written
    ("ведущие страны", "ru"),
])
def test_common_words_are_not_countries(gaz, text, lang) -> None:
    assert ids(gaz, text, lang) == []


def test_find_gives_character_spans(gaz) -> None:
    text = "Он прибыл в Азербайджан."
    [(start, end, entity)] = gaz.find(text, "ru")
    assert text[start:end] == "Азербайджан" and entity.id == "AZ"
    [(start, end, am), (_, _, az)] = gaz.find("армяно-азербайджанского", "ru")
    assert (start, end, am.id, az.id) == (0, 6, "AM", "AZ")


@pytest.mark.parametrize(("text", "lang", "expected"), [
    ("OSCE and UN", "en", ["osce", "un"]),
    ("co-chairs of the OSCE Minsk Group", "en", ["osce-minsk-group"]),
    ("сопредседатели Минской группы ОБСЕ", "ru", ["osce-minsk-group"]),
    ("в рамках ОЧЭС и СНГ", "ru", ["bsec", "cis"]),
    ("Organisation of Islamic Cooperation", "en", ["oic"]),
    ("Council of Europe and PACE", "en", ["council-of-europe", "pace"]),
    ("Parliamentary Assembly of the Council of Europe", "en", ["pace"]),
    ("Совета Европы", "ru", ["council-of-europe"]),
    ("Организации Объединённых Наций", "ru", ["un"]),
    ("the GUAM summit", "en", ["guam"]),
    ("Guam", "en", ["GU"]),
    ("UN Security Council", "en", ["un-security-council"]),
])
def test_organisations_with_abbreviations_in_both_languages(gaz, text, lang, expected) -> None:
    assert ids(gaz, text, lang) == expected


@pytest.mark.parametrize(("text", "lang", "expected"), [
    ("Foreign Minister Elmar Mammadyarov met", "en", ["elmar-mammadyarov"]),
    ("Эльмар Мамедъяров встретился", "ru", ["elmar-mammadyarov"]),
    ("с Министром Сергеем Лавровым", "ru", ["sergey-lavrov"]),
    ("Президентом Ильхамом Алиевым", "ru", ["ilham-aliyev"]),
    ("Владимиром Путиным", "ru", ["vladimir-putin"]),
    ("Heydar Aliyev International Airport", "en", []),
])
def test_known_people_in_any_inflection(gaz, text, lang, expected) -> None:
    assert ids(gaz, text, lang) == expected


@pytest.mark.parametrize(("word", "lang", "expected"), [
    ("azerbaijan", "en", "AZ"), ("azerbaijani", "en", "AZ"), ("азербайджан", "ru", "AZ"),
    ("азербайджанский", "ru", "AZ"), ("германия", "ru", "DE"), ("germany", "en", "DE"),
    ("грузия", "ru", "GE"), ("georgia", "en", "GE"), ("австрия", "ru", "AT"),
    ("osce", "en", "osce"), ("обсе", "ru", "osce"), ("снг", "ru", "cis"),
    ("us", "en", None), ("who", "en", None), ("minister", "en", None), ("lavrov", "en", None),
])
def test_entity_of_word(gaz, word, lang, expected) -> None:
    entity = gaz.entity_of_word(word, lang)
    assert (entity.id if entity else None) == expected


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return folder


def test_a_user_folder_replaces_files_and_edits_are_seen(tmp_path: Path) -> None:
    folder = write(tmp_path / "gaz", "organisations.toml",
                   '[organisations.acme]\nlabel_en = "Acme Union"\nlabel_ru = "Союз Акме"\n'
                   'en = ["AU"]\n')
    gaz = load_gazetteer(folder)
    assert ids(gaz, "the Acme Union and the AU", "en") == ["acme", "acme"]
    assert gaz.entity("org", "osce") is None  # the user's file replaces the bundled one
    assert gaz.entity("country", "AZ") is not None  # the other files are the bundled ones
    assert load_gazetteer(folder) is gaz
    write(folder, "organisations.toml",
          '[organisations.acme]\nlabel_en = "Acme"\nlabel_ru = "Акме"\n')
    import os
    os.utime(folder / "organisations.toml", ns=(1, 1))  # a new stamp, whatever the clock
    assert load_gazetteer(folder).entity("org", "acme").label_en == "Acme"


def test_a_file_put_in_the_user_folder_later_is_read(tmp_path: Path) -> None:
    """The per-call check looks for the user's copy of every file each time."""
    folder = write(tmp_path / "gaz", "organisations.toml",
                   '[organisations.acme]\nlabel_en = "Acme"\nlabel_ru = "Акме"\n')
    assert load_gazetteer(folder).entity("person", "ann-lee") is None
    write(folder, "people.toml",
          '[people.ann-lee]\nlabel_en = "Ann Lee"\nlabel_ru = "Энн Ли"\n')
    assert load_gazetteer(folder).entity("person", "ann-lee").label_en == "Ann Lee"
    (folder / "people.toml").unlink()  # the bundled file again
    gaz = load_gazetteer(folder)
    assert gaz.entity("person", "ann-lee") is None and gaz.entity("org", "acme") is not None


def test_another_folder_is_another_gazetteer(tmp_path: Path, monkeypatch) -> None:
    one = write(tmp_path / "one", "organisations.toml",
                '[organisations.one]\nlabel_en = "One"\nlabel_ru = "Один"\n')
    two = write(tmp_path / "two", "organisations.toml",
                '[organisations.two]\nlabel_en = "Two"\nlabel_ru = "Два"\n')
    monkeypatch.setenv("PRESSROOM_GAZETTEER", str(one))
    assert load_gazetteer().entity("org", "one") is not None
    monkeypatch.setenv("PRESSROOM_GAZETTEER", str(two))
    assert load_gazetteer().entity("org", "two") is not None
    assert load_gazetteer(one).folder == one


def test_pieces_are_found_whole() -> None:
    """Short pieces (an expression) and long ones (``str.find``) alike: a piece
    inside a word is no occurrence; "_" and marks are no part of a word."""
    from indexer.gazetteer.matching import _occurrences

    text = "о-ва и ио о_о.о reunited united: united"
    assert _occurrences(text, ["о"]) == [(0, 1), (10, 11), (12, 13), (14, 15)]
    assert _occurrences(text, ["united", "ио"]) == [(7, 9), (25, 31), (33, 39)]
    assert _occurrences("", ["о", "united"]) == []


def test_occurrences_match_their_definition() -> None:
    import re

    from hypothesis import given, settings
    from hypothesis import strategies as st

    from indexer.gazetteer.matching import _occurrences

    def whole(text: str, piece: str) -> list[tuple[int, int]]:
        return [(m.start(), m.start() + len(piece))
                for m in re.finditer(f"(?={re.escape(piece)})", text)
                if not re.match(r"[^\W_]", text[m.start() - 1:m.start()] or " ")
                and not re.match(r"[^\W_]", text[m.start() + len(piece):][:1] or " ")]

    pieces = st.sampled_from(["о", "i", "us", "ес", "united", "азербайджан"])

    @settings(max_examples=300, deadline=None, derandomize=True)
    @given(st.lists(st.one_of(pieces, st.sampled_from([" ", "_", "-", "a", "5", "ё"])),
                    max_size=20), st.sets(pieces, max_size=3))
    def check(parts: list[str], wanted: set[str]) -> None:
        text = "".join(parts)
        assert _occurrences(text, wanted) == sorted(
            span for piece in wanted for span in whole(text, piece))

    check()


def test_a_texts_triggers_are_its_words_triggers(monkeypatch) -> None:
    """Trigger pieces found word by word (and remembered) are those of the whole
    text's pieces, also once the remembered words are forgotten."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from indexer.analysis import WORD_JOINERS, tokenize
    from indexer.gazetteer import matching
    from indexer.gazetteer.matching import _WordTriggers

    def pieces(text: str) -> list[str]:  # the definition: a text's words joined, then split
        joined = " ".join(tokenize(text)).lower().replace("ё", "е")
        for joiner in WORD_JOINERS:
            joined = joined.replace(joiner, " ")
        return joined.split()

    triggers = frozenset({"о", "us", "азербайджан", "united", "new", "е"})
    words = _WordTriggers(triggers)
    monkeypatch.setattr(matching, "KEPT_WORDS", 6)
    parts = st.sampled_from(["О", "US", "us's", "Азербайджан", "АЗЕРБАЙДЖАН-", "Ёж", "ё",
                             "United", "new/old", "_", " ", "-", "'", "İ", "x"])

    @settings(max_examples=300, deadline=None, derandomize=True)
    @given(st.lists(parts, max_size=12))
    def check(bits: list[str]) -> None:
        text = "".join(bits)
        assert words.hits(text) == triggers.intersection(pieces(text))

    check()


def test_the_setting_names_the_folder(tmp_path: Path, monkeypatch) -> None:
    folder = write(tmp_path / "gaz", "people.toml",
                   '[people.ann-lee]\nlabel_en = "Ann Lee"\nlabel_ru = "Энн Ли"\n')
    monkeypatch.setenv("PRESSROOM_GAZETTEER", str(folder))
    assert load_gazetteer().entity("person", "ann-lee").label_ru == "Энн Ли"


@pytest.mark.parametrize(("name", "text", "message"), [
    ("countries.toml", "[countries.AZ\n", "is not valid TOML"),
    ("countries.toml", '[countries.XX]\nen = ["X"]\n', "countries.XX is not an ISO 3166"),
    ("countries.toml", "[countries.AZ]\nen = 3\n", "countries.AZ.en must be a list of names"),
    ("countries.toml", "countries = 3\n", "countries must be tables"),
    ("organisations.toml", '[organisations.Bad_Id]\nlabel_en = "A"\nlabel_ru = "Б"\n',
     "organisations.Bad_Id: ids are lower-case"),
    ("organisations.toml", '[organisations.acme]\nlabel_en = "Acme"\n',
     "organisations.acme.label_ru is missing"),
    ("people.toml", '[people.ann]\nlabel_en = "Ann"\nlabel_ru = "Энн"\nnick = ["A"]\n',
     "people.ann.nick: keys are"),
    ("people.toml", "[ignore]\nen = [1]\n", "ignore.en must be a list of names"),
    ("people.toml", b"\xff\xfe[".decode("latin-1"), "is not valid TOML"),
])
def test_a_broken_file_says_where(tmp_path: Path, name: str, text: str, message: str) -> None:
    folder = write(tmp_path / "gaz", name, text)
    with pytest.raises(GazetteerError, match=message.replace(".", r"\.")):
        load_gazetteer(folder)


def test_any_text_is_read_without_error(gaz) -> None:
    """Hostile text: every mention is a span of the text, nothing raises."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    words = st.sampled_from(["Azerbaijan", "армяно-", "азербайджанского", "OSCE", "Minsk",
                             "Group", "İlham", "ё", "-", "'s", " ", "\n", "Сергеем", "Лавровым"])

    @settings(max_examples=200, deadline=None, derandomize=True)
    @given(st.lists(st.one_of(words, st.text(max_size=8)), max_size=30))
    def check(parts: list[str]) -> None:
        text = "".join(parts)
        for lang in ("en", "ru"):
            for start, end, entity in gaz.find(text, lang):
                assert 0 <= start < end <= len(text) and entity.id

    check()
