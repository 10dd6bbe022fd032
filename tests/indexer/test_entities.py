"""Countries, organisations and people of releases (issue 13): the tagger, the index
fields, retag, and a sample of the golden file (tests/golden/entities.toml)."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from whoosh import index as whoosh_index
from whoosh.qparser import QueryParser

from indexer.cli import cli
from indexer.entities import tag_release
from indexer.entities.evaluation import read_golden, score
from indexer.entities.mentions import english_mentions, russian_mentions
from indexer.fields import ENTITY_FIELDS, build_schema
from indexer.gazetteer.datafiles import BUNDLED
from indexer.inputs.sources import read_releases
from indexer.location import live_index_dir
from indexer.release import Release, Version
from indexer.store import Store

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT.parent / "shared" / "seed" / "release-332-17.txt"
GOLDEN = ROOT / "tests" / "golden" / "entities.toml"
#: A few releases of each kind: people in both scripts, English-only, Russian-only,
#: "армяно-азербайджанского", organisations by abbreviation.
SAMPLE = {
    "text/release-256-18.txt": "2018-256", "text/release-27-11.txt": "2011-27",
    "text/release-198-10.txt": "2010-198", "text/release-86-16.txt": "2016-86",
    "text/release-41-10.txt": "2010-41", "text/release-398-19.txt": "2019-398",
    "html/release-104-17.html": "2017-104", "html/release-150-15.html": "2015-150",
}

#: Every test here runs with the fast codec and with stock Whoosh (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("codec")


def release(en: str = "", ru: str = "", rid: str = "r1") -> Release:
    versions = {}
    if en:
        versions["en"] = Version("en", "", en)
    if ru:
        versions["ru"] = Version("ru", "", ru)
    return Release(versions=versions, id=rid)


@pytest.mark.skipif(not SEED.exists(), reason="the seed release is in ../shared")
def test_the_seed_release() -> None:
    [seed] = read_releases(SEED)
    tags = tag_release(seed)
    assert tags.countries == ["RU", "AZ", "AM", "IR"]  # the title names Russia first
    assert tags.people == {
        "elmar-mammadyarov": {"en": "Elmar Mammadyarov", "ru": "Эльмар Мамедъяров"},
        "sergey-lavrov": {"en": "Sergey Lavrov", "ru": "Сергей Лавров"},
        "ilham-aliyev": {"en": "Ilham Aliyev", "ru": "Ильхам Алиев"},
        "vladimir-putin": {"en": "Vladimir Putin", "ru": "Владимир Путин"},
    }


def test_a_sample_of_the_golden_file() -> None:
    golden = read_golden(GOLDEN)
    results = []
    for path, rid in SAMPLE.items():
        [found] = [r for r in read_releases(ROOT / "samples" / path) if r.id == rid]
        results.append((found, tag_release(found)))
    scores = score(golden, results)
    for kind, s in scores.items():
        assert (s.missed, s.wrong) == ([], []), kind


def test_names_transcribed_by_sound_meet_within_a_release() -> None:
    tags = tag_release(release(en="The film stars Keanu Reeves and Samara Lee.",
                               ru="В фильме снимался Киану Ривз."))
    assert tags.people == {"keanu-reeves": {"en": "Keanu Reeves", "ru": "Киану Ривз"}}


def test_one_value_per_person_across_scripts_and_spellings() -> None:
    tags = tag_release(release(
        en="Ambassador Rashad Mammadov met the press. Rashad Mammadov said more.",
        ru="Посол Рашад Мамедов встретился с прессой. Рашаду Мамедову задали вопросы."))
    assert tags.people == {"rashad-mammadov": {"en": "Rashad Mammadov", "ru": "Рашад Мамедов"}}


def test_a_known_person_keeps_the_id_and_the_release_its_spellings() -> None:
    tags = tag_release(release(en="Foreign Minister Elmar Mamedyarov met the press.",
                               ru="Министр Эльмар Мамедъяров встретился с прессой."))
    assert tags.people == {
        "elmar-mammadyarov": {"en": "Elmar Mamedyarov", "ru": "Эльмар Мамедъяров"}}
    russian_only = tag_release(release(ru="Сергей Лавров прибыл в Баку."))
    assert russian_only.people == {"sergey-lavrov": {"en": "Sergey Lavrov", "ru": "Сергей Лавров"}}


def test_a_person_in_one_script_is_labelled_in_it() -> None:
    tags = tag_release(release(ru="Заместитель министра Рашад Мамедов провёл встречу."))
    assert tags.people == {"rashad-mamedov": {"en": "Рашад Мамедов", "ru": "Рашад Мамедов"}}


@pytest.mark.parametrize(("text", "expected"), [
    ("Foreign Minister Elmar Mammadyarov met Deputy Minister Khalaf Khalafov.",
     ["Elmar Mammadyarov", "Khalaf Khalafov"]),
    ("the President of the Republic of Azerbaijan, H.E Mr Ilham Aliyev", ["Ilham Aliyev"]),
    ("The Caspian Sea and the Southern Gas Corridor", []),
    ("a visit to Heydar Aliyev International Airport", []),
    ("Prime Minister Narendra Modi's Twitter account", ["Narendra Modi"]),
    ("who became Pope Pius XII", ["Pius XII"]),
    ("President Ilham Aliyev and the OSCE Chairperson", ["Ilham Aliyev"]),
])
def test_english_candidates(text: str, expected: list[str]) -> None:
    found = [m.label for m in english_mentions(text, set()) if m.cued]
    assert found == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("Министр Иностранных Дел Эльмар Мамедъяров встретился с Сергеем Лавровым",
     ["Эльмар Мамедъяров", "Сергей Лавров"]),
    ("Президентом Ильхамом Алиевым и Владимиром Путиным", ["Ильхам Алиев", "Владимир Путин"]),
    ("Заместитель министра Халаф Халафов", ["Халаф Халафов"]),  # natasha decides
    ("Совместной Межправительственной Комиссии", []),
    ("в аэропорту имени Гейдара Алиева", []),
    ("в фильмах («Август Раш», «Зеленая миля»)", []),
])
def test_russian_names(text: str, expected: list[str]) -> None:
    assert [m.label for m in russian_mentions(text, set())] == expected


def test_a_stretch_read_before_gives_its_names_anywhere() -> None:
    """Candidates are remembered per stretch of capitalised words: the same
    stretch elsewhere gives the same name at its own offsets."""
    first = [m for m in english_mentions("Foreign Minister Elmar Mammadyarov said", set())
             if m.cued]
    text = "On Monday, Foreign Minister Elmar Mammadyarov said"
    again = [m for m in english_mentions(text, set()) if m.cued]
    assert [m.label for m in again] == [m.label for m in first] == ["Elmar Mammadyarov"]
    assert text[again[0].start:again[0].end] == "Elmar Mammadyarov"


def test_a_name_the_gazetteer_cuts_is_split_around_it() -> None:
    """A stretch a country's name cuts is read in place, even when it was read
    whole (and remembered) before."""
    text = "Foreign Minister Elmar Mammadyarov Azerbaijan Jeyhun Bayramov"
    assert [m.label for m in english_mentions(text, set())] == []  # five words: no name
    at = text.index("Azerbaijan")
    cut = english_mentions(text, set(range(at, at + len("Azerbaijan"))))
    assert [m.label for m in cut] == ["Elmar Mammadyarov", "Jeyhun Bayramov"]


def test_the_recogniser_is_asked_each_time_not_remembered_per_stretch(monkeypatch) -> None:
    """A stretch's candidates are remembered, the recogniser's answers are its own:
    a run it must settle follows what it says now."""
    from indexer.entities import ner

    text = "Заместитель министра Халаф Халафов"
    monkeypatch.setattr(ner, "is_person", lambda candidate: True)
    assert [m.label for m in russian_mentions(text, set())] == ["Халаф Халафов"]
    asked = []
    monkeypatch.setattr(ner, "is_person", lambda candidate: asked.append(candidate) or False)
    assert russian_mentions(text, set()) == []
    assert asked == ["Халаф Халафов"]


def test_the_recogniser_loads_without_navecs_vocabulary() -> None:
    """slovnet's NER takes the model id and the quantised vectors only."""
    from indexer.entities import ner

    embeddings = ner._embeddings(ner.model_folder() / ner.EMBEDDING)
    assert embeddings.vocab is None
    assert embeddings.pq.indexes.shape[0] == embeddings.pq.vectors
    assert ner.tagger() is not None and ner.is_person("Сергей Лавров")


