"""Portal clients: fetch what municipalities publish, keep it as files, ingest it like any input.

``firstagenda`` walks a FirstAgenda portal's JSON API; ``client`` is the polite
HTTP client it uses (rate limit, robots.txt, retries, conditional requests).
"""
