"""How tests/data/legacy-index and legacy-answers.json were made (run at commit 4848118).

Run from the repository root: PYTHONPATH=. python tests/data/legacy-build.py
"""
import json
import shutil
from pathlib import Path

from indexer.store import Store
from search.archive import Archive
from search.request import SearchRequest

root = Path("tests/data/legacy-index")
shutil.rmtree(root, ignore_errors=True)
files = (sorted(Path("samples/text").glob("*.txt"))[:8]
         + sorted(Path("samples/html").glob("*.html"))[:6])
Store(root).index_paths(files)
QUERIES = [
    dict(q=""), dict(q="visit"), dict(q="визит"), dict(q="caspian", langs=("ru",)),
    dict(q="gas export"), dict(q="\"prime minister\""), dict(q="minister", langs=("en",)),
    dict(q="", sort="newest"), dict(q="газ OR нефть"), dict(q="minister -energy"),
    dict(q="energy", sort="newest", per_page=5), dict(q="президент"), dict(q="caspain"),
]
answers = []
with Archive(root) as archive:
    for q in QUERIES:
        page = archive.search(SearchRequest(**q))
        answers.append({
            "request": {k: list(v) if isinstance(v, tuple) else v for k, v in q.items()},
            "total": page.total, "ids": [h["id"] for h in page.hits],
            "facets": {name: [[v["value"], v["count"]] for v in values]
                       for name, values in page.facets.items()},
        })
text = json.dumps(answers, ensure_ascii=False, indent=1) + "\n"
Path("tests/data/legacy-answers.json").write_text(text, encoding="utf-8")
