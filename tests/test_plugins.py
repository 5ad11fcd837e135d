"""Plugins by name: a third-party enricher and renderer picked up from ``feedtool.toml``.

The test plugin (``tests/data/plugin``) is installed the way pip leaves a
package: its code and a ``.dist-info`` folder with ``entry_points.txt`` in a
folder on ``sys.path``. feedtool finds it through ``importlib.metadata`` only.
Also here: the order checks at config load, and the import graph of the
package (stages only import downwards, no cycles).
"""

from __future__ import annotations

import ast
import re
import shutil
import sys
from pathlib import Path

import feedparser
import pytest
from click.testing import CliRunner

from feedtool import load_config
from feedtool.cli import main
from feedtool.errors import ConfigError
from feedtool.plugins import ENRICHERS, RENDERERS

ROOT = Path(__file__).resolve().parents[1]
PLUGIN = ROOT / "tests" / "data" / "plugin"
ALL_ENRICHERS = '"languages", "dates", "entities", "places_rtl", "topics", "keywords"'


@pytest.fixture
def installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The test plugin installed in a fresh folder on ``sys.path``, removed afterwards."""
    site = tmp_path / "site-packages"
    shutil.copytree(PLUGIN / "feedtool_testplugin", site / "feedtool_testplugin")
    info = site / "feedtool_testplugin-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: feedtool-testplugin\nVersion: 0.1\n", "utf-8"
    )
    shutil.copy(PLUGIN / "entry_points.txt", info / "entry_points.txt")
    monkeypatch.syspath_prepend(str(site))
    # Whatever this test loads is forgotten after it.
    for registry in (ENRICHERS, RENDERERS):
        # Built-ins first: registered into the copy, they would be gone with it
        # (their modules imported, so never registered again).
        registry._load_builtins()
        monkeypatch.setattr(registry, "_plugins", dict(registry._plugins))
        monkeypatch.setattr(registry, "_checked", set())
    monkeypatch.delitem(sys.modules, "feedtool_testplugin", raising=False)


def _project(tmp_path: Path, enrich: str, render: str) -> Path:
    project = tmp_path / "project"
    shutil.copytree(ROOT / "seeds", project / "seeds")
    text = (ROOT / "feedtool.toml").read_text("utf-8")
    text = text.replace("[enrich]\n", f"[enrich]\nenabled = [{enrich}]\n")
    (project / "feedtool.toml").write_text(text + f"\n[render]\nenabled = [{render}]\n", "utf-8")
    return project


def test_plugins_named_in_the_config_run_in_a_build(
    installed: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = _project(
        tmp_path,
        f'{ALL_ENRICHERS}, "shout"',
        '"rss", "html", "headlines", "feedtool_testplugin:undecorated"',
    )
    monkeypatch.chdir(project)
    result = CliRunner().invoke(main, ["build", "--no-ping"])
    assert result.exit_code == 0, result.output
    feeds = project / "feeds"
    # The renderers found by entry point and by dotted name wrote their files...
    headline = "Iran, Pakistan discuss expanding strategic partnership"
    assert (feeds / "headlines.txt").read_text("utf-8") == headline + "\n"
    assert (feeds / "count.txt").read_text("utf-8") == "1\n"
    # ...the enricher ran after keywords, which it needs...
    entry = feedparser.parse((feeds / "rss.xml").read_bytes()).entries[0]
    terms = [t.term for t in entry.tags]
    shouts = [t for t in terms if t.startswith("shout-")]
    keywords = [t for t in terms if " " in t or t.islower()]
    assert len(shouts) == 1 and int(shouts[0].removeprefix("shout-")) > 0
    assert len(keywords) >= int(shouts[0].removeprefix("shout-"))
    # ...and the renderers left out wrote nothing, nor are they linked.
    assert not (feeds / "atom.xml").exists() and not (feeds / "feed.json").exists()
    assert not (feeds / "sitemap.xml").exists() and not (feeds / "feeds.opml").exists()
    index = (feeds / "index.html").read_text("utf-8")
    assert "rss.xml" in index and "atom.xml" not in index and "feed.json" not in index


def test_plugin_order_is_checked_when_the_config_loads(installed: None, tmp_path: Path) -> None:
    project = _project(tmp_path, '"languages", "shout", "entities", "keywords"', '"rss"')
    with pytest.raises(ConfigError) as caught:
        load_config(project / "feedtool.toml")
    error = caught.value
    assert "enrich.enabled" in error.message and "'shout' needs 'keywords'" in error.message
    assert error.hint is not None and "before 'shout'" in error.hint
    lines = (project / "feedtool.toml").read_text("utf-8").splitlines()
    assert error.line is not None and lines[error.line - 1].startswith("enabled = [")
    assert "shout" in lines[error.line - 1]


def test_an_unknown_renderer_names_its_section_and_line(tmp_path: Path) -> None:
    project = _project(tmp_path, ALL_ENRICHERS, '"rss", "no_such_format"')
    with pytest.raises(ConfigError) as caught:
        load_config(project / "feedtool.toml")
    error = caught.value
    assert "render.enabled" in error.message and "'no_such_format'" in error.message
    assert error.hint is not None and "feedtool.renderers" in error.hint
    lines = (project / "feedtool.toml").read_text("utf-8").splitlines()
    assert error.line is not None and "no_such_format" in lines[error.line - 1]


def test_a_dotted_name_that_does_not_import_is_a_config_error(tmp_path: Path) -> None:
    project = _project(tmp_path, f'{ALL_ENRICHERS}, "no_such_package.module:tagger"', '"rss"')
    message = re.escape("cannot load enricher 'no_such_package.module:tagger'")
    with pytest.raises(ConfigError, match=message):
        load_config(project / "feedtool.toml")


@pytest.mark.parametrize(
    ("enabled", "message"),
    [
        ('"languages", "keywords"', "'keywords' needs 'entities'"),
        ('"languages", "keywords", "entities"', "'keywords' needs 'entities'"),
        ('"entities", "places_rtl", "languages"', "'places_rtl' must run after 'languages'"),
    ],
)
def test_builtin_enrichers_declare_what_runs_before_them(
    tmp_path: Path, enabled: str, message: str
) -> None:
    project = _project(tmp_path, enabled, '"rss"')
    with pytest.raises(ConfigError, match=message):
        load_config(project / "feedtool.toml")


def test_an_enricher_need_not_run_when_what_it_follows_is_off(tmp_path: Path) -> None:
    # 'after' orders; only 'needs' requires: places_rtl without languages is fine.
    project = _project(tmp_path, '"entities", "places_rtl"', '"html", "sitemap"')
    config = load_config(project / "feedtool.toml")
    assert config.enrich.enabled == ("entities", "places_rtl")


# --------------------------------------------------------------------------- import graph

# Lower layers never import higher ones (even inside a function): the shared
# modules, then parse, enrich, render, publish, serve, the API and the CLI on
# top. (The plugin registries import a stage package by its name, at run time:
# that is how plugins load, and no module names a higher one in an import.)
_LAYERS = {
    "feedtool.errors": 0,
    "feedtool._stamp": 0,  # the quick stamp's checks: standard library only
    "feedtool._beside": 0,  # work in a forked child: standard library only
    "feedtool._tables": 0,
    "feedtool._lingua": 0,  # lingua's detectors, all a model process imports: lingua only
    "feedtool._workers": 0,  # fresh worker processes over pipes: standard library only
    "feedtool._serve": 0,  # a worker's side of those pipes: a little of the standard library
    "feedtool.model": 1,
    "feedtool._text": 1,
    "feedtool._slug": 1,
    "feedtool._calendar": 1,
    "feedtool.plugins": 1,
    "feedtool.config": 2,
    "feedtool.parse": 3,
    "feedtool.enrich": 4,
    "feedtool.render": 5,
    "feedtool.store": 6,
    "feedtool._lock": 6,
    "feedtool.publish": 6,
    "feedtool.serve": 7,
    "feedtool": 8,  # the package's __init__: the public API
    "feedtool.cli": 9,
    "feedtool._noop": 10,  # the console entry point: the no-op answer, else the CLI
}


def _layer(module: str) -> int:
    parts = module.split(".")
    for size in range(len(parts), 0, -1):
        prefix = ".".join(parts[:size])
        if prefix in _LAYERS:
            return _LAYERS[prefix]
    raise AssertionError(f"{module} is in no layer: add it to _LAYERS")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"))
    typing_only = {
        id(node)
        for block in ast.walk(tree)
        if isinstance(block, ast.If) and "TYPE_CHECKING" in ast.unparse(block.test)
        for statement in block.body
        for node in ast.walk(statement)
    }
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("feedtool"):
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("feedtool")}
    return found


def _module_of(path: Path) -> str:
    relative = path.relative_to(ROOT).with_suffix("")
    parts = relative.parts[:-1] if relative.name == "__init__" else relative.parts
    return ".".join(parts)


def test_no_module_imports_a_higher_layer() -> None:
    wrong = []
    for path in sorted((ROOT / "feedtool").rglob("*.py")):
        module = _module_of(path)
        for imported in _imports(path):
            if _layer(imported) > _layer(module):
                wrong.append(f"{module} imports {imported}")
    assert wrong == []


def test_config_does_not_import_a_stage() -> None:
    imported = _imports(ROOT / "feedtool" / "config.py")
    assert not any(m.startswith(("feedtool.enrich", "feedtool.render")) for m in imported)


def test_a_stage_imports_each_of_its_public_modules(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # How a new built-in is "one new module": nothing lists the modules.
    package = tmp_path / "stage_under_test"
    package.mkdir()
    (package / "__init__.py").write_text(
        "from feedtool.plugins import import_modules\nimport_modules(__name__, __path__)\n"
    )
    (package / "newformat.py").write_text("LOADED = True\n")
    (package / "_helpers.py").write_text("LOADED = True\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    for name in ("stage_under_test", "stage_under_test.newformat", "stage_under_test._helpers"):
        monkeypatch.delitem(sys.modules, name, raising=False)
    __import__("stage_under_test")
    assert "stage_under_test.newformat" in sys.modules
    assert "stage_under_test._helpers" not in sys.modules


def test_by_default_every_builtin_renderer_runs_and_every_feed_format_is_one() -> None:
    from feedtool.config import default_config
    from feedtool.render.formats import FEED_FORMATS

    renderers = default_config().render.renderers()
    assert set(renderers) == set(RENDERERS.builtin_names())
    assert {"html", "sitemap", "opml"} <= set(renderers)
    assert {f.renderer for f in FEED_FORMATS} <= set(renderers)
