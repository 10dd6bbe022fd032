"""Everything Whoosh reads back from an index, for comparing two ways of writing one."""

from __future__ import annotations

from pathlib import Path

from whoosh import index as whoosh_index


def read_back(folder: Path, *, drop_stored: tuple[str, ...] = (),
              columns: tuple[str, ...] = ()) -> dict:
    """Segments, stored fields (less ``drop_stored``), field lengths, every term's
    statistics and postings, and the given columns."""
    ix = whoosh_index.open_dir(str(folder))
    out: dict = {"segments": len(ix._segments())}
    with ix.reader() as reader:
        out["stored"] = [{k: v for k, v in doc.items() if k not in drop_stored}
                         for doc in reader.all_stored_fields()]
        out["doc_count"] = reader.doc_count_all()
        docnums = range(reader.doc_count_all())
        for name in reader.indexed_field_names():
            if reader.schema[name].scorable:
                out[f"len:{name}"] = ([reader.doc_field_length(d, name) for d in docnums],
                                      reader.field_length(name), reader.max_field_length(name))
            for term in reader.lexicon(name):
                info = reader.term_info(name, term)
                out[(name, term)] = (info.weight(), info.doc_frequency(), info.min_length(),
                                     info.max_length(), info.max_weight(),
                                     list(reader.postings(name, term).all_items()))
        for name in columns:
            out[f"column:{name}"] = list(reader.column_reader(name))
    return out
