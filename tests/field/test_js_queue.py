"""The offline queue's JavaScript unit tests (static/field/tests/), run with node's built-in test runner."""

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_the_queue_logic_passes_its_javascript_tests():
    node = shutil.which("node")
    if node is None:
        pytest.fail("node (v20 or later) is needed to run static/field/tests/ (apt-get install nodejs)")
    result = subprocess.run(
        [node, "--test", "static/field/tests/"], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "# fail 0" in result.stdout
