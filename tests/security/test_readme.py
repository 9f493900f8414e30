"""The threat table in tests/security/README.md names tests that exist (a renamed test breaks the table)."""

import ast
import re
from pathlib import Path

HERE = Path(__file__).parent


def _defined(module: str) -> set[str]:
    tree = ast.parse((HERE / module).read_text(encoding="utf-8"))
    names = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            names.add(node.name)
        elif isinstance(node, ast.ClassDef):
            names.update(f"{node.name}::{item.name}" for item in node.body if isinstance(item, ast.FunctionDef))
    return names


def test_every_test_the_threat_table_names_exists():
    table = [line for line in (HERE / "README.md").read_text(encoding="utf-8").splitlines() if line.startswith("| ")]
    missing, module, seen = [], None, 0
    for line in table[1:]:
        for reference in re.findall(r"`((?:test_\w+\.py)?::[\w:]+)`", line.split("|")[-2]):
            named, _, test = reference.partition("::")
            module = named or module
            seen += 1
            if test not in _defined(module):
                missing.append(f"{module}::{test}")
    assert seen > 30 and missing == []
