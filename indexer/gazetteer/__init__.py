"""One bilingual gazetteer of countries, international organisations and known
people, shared by the entity facets (issue 13) and the script-neutral name key
(issue 12).

    from indexer.gazetteer import Entity, Gazetteer, load_gazetteer
    gaz = load_gazetteer()
    gaz.find("армяно-азербайджанского конфликта", "ru")   # [(0, 23, AM), (0, 23, AZ)]

Data: ``indexer/gazetteer/data/*.toml`` (``indexer.gazetteer.datafiles``).
"""

from indexer.gazetteer.catalog import Gazetteer, load_gazetteer
from indexer.gazetteer.datafiles import GazetteerError
from indexer.gazetteer.model import Entity

__all__ = ["Entity", "Gazetteer", "GazetteerError", "load_gazetteer"]
