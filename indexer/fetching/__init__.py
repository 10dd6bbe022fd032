"""`pressroom fetch`: pull new and changed releases from a ministry's web site.

``client``: the polite HTTP client (robots.txt, User-Agent, one request per
second per host, conditional GET, retries honouring Retry-After, timeouts, a
size limit); ``sources``: the sources file and how each kind of source (feed,
sitemap, listing page) lists its release pages; ``fetcher``: one run over a
source, remembered in the ledger (indexer/ledger.py).
"""
