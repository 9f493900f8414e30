"""Names: the pushed warning's model (``warnings_followup.models.Warning``) never hides the built-in ``Warning``
from code that means the built-in (docs/architecture.md, "Names")."""

import ast
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
SKIPPED = {".venv", "node_modules", "migrations", "staticfiles", "media", "locale"}
MODELS = ROOT / "warnings_followup" / "models.py"


def _names_the_model_warning(path: Path, tree: ast.AST) -> bool:
    """Does the module define the model, or import it as ``Warning`` (absolutely or from inside its app)?"""
    if path == MODELS:
        return True
    in_the_app = path.parent == MODELS.parent
    for node in ast.walk(tree):
        if not isinstance(node, ast.ImportFrom):
            continue
        module = node.module or ""
        from_models = module == "warnings_followup.models" or (in_the_app and node.level == 1 and module == "models")
        if from_models and any(alias.name == "Warning" and alias.asname is None for alias in node.names):
            return True
    return False


def _means_the_builtin(tree: ast.AST) -> list[int]:
    """Lines that mean the built-in warning category: ``warnings.*(...)``, ``except Warning``,
    ``category=Warning``, ``issubclass(..., Warning)``."""
    stdlib = any(
        isinstance(node, ast.Import) and any(alias.name == "warnings" and not alias.asname for alias in node.names)
        for node in ast.walk(tree)
    )  # ``warnings`` is also the usual name of a queryset of warnings
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            if (
                stdlib
                and isinstance(func, ast.Attribute)
                and isinstance(func.value, ast.Name)
                and func.value.id == "warnings"
            ):
                lines.append(node.lineno)
            if isinstance(func, ast.Name) and func.id == "issubclass":
                if any(isinstance(arg, ast.Name) and arg.id == "Warning" for arg in node.args[1:]):
                    lines.append(node.lineno)
            if any(
                keyword.arg == "category" and isinstance(keyword.value, ast.Name) and keyword.value.id == "Warning"
                for keyword in node.keywords
            ):
                lines.append(node.lineno)
        if isinstance(node, ast.ExceptHandler) and node.type is not None:
            caught = node.type.elts if isinstance(node.type, ast.Tuple) else [node.type]
            if any(isinstance(name, ast.Name) and name.id == "Warning" for name in caught):
                lines.append(node.lineno)
    return lines


def test_no_module_that_names_the_model_warning_means_the_builtin():
    offenders = []
    for path in ROOT.rglob("*.py"):
        if SKIPPED.intersection(path.relative_to(ROOT).parts):
            continue
        text = path.read_text("utf-8")
        if "Warning" not in text:
            continue
        tree = ast.parse(text)
        if _names_the_model_warning(path, tree):
            offenders += [f"{path.relative_to(ROOT)}:{line}" for line in _means_the_builtin(tree)]
    assert not offenders, (
        "these modules name the Warning model `Warning` and also mean the built-in warning category; import the "
        "model as `Warning as WarningOrder` there:\n  " + "\n  ".join(offenders)
    )


def test_the_check_finds_the_builtin_where_the_model_is_imported():
    tree = ast.parse(
        "import warnings\nfrom warnings_followup.models import Warning\n"
        "warnings.warn('old', DeprecationWarning)\ntry:\n    pass\nexcept Warning:\n    pass\n"
    )
    assert _names_the_model_warning(ROOT / "x.py", tree)
    assert _means_the_builtin(tree) == [3, 6]
    aliased = ast.parse("from warnings_followup.models import Warning as WarningOrder\n")
    assert not _names_the_model_warning(ROOT / "x.py", aliased)
