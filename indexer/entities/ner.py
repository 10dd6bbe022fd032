"""Natasha's Russian named-entity recogniser, loaded once per process on first use.

The model (slovnet's NER, with navec embeddings) ships inside the ``natasha``
wheel: nothing is downloaded.  Only the two model files are taken from it,
through ``slovnet`` and ``navec`` (natasha's own ``__init__`` would import its
whole toolkit, pymorphy2 included).  A run costs milliseconds, so the people
tagger asks only about the few name candidates it cannot settle with pymorphy3
alone, and remembers each answer (``is_person``).
"""

from __future__ import annotations

import importlib.util
import logging
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any

EMBEDDING = Path("emb") / "navec_news_v1_1B_250K_300d_100q.tar"
MODEL = Path("model") / "slovnet_ner_news_v1.tar"
log = logging.getLogger(__name__)
#: Candidates whose answer is remembered.
KEPT = 50_000

_tagger: Any = None
_warned = False
_lock = threading.Lock()


class NerUnavailable(RuntimeError):
    """natasha (or its model files) is not installed."""


def model_folder() -> Path:
    spec = importlib.util.find_spec("natasha")
    if spec is None or spec.origin is None:
        raise NerUnavailable("the natasha package is not installed (pip install natasha)")
    return Path(spec.origin).parent / "data"


def tagger() -> Any:
    """The slovnet NER tagger with natasha's news model (loaded once, ~1 s)."""
    global _tagger
    if _tagger is None:
        with _lock:
            if _tagger is None:
                from slovnet import NER

                folder = model_folder()
                for part in (EMBEDDING, MODEL):
                    if not (folder / part).is_file():
                        raise NerUnavailable(f"natasha's model file {folder / part} is missing")
                ner = NER.load(str(folder / MODEL))
                ner.navec(_embeddings(folder / EMBEDDING))
                _tagger = ner
    return _tagger


def _embeddings(path: Path) -> Any:
    """The navec embeddings as slovnet's NER takes them: the model id and the
    quantised vectors.  ``Navec.load`` would also build its 250,000-word
    vocabulary and the tables of its similarity measure, which the NER never
    uses: two thirds of the model's load time, and some 60 MB per process."""
    from navec import Navec
    from navec.meta import Meta
    from navec.navec import META, PQ_
    from navec.pq import PQ
    from navec.tar import Tar

    class LeanPQ(PQ):
        def precompute(self) -> None:
            """Nothing: the norms and products are for ``Navec.sim`` only."""

    with Tar(str(path)) as tar:
        meta = Meta.from_file(tar.load(META))
        Meta.check_protocol(meta.protocol)
        return Navec(meta, None, LeanPQ.from_file(tar.load(PQ_)))


def available() -> bool:
    """Whether the recogniser can be loaded (natasha and its model files installed)."""
    try:
        tagger()
    except NerUnavailable:
        return False
    return True


@lru_cache(maxsize=KEPT)
def is_person(text: str) -> bool:
    """Whether the recogniser reads all of ``text`` (a short candidate such as
    "Халаф Халафов") as one person.  The text alone is asked, without its
    sentence: the answer is then the same wherever the name occurs, and in
    whatever order releases are indexed."""
    if not available():
        # Without the model only the names pymorphy3 settles are found: a model
        # missing from an installation must not stop indexing.
        global _warned
        if not _warned:
            _warned = True
            log.warning("natasha's NER model is not installed: Russian names pymorphy3 "
                        "cannot settle are left out")
        return False
    markup = tagger()(text)
    return any(span.type == "PER" and span.start == 0 and span.stop >= len(text.rstrip())
               for span in markup.spans)
