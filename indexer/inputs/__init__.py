"""Reading releases: finding input files, decoding bytes, telling languages apart,
and parsing scraped text, HTML pages and JSON records into ``indexer.release.Release``.

Nothing here knows the index: ``indexer.store`` and ``webui.ingest`` call
``sources.read_releases`` / ``sources.parse_bytes`` and get releases or failures back.
"""
