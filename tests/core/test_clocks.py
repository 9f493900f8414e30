"""One way to set the clock (issue 14: 5, 8): shipped code never fakes time or patches objects — a service that
needs a date takes ``now=`` or ``today=`` and the demo passes it — and the tests move the clock with time-machine
(the ``travel_to`` fixture, or ``time_machine`` itself), never freezegun nor a patched ``timezone.now``."""

import ast
import re
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
SKIPPED = {".venv", "node_modules", "migrations", "staticfiles", "media", "locale", ".git"}
FAKES = {"unittest.mock", "mock", "freezegun", "time_machine"}
SETATTR = re.compile(r"setattr\(\s*(django\.utils\.)?timezone\s*,\s*[\"'](now|localdate|localtime)")
CLOCKS = ("timezone.now", "timezone.localdate", "timezone.localtime", "datetime.date.today", "datetime.datetime.now")


def _modules(under: Path):
    for path in sorted(under.rglob("*.py")):
        if not SKIPPED.intersection(path.relative_to(ROOT).parts):
            yield path


def _imports(tree: ast.AST) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_shipped_code_never_fakes_the_clock_nor_patches_objects():
    offenders = []
    for path in _modules(ROOT):
        if path.relative_to(ROOT).parts[0] == "tests":
            continue
        text = path.read_text()
        found = _imports(ast.parse(text, str(path))) & FAKES
        offenders += [f"{path.relative_to(ROOT)}: imports {name}" for name in sorted(found)]
        if SETATTR.search(text):
            offenders.append(f"{path.relative_to(ROOT)}: sets timezone's clock")
    assert not offenders, "\n".join(offenders)


def test_the_tests_move_the_clock_with_time_machine():
    offenders = []
    for path in _modules(ROOT / "tests"):
        if path.name == Path(__file__).name:
            continue
        text = path.read_text()
        if "freezegun" in _imports(ast.parse(text, str(path))):
            offenders.append(f"{path.relative_to(ROOT)}: freezegun")
        offenders += [
            f"{path.relative_to(ROOT)}: patches {clock}"
            for clock in CLOCKS
            if f'patch("django.utils.{clock}' in text or f"patch('django.utils.{clock}" in text or f'"{clock}"' in text
        ]
        if SETATTR.search(text):
            offenders.append(f"{path.relative_to(ROOT)}: sets timezone's clock")
    assert not offenders, "\n".join(offenders)
