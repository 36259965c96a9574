"""Settings of the fetch throughput bench's workers only; never in production.

The bench's pages are served on 127.0.0.1, which only FETCH_ALLOW_LOCAL_TARGETS lets the
fetch guard reach, and production settings (DJANGO_DEBUG=0) refuse to start with it. So the
workers load the development settings and then switch DEBUG off, as production runs: with
DEBUG on, Django wraps every query to log it, which production never pays for.
"""

from verify.settings import *  # noqa: F403

DEBUG = False
