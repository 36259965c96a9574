"""Nothing heavy at import time: starting the web app (settings, admin, every URL) loads
neither the scorer nor the fetching library; they load when intake first runs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "verify.settings")
import django
django.setup()
from django.urls import resolve
for path in ("/intake/", "/api/v1/intake/", "/api/v1/public/checked", "/admin/"):
    resolve(path)
import claims.intake_tasks
heavy = [name for name in ("trafilatura", "lxml.html", "pypdf", "sentencex", "claims.intake.scoring") if name in sys.modules]
print(",".join(heavy))
"""


def test_the_app_starts_without_the_heavy_modules() -> None:
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert result.stdout.strip() == ""
