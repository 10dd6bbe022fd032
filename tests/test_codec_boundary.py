"""Only ``indexer/codec/`` touches Whoosh's private attributes (docs/architecture.md).

Read from the source (``ast``), over indexer/ outside codec/, search/ and webui/:

* ``x._name`` on anything but ``self``/``cls`` (our own objects keep their
  private state to themselves, so such an access is Whoosh's);
* ``getattr(x, "_name")`` and its kin, and ``from whoosh… import _name``;
* ``self._name`` in a subclass of a Whoosh class where a Whoosh base class uses
  that private name itself.
"""

from __future__ import annotations

import ast
import importlib
import inspect
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHECKED = ("indexer", "search", "webui")
CODEC = ROOT / "indexer" / "codec"
#: Private names of other libraries, allowed: (expression, why).
ALLOWED = {
    "os._exit": "the standard library's exit without clean-up, in a worker whose parent died",
}
ATTR_CALLS = {"getattr", "hasattr", "setattr", "delattr"}


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def _whoosh_bases(tree: ast.Module, cls: ast.ClassDef) -> list[type]:
    """The Whoosh classes ``cls`` derives from directly, resolved through the imports."""
    imported: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("whoosh"):
            for alias in node.names:
                imported[alias.asname or alias.name] = f"{node.module}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("whoosh"):
                    imported[alias.asname or alias.name] = alias.name
    bases = []
    for base in cls.bases:
        dotted = ast.unparse(base)
        head, _, rest = dotted.partition(".")
        if head not in imported:
            continue
        path = imported[head] + ("." + rest if rest else "")
        module, _, name = path.rpartition(".")
        try:
            found = getattr(importlib.import_module(module), name)
        except (ImportError, AttributeError):  # ``from whoosh import matching``
            found = importlib.import_module(path)
        bases.append(found)
    return bases


def _whoosh_uses(base: type, name: str) -> bool:
    for klass in base.__mro__:
        if not klass.__module__.startswith("whoosh"):
            continue
        try:
            source = inspect.getsource(klass)
        except (OSError, TypeError):
            continue
        if f"self.{name}" in source or f"    {name} =" in source:
            return True
    return False


def violations(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    where = path.relative_to(ROOT)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and _private(node.attr):
            text = ast.unparse(node)
            own = isinstance(node.value, ast.Name) and node.value.id in ("self", "cls")
            if not own and text not in ALLOWED:
                found.append(f"{where}:{node.lineno}: {text}")
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
              and node.func.id in ATTR_CALLS and len(node.args) >= 2
              and isinstance(node.args[1], ast.Constant)
              and isinstance(node.args[1].value, str) and _private(node.args[1].value)):
            found.append(f"{where}:{node.lineno}: {ast.unparse(node)}")
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("whoosh"):
            found += [f"{where}:{node.lineno}: import {a.name}" for a in node.names
                      if _private(a.name)]
        elif isinstance(node, ast.ClassDef):
            bases = _whoosh_bases(tree, node)
            for sub in ast.walk(node) if bases else ():
                if (isinstance(sub, ast.Attribute) and _private(sub.attr)
                        and isinstance(sub.value, ast.Name) and sub.value.id == "self"
                        and any(_whoosh_uses(base, sub.attr) for base in bases)):
                    found.append(f"{where}:{sub.lineno}: {ast.unparse(sub)} (Whoosh's own)")
    return found


def checked_files() -> list[Path]:
    return [path for package in CHECKED for path in sorted((ROOT / package).rglob("*.py"))
            if CODEC not in path.parents]


def test_only_the_codec_touches_whoosh_privates() -> None:
    found = [v for path in checked_files() for v in violations(path)]
    assert found == []


@pytest.mark.parametrize("source", [
    "def f(reader):\n    return reader._perdoc\n",
    "def f(m):\n    return getattr(m, '_data', None)\n",
    "from whoosh.index import _DEF_INDEX_NAME\n",
    "from whoosh import matching\nclass M(matching.UnionMatcher):\n"
    "    def f(self):\n        self._id = None\n",
])
def test_the_check_finds_private_access(tmp_path: Path, source: str) -> None:
    path = ROOT / "tests" / "artifacts" / "boundary_probe.py"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(source, encoding="utf-8")
    try:
        assert violations(path)
    finally:
        path.unlink()


def test_own_private_state_is_allowed(tmp_path: Path) -> None:
    path = ROOT / "tests" / "artifacts" / "boundary_probe_ok.py"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("from whoosh import fields\nclass F(fields.TEXT):\n"
                    "    def f(self):\n        self._analysis = None\n", encoding="utf-8")
    try:
        assert violations(path) == []
    finally:
        path.unlink()
