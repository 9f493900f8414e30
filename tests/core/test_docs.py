"""The README is the front door: short, and every page it links to exists (a moved page breaks the link)."""

import re
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)


def test_the_readme_stays_a_front_door():
    assert len((ROOT / "README.md").read_bytes()) <= 12 * 1024


def test_every_local_link_in_the_readme_and_docs_points_at_a_file():
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    broken = []
    for page in pages:
        for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", page.read_text(encoding="utf-8")):
            if not (page.parent / target).exists():
                broken.append(f"{page.relative_to(ROOT)} → {target}")
    assert broken == []


def test_no_page_points_outside_the_repository():
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    assert [p.name for p in pages if "../shared" in p.read_text(encoding="utf-8")] == []
