"""JSON Lines / JSON array records → releases."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from indexer.inputs.records import parse_json_text, release_from_record
from indexer.release import ReleaseError

RECORD = {
    "id": "mfa-2017-332",
    "date": "2017-11-21",
    "number": "332/17",
    "url": "https://mfa.example.org/en/news/332-17",
    "topics": ["visits", " bilateral "],
    "en": {"title": "Ministers met", "body": "The ministers met in Baku."},
    "ru": {"title": "Министры встретились", "body": "Министры встретились в Баку."},
}


def test_json_lines() -> None:
    second = {**RECORD, "id": "", "number": "333/17"}
    releases = parse_json_text(json.dumps(RECORD) + "\n\n" + json.dumps(second) + "\n")
    assert [r.id for r in releases] == ["mfa-2017-332", "2017-333"]
    assert releases[0].date == dt.date(2017, 11, 21)
    assert releases[0].topics == ["visits", "bilateral"]
    assert releases[0].languages == ["en", "ru"]


def test_json_array_and_pretty_printed_single_object() -> None:
    assert len(parse_json_text(json.dumps([RECORD, RECORD], indent=2))) == 2
    [release] = parse_json_text(json.dumps(RECORD, indent=2, ensure_ascii=False))
    assert release.number == "332/17"


@pytest.mark.parametrize(
    "text, reason",
    [
        ('{"en": {"title": "x"}}', "no release text"),
        (json.dumps({**RECORD, "date": "2019-13-45"}), "not YYYY-MM-DD"),
        (json.dumps(RECORD) + '\n{"en": {"title": "trunc', "line 2: invalid JSON"),
        ("[" * 50_000, "nested too deeply"),
        ('{"a": 1}', "no language object"),
        ("[1, 2]", "expected a JSON object"),
        (json.dumps({**RECORD, "topics": [1]}), "topics"),
        (json.dumps({**RECORD, "en": {"title": 5, "body": "x"}}), "must be strings"),
        ("  \n", "empty"),
    ],
)
def test_bad_records_are_refused_with_a_reason(text: str, reason: str) -> None:
    with pytest.raises(ReleaseError, match=reason):
        parse_json_text(text)


def test_unencodable_text_is_cleaned() -> None:
    text = ('{"en": {"title": "bad \\ud800 surrogate", "body": "nul\\u0000 here"}, '
            '"url": "https://mfa.example.org/\\ud800"}')
    [release] = parse_json_text(text)
    assert release.versions["en"].title == "bad ? surrogate"
    assert release.versions["en"].body == "nul here"
    assert release.url == "https://mfa.example.org/?"
    assert release.content_hash  # encodable now


def test_topics_may_be_one_string() -> None:
    release = release_from_record({**RECORD, "topics": "energy"})
    assert release.topics == ["energy"]
