"""Safe outbound HTTP for evidence URLs, and metadata extraction from what comes back.

`guard` decides whether a URL may be fetched, `client` fetches it through that check at
every hop, `extract` turns the fetched bytes into title, dates, authors and text.
Nothing here touches the database; Celery tasks and models call in from outside.
"""