def stored(root: Path) -> dict[str, dict]:
    ix = whoosh_index.open_dir(str(live_index_dir(root)))
    with ix.searcher() as searcher:
        return {d["id"]: d for d in searcher.all_stored_fields()}


def search(root: Path, field: str, value: str) -> list[str]:
    ix = whoosh_index.open_dir(str(live_index_dir(root)))
    with ix.searcher() as searcher:
        query = QueryParser(field, ix.schema).parse(value)
        return sorted(hit["id"] for hit in searcher.search(query, limit=None))


@pytest.fixture()
def sample_index(tmp_path: Path) -> tuple[Path, Path]:
    sources = tmp_path / "sources"
    sources.mkdir()
    for name in ("release-256-18.txt", "release-86-16.txt", "release-398-19.txt"):
        shutil.copy(ROOT / "samples" / "text" / name, sources / name)
    root = tmp_path / "index"
    Store(root).index_paths([sources])
    return root, sources


def test_the_index_holds_the_entity_fields(sample_index: tuple[Path, Path]) -> None:
    root, _ = sample_index
    docs = stored(root)
    assert docs["2018-256"]["country"] == "RU"
    assert docs["2018-256"]["person"] == "elmar-mammadyarov,sergey-lavrov"
    assert docs["2018-256"]["person_names"]["sergey-lavrov"] == {
        "en": "Sergey Lavrov", "ru": "Сергей Лавров"}
    assert docs["2016-86"]["org"] == "osce-minsk-group,un-security-council"
    assert docs["2016-86"]["country"] == "AZ,AM"
    assert "person_names" not in docs["2016-86"]
    assert search(root, "country", "AZ") == ["2016-86"]
    assert search(root, "org", "osce-minsk-group") == ["2016-86"]
    assert search(root, "person", "sergey-lavrov") == ["2018-256"]


