"""The topic taxonomy: loading, labels, tagging through the analyzer, re-tagging."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from whoosh import index as whoosh_index

from indexer.documents import release_document
from indexer.location import live_index_dir
from indexer.release import Release, Version
from indexer.store import Store
from indexer.topics import DEFAULT_TAXONOMY, Taxonomy, TaxonomyError, analyzed_positions

SEED = Path(__file__).resolve().parents[3] / "shared" / "seed" / "release-332-17.txt"
DEFAULT_SLUGS = [
    "bilateral", "security", "economy", "energy", "transport",
    "culture", "organisations", "consular", "visits", "caspian",
]


@pytest.fixture(scope="module")
def taxonomy() -> Taxonomy:
    return Taxonomy.load()


def release(title: str, body: str, lang: str = "ru", **kw) -> Release:
    return Release(versions={lang: Version(lang, title, body)}, **kw)


def test_bundled_taxonomy_has_the_default_topics_in_both_languages(taxonomy):
    assert taxonomy.slugs == DEFAULT_SLUGS
    assert taxonomy.label("caspian", "en") == "Caspian Sea"
    assert taxonomy.label("caspian", "ru") == "Каспийское море"
    assert taxonomy.label("consular", "ru") == "Консульские вопросы"
    assert taxonomy.labels()["visits"] == {"en": "Visits and meetings", "ru": "Визиты и встречи"}
    # Slugs a JSON record brings along that the taxonomy does not know label themselves.
    assert taxonomy.label("space", "ru") == "space"
    for topic in taxonomy.topics:
        has_cyrillic = any(any("а" <= c <= "я" for c in k.lower()) for k in topic.keywords)
        has_latin = any(any("a" <= c <= "z" for c in k.lower()) for k in topic.keywords)
        assert has_cyrillic and has_latin, topic.slug


def test_inflected_russian_keyword_forms_match(taxonomy):
    # The taxonomy says "виза", "консульский"; the text has other case forms.
    text = release("О визовом режиме", "Консульского отдела посольства касается выдача виз.")
    assert "consular" in taxonomy.tag(text)
    # Phrase "Каспийское море" in the genitive, "правовой статус" in the prepositional.
    caspian = release("Переговоры", "Обсуждался вопрос о правовом статусе Каспийского моря.")
    assert taxonomy.explain(caspian)["caspian"] >= 2


def test_phrase_keywords_need_consecutive_words(taxonomy):
    apart = release("Note", "The sea was calm; a Caspian delegation arrived.", lang="en")
    together = release("Note", "The Caspian Sea was calm.", lang="en")
    scores_apart = taxonomy.explain(apart).get("caspian", 0)
    scores_together = taxonomy.explain(together).get("caspian", 0)
    # "Caspian" alone scores once; next to "Sea" the phrase scores too.
    assert scores_together == scores_apart + 1


def test_a_title_hit_is_enough_a_single_body_hit_is_not(taxonomy):
    assert "energy" in taxonomy.tag(release("Energy week opens", "Guests arrived.", lang="en"))
    assert "energy" not in taxonomy.tag(release("Guests", "Energy was mentioned.", lang="en"))


def test_bilingual_releases_do_not_score_twice(taxonomy):
    one = Release(versions={"en": Version("en", "Note", "Visa rules.")})
    both = Release(versions={
        "en": Version("en", "Note", "Visa rules."),
        "ru": Version("ru", "Записка", "Правила выдачи визы."),
    })
    assert taxonomy.explain(one)["consular"] == taxonomy.explain(both)["consular"] == 1


def test_analyzed_positions_group_lemmas_and_split_compounds():
    positions = analyzed_positions("the North-South коридора")
    assert positions[0] >= {"north-south", "north"}
    assert "south" in positions[1]
    assert "коридор" in positions[2]
    assert not any(term.startswith("=") for p in positions for term in p)


@pytest.mark.skipif(not SEED.exists(), reason="../shared/seed is not available")
def test_the_seed_release_gets_its_topics(taxonomy):
    from indexer.inputs.sources import read_releases

    seed = read_releases(SEED)[0]
    topics = taxonomy.tag(seed)
    assert {"bilateral", "visits", "caspian"} <= set(topics)


def test_json_topics_win_over_the_taxonomy(taxonomy):
    given = release("Визит", "Официальный визит и встреча министров.", topics=["culture"])
    assert "visits" in taxonomy.tag(given)
    assert release_document(given, taxonomy.tag)["topics"] == "culture"


def test_a_setting_points_at_another_taxonomy(tmp_path, monkeypatch):
    custom = tmp_path / "topics.toml"
    custom.write_text('[topics.space]\nen = "Space"\nru = "Космос"\nkeywords = ["спутник"]\n',
                      encoding="utf-8")
    monkeypatch.setenv("PRESSROOM_TOPICS", str(custom))
    loaded = Taxonomy.load()
    assert loaded.slugs == ["space"]
    assert loaded.tag(release("Запуск спутника", "Спутники запущены.")) == ["space"]


@pytest.mark.parametrize("text, message", [
    ("[topics", "not valid TOML"),
    ("title = 1\n", "no [topics.<slug>] tables"),
    ('[topics.Bad]\nkeywords = ["x"]\n', "must be lowercase"),
    ('[topics.x]\nkeywords = ["the"]\n', "no searchable words"),
])
def test_malformed_taxonomies_say_what_is_wrong(tmp_path, text, message):
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(TaxonomyError, match=message.replace("[", r"\[").replace(".", r"\.")):
        Taxonomy.load(path)


def test_retag_after_editing_the_taxonomy_without_reading_sources(tmp_path):
    records = [
        {"id": "a", "en": {"title": "Visa rules changed", "body": "New visa rules apply."}},
        {"id": "b", "en": {"title": "Ministers met", "body": "An official visit and a meeting."}},
        {"id": "c", "topics": ["energy"], "en": {"title": "Visa", "body": "Visa visa."}},
    ]
    source = tmp_path / "releases.jsonl"
    source.write_text("\n".join(json.dumps(r) for r in records), encoding="utf-8")
    root = tmp_path / "index"
    Store(root).index_paths([source])

    def topics() -> dict[str, str]:
        ix = whoosh_index.open_dir(str(live_index_dir(root)))
        with ix.searcher() as s:
            return {d["id"]: d["topics"] for d in s.all_stored_fields()}

    assert topics() == {"a": "consular", "b": "visits", "c": "energy"}

    edited = tmp_path / "topics.toml"
    text = DEFAULT_TAXONOMY.read_text(encoding="utf-8")
    # Visa questions become a topic of their own; "consular" loses them.
    text = text.replace('"visa", ', "").replace('"виза", ', "")
    text += '\n[topics.visas]\nen = "Visas"\nru = "Визы"\nkeywords = ["visa", "виза"]\n'
    edited.write_text(text, encoding="utf-8")
    source.unlink()  # re-tagging must not need the sources

    summary = Store(root, taxonomy=Taxonomy.load(edited)).retag()
    assert (summary.updated, summary.unchanged, summary.failed) == (1, 2, [])
    assert topics() == {"a": "visas", "b": "visits", "c": "energy"}
    # Nothing changed since: a second retag rewrites nothing.
    assert Store(root, taxonomy=Taxonomy.load(edited)).retag().updated == 0
