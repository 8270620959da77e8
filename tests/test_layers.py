"""The layers hold: an app imports only the apps below it (congress.layers.LAYERS), at the top of a module or
inside a function; the settings install every app of the project, in that order."""

import ast
from pathlib import Path

from django.apps import apps
from django.conf import settings

from congress.layers import LAYERS

ROOT = Path(__file__).resolve().parent.parent


def _imports(path: Path):
    """(line, module) of every absolute import in a file."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from ((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.lineno, node.module


def upward_imports(root: Path = ROOT) -> list[str]:
    out = []
    for rank, app in enumerate(LAYERS):
        for path in sorted((root / app).rglob("*.py")):
            for line, module in _imports(path):
                top = module.split(".")[0]
                if top in LAYERS and LAYERS.index(top) > rank:
                    out.append(f"{path.relative_to(root)}:{line} imports {module}")
    return out


def test_no_app_imports_an_app_above_it():
    assert upward_imports() == []


def test_the_check_sees_an_upward_import(tmp_path):
    """The test above can fail: a congress module that imports meetings (even inside a function) is caught."""
    (tmp_path / "congress").mkdir()
    (tmp_path / "congress" / "x.py").write_text("def f():\n    from meetings import reports\n")
    assert upward_imports(tmp_path) == ["congress/x.py:2 imports meetings"]


def test_every_app_of_the_project_is_a_layer_installed_in_order():
    ours = [c.name for c in apps.get_app_configs() if Path(c.path).parent == ROOT]
    assert ours == list(LAYERS)
    assert [a for a in settings.INSTALLED_APPS if a in LAYERS] == list(LAYERS)
    assert sorted(p.parent.name for p in ROOT.glob("*/apps.py")) == sorted(LAYERS)