def test_retag_applies_an_edited_gazetteer_without_the_sources(
        sample_index: tuple[Path, Path], tmp_path: Path, monkeypatch) -> None:
    root, sources = sample_index
    shutil.rmtree(sources)  # re-tagging must not need them
    gazetteer = tmp_path / "gazetteer"
    gazetteer.mkdir()
    text = (BUNDLED / "organisations.toml").read_text(encoding="utf-8")
    text += ('\n[organisations.sgc]\nlabel_en = "Southern Gas Corridor"\n'
             'label_ru = "Южный газовый коридор"\n')
    (gazetteer / "organisations.toml").write_text(text, encoding="utf-8")
    monkeypatch.setenv("PRESSROOM_GAZETTEER", str(gazetteer))
    summary = Store(root).retag()
    assert (summary.updated, summary.unchanged, summary.failed) == (1, 2, [])
    assert stored(root)["2019-398"]["org"] == "sgc,eu"
    assert Store(root).retag().updated == 0


def test_retag_gives_an_older_index_the_entity_fields(tmp_path: Path) -> None:
    schema = build_schema()
    for name in ENTITY_FIELDS:
        schema.remove(name)
    root = tmp_path / "index"
    folder = root / "gen-000001"
    folder.mkdir(parents=True)
    whoosh_index.create_in(str(folder), schema)
    (root / "CURRENT").write_text("gen-000001\n", encoding="utf-8")
    source = tmp_path / "r.jsonl"
    source.write_text(json.dumps({"id": "old", "en": {
        "title": "Visit", "body": "Foreign Minister Elmar Mammadyarov visited Armenia."}}),
        encoding="utf-8")
    Store(root).index_paths([source])  # an older index takes releases without the fields
    assert "country" not in stored(root)["old"]
    summary = Store(root).retag()
    assert summary.updated == 1
    doc = stored(root)["old"]
    assert (doc["country"], doc["person"]) == ("AM", "elmar-mammadyarov")
    assert search(root, "country", "AM") == ["old"]


def test_a_broken_gazetteer_is_a_usage_error(tmp_path: Path, sample_index, monkeypatch) -> None:
    root, _ = sample_index
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "people.toml").write_text("[people.x\n", encoding="utf-8")
    monkeypatch.delenv("PRESSROOM_GAZETTEER", raising=False)
    result = CliRunner().invoke(cli, ["retag", "--index", str(root), "--gazetteer", str(broken)])
    assert result.exit_code == 2
    assert "is not valid TOML" in result.output
    assert "PRESSROOM_GAZETTEER" not in os.environ  # the option's setting ends with the run


def test_without_the_ner_model_only_settled_names_are_found(monkeypatch) -> None:
    from indexer.entities import ner

    def missing():
        raise ner.NerUnavailable("no model here")

    monkeypatch.setattr(ner, "_tagger", None)
    monkeypatch.setattr(ner, "model_folder", missing)
    ner.is_person.cache_clear()
    try:
        text = "Заместитель министра Халаф Халафов и Сергей Лавров"
        assert [m.label for m in russian_mentions(text, set())] == ["Сергей Лавров"]
    finally:
        ner.is_person.cache_clear()


def test_any_release_text_is_tagged_without_error() -> None:
    from hypothesis import given, settings
    from hypothesis import strategies as st

    words = st.sampled_from(["Foreign Minister", "Elmar", "Mammadyarov", "Эльмар", "Мамедъяров",
                             "Mr.", "H.E", "«", "'s", "-", " ", ". ", "\n", "Самара", "XII"])

    @settings(max_examples=100, deadline=None, derandomize=True)
    @given(st.lists(st.one_of(words, st.text(max_size=6)), min_size=1, max_size=25),
           st.lists(st.one_of(words, st.text(max_size=6)), max_size=25))
    def check(en: list[str], ru: list[str]) -> None:
        tags = tag_release(release(en="".join(en) + " body", ru="".join(ru)))
        assert set(tags.people) == set(tags.fields().get("person_names", {}))
        assert all(set(labels) == {"en", "ru"} for labels in tags.people.values())

    check()
