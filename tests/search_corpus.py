"""Test corpus and index builders for the search tests (tests/test_search_*.py).

The corpus is generated: hand-written releases for each query-language case
plus varied filler releases (dates, topics, language sets) for facet counts.
Indexes are built once per process with the real writer.
"""

from __future__ import annotations

import atexit
import datetime as dt
import random
import shutil
import tempfile
from functools import lru_cache
from pathlib import Path

from indexer.inputs.sources import read_releases
from indexer.release import Release, Version
from indexer.store import Store

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(__file__).resolve().parents[2] / "shared"
SEED = SHARED / "seed" / "release-332-17.txt"


def _release(n: int, date: str, topics: list[str], **versions: tuple[str, str]) -> Release:
    return Release(
        versions={lang: Version(lang, title, body) for lang, (title, body) in versions.items()},
        date=dt.date.fromisoformat(date),
        number=f"{n}/{date[2:4]}",
        url=f"https://example.org/press/{n}",
        topics=topics,
    )


def handwritten() -> list[Release]:
    """One release per behaviour under test; ids are "<year>-<n>"."""
    return [
        _release(101, "2017-03-02", ["caspian"],
                 en=("Caspian Sea status talks", "The sides discussed the legal status of the "
                     "Caspian Sea and the negotiations on a convention."),
                 ru=("Переговоры о статусе Каспийского моря", "Стороны обсудили правовой статус "
                     "Каспийского моря и ход переговоров о конвенции.")),
        _release(102, "2017-05-14", ["caspian", "energy"],
                 en=("Energy cooperation on the Caspian", "Ministers negotiate pipelines across "
                     "the sea floor."),
                 ru=("Энергетическое сотрудничество", "Каспийское море остаётся важным "
                     "маршрутом для энергетики.")),
        _release(103, "2016-09-30", ["caspian"],
                 ru=("Встреча в Баку", "На встрече говорили о каспийском море и рыболовстве.")),
        _release(104, "2015-06-11", ["bilateral"],
                 en=("Strategic partnership with Georgia", "The strategic partnership between "
                     "the two countries was reaffirmed by Minister Mammadyarov."),
                 ru=("Стратегическое партнерство с Грузией", "Министр Мамедъяров подтвердил "
                     "развитие стратегического партнерства между странами. Президент одобрил.")),
        _release(105, "2015-08-19", ["bilateral"],
                 en=("Partnership and strategy", "A partnership was signed; the strategic "
                     "aims were listed separately."),
                 ru=("Партнерство и стратегия", "Подписано партнерство; стратегическое видение "
                     "изложено отдельно.")),
        _release(106, "2018-01-22", ["bilateral"],
                 en=("Lavrov visits Baku", "Foreign Minister Lavrov held talks with the Minister "
                     "of Foreign Affairs."),
                 ru=("Визит Лаврова в Баку", "Министр иностранных дел Лавров провел переговоры "
                     "с Министерством иностранных дел. Президент принял министра.")),
        _release(107, "2018-02-03", ["culture"],
                 en=("Exhibition <script>alert(1)</script> opens", "An exhibition of "
                     "<b>carpets</b> & miniatures opened in Paris."),
                 ru=("Открылась выставка", "В Париже открылась выставка ковров.")),
        _release(108, "2016-04-04", ["culture"],
                 en=("Azerbaijani culture days", "Culture days of Azerbaijan were held."),
                 az=("Azərbaycan mədəniyyəti günləri", "Azərbaycan mədəniyyəti günləri keçirildi "
                     "Parisdə.")),
        _release(109, "2016-12-12", ["economy"],
                 en=("Trade turnover grows", "The Intergovernmental Commission reviewed trade "
                     "turnover and tourism."),
                 ru=("Товарооборот растет", "Межправительственная комиссия рассмотрела "
                     "товарооборот и туризм. Шифр ghtpbltyn.")),
        _release(110, "2017-07-07", ["karabakh"],
                 en=("Statement on the conflict", "The Armenia-Azerbaijan Nagorno-Karabakh "
                     "conflict must be settled through negotiation."),
                 ru=("Заявление о конфликте", "Армяно-азербайджанский нагорно-карабахский "
                     "конфликт должен быть урегулирован путем переговоров.")),
    ]


FILLER_TOPICS = ["energy", "culture", "economy", "bilateral", "karabakh", "tourism"]
FILLER_EN = {
    "energy": "Energy ministers discussed oil and gas exports.",
    "culture": "A concert of classical music was held at the embassy.",
    "economy": "The economic forum reviewed investment projects.",
    "bilateral": "The ambassadors discussed bilateral relations and visits.",
    "karabakh": "The co-chairs of the Minsk Group visited the region.",
    "tourism": "Tourism flows between the countries increased this season.",
}
FILLER_RU = {
    "energy": "Министры энергетики обсудили экспорт нефти и газа.",
    "culture": "В посольстве состоялся концерт классической музыки.",
    "economy": "Экономический форум рассмотрел инвестиционные проекты.",
    "bilateral": "Послы обсудили двусторонние отношения и визиты.",
    "karabakh": "Сопредседатели Минской группы посетили регион.",
    "tourism": "Туристические потоки между странами выросли в этом сезоне.",
}


def filler(count: int = 40, seed: int = 7) -> list[Release]:
    rng = random.Random(seed)
    out = []
    for i in range(count):
        topics = rng.sample(FILLER_TOPICS, rng.choice([1, 1, 2]))
        date = dt.date(2015, 1, 1) + dt.timedelta(days=rng.randrange(4 * 365))
        langs = rng.choice([("en", "ru")] * 5 + [("en",), ("ru",), ("en", "ru", "az")])
        versions = {}
        for lang in langs:
            if lang == "en":
                body = " ".join(FILLER_EN[t] for t in topics) + f" Meeting number {i}."
                versions["en"] = (f"Press release on {topics[0]} {i}", body)
            elif lang == "ru":
                body = " ".join(FILLER_RU[t] for t in topics) + f" Встреча номер {i}."
                versions["ru"] = (f"Пресс-релиз {i}", body)
            else:
                versions["az"] = (f"Mətbuat relizi {i}", "Nazirlər görüşdü Bakıda.")
        out.append(_release(200 + i, date.isoformat(), topics, **versions))
    return out


def corpus() -> list[Release]:
    return handwritten() + filler()


def seed_release() -> Release | None:
    """The real example release, or None when /work/shared is not there."""
    if not SEED.exists():
        return None
    return read_releases(SEED)[0]


def _tempdir(prefix: str) -> Path:
    path = Path(tempfile.mkdtemp(prefix=prefix))
    atexit.register(shutil.rmtree, path, ignore_errors=True)
    return path


def build_index(releases: list[Release], root: Path) -> Path:
    """Index ``releases`` under ``root`` with the real writer."""
    Store(root).add_releases(releases)
    return root


@lru_cache(maxsize=1)
def corpus_index() -> Path:
    """The generated corpus plus the seed release (when present), built once per process."""
    releases = corpus()
    seed = seed_release()
    if seed is not None:
        releases.append(seed)
    return build_index(releases, _tempdir("pressroom-search-"))
