"""The ``feedtool`` command line: a thin layer over the library.

Each command parses its options, calls one library function and turns a
``FeedtoolError`` into a one-line message and a non-zero exit status.
"""

from __future__ import annotations

import os
import sys
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from feedtool import __version__
from feedtool.errors import FeedtoolError, FeedtoolWarning

if TYPE_CHECKING:
    from feedtool.config import Config
    from feedtool.publish import BuildReport

# Heavy modules (pydantic models, the pipeline) are imported inside the
# commands: a build with nothing to do answers before it needs them.
CONFIG_FILENAME = "feedtool.toml"  # feedtool.config.CONFIG_FILENAME (a test checks they agree)

_CONFIG_OPTION = click.option(
    "-c",
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=CONFIG_FILENAME,
    show_default=True,
    help="The publication's config file.",
)


def _out_option(help: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    return click.option(
        "-o",
        "--out",
        default="feeds",
        show_default=True,
        type=click.Path(file_okay=False, path_type=Path),
        help=help,
    )


_STATE_OPTION = _out_option("Built site whose state gives the article's published id and dates.")


@contextmanager
def _errors_to_exit() -> Iterator[None]:
    try:
        yield
    except FeedtoolError as error:
        click.secho(f"error: {error}", fg="red", err=True)
        sys.exit(2)


@contextmanager
def _warnings_printed() -> Iterator[None]:
    """Print ``FeedtoolWarning``s as ``warning: file:line: …`` lines (one-shot commands)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", FeedtoolWarning)
        try:
            yield
        finally:
            for warning in caught:
                if isinstance(warning.message, FeedtoolWarning):
                    click.secho(f"warning: {warning.message}", fg="yellow", err=True)
                else:
                    warnings.showwarning(
                        warning.message, warning.category, warning.filename, warning.lineno
                    )


class _Group(click.Group):
    """A command group whose command list shows each summary whole.

    click cuts summaries to the terminal width ('Build feeds and pages from
    the articles in SEEDS (default:...'); a wrapped line reads better.
    """

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, command.get_short_help_str(limit=10_000)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="feedtool")
def main() -> None:
    """Turn plain-text news articles into enriched feeds and pages.

    \b
    Examples:
      feedtool init my-news && cd my-news   # a config and an example article
      feedtool new "Ferry fares to rise"    # seeds/ferry-fares-to-rise.txt
      feedtool build                 # seeds/ -> feeds/, with feedtool.toml
      feedtool show seeds/000_ae4195037769579a.txt
      feedtool serve --watch         # http://127.0.0.1:8000/
    """


@main.command()
@click.argument(
    "folder", default=".", required=False, type=click.Path(file_okay=False, path_type=Path)
)
@click.option("--title", default="My News", show_default=True, help="The publication's title.")
def init(folder: Path, title: str) -> None:
    """Start a project in FOLDER (default: here): feedtool.toml and seeds/welcome.txt.

    The config is commented key by key; nothing that exists is overwritten.

    \b
    Example:
      feedtool init my-news && cd my-news && feedtool build && feedtool serve
    """
    from feedtool.scaffold import init_project

    with _errors_to_exit():
        written = init_project(folder, title=title)
    for path in written:
        click.echo(f"wrote {path}")
    click.echo(f'next: feedtool new "Headline" (in {folder}), then feedtool build')


@main.command()
@click.argument("headline")
@click.option(
    "--seeds",
    default="seeds",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Articles folder to write into.",
)
@click.option("--draft", is_flag=True, help="Mark it draft = true (kept out of the feeds).")
def new(headline: str, seeds: Path, draft: bool) -> None:
    """Write a new article file for HEADLINE in SEEDS, with its front matter keys listed.

    \b
    Example:
      feedtool new "Ferry fares to rise" --draft
    """
    from feedtool.scaffold import new_article

    with _errors_to_exit():
        path = new_article(headline, seeds, draft=draft)
    click.echo(f"wrote {path}")


@main.command()
@click.argument(
    "seeds", default="seeds", type=click.Path(file_okay=False, path_type=Path), required=False
)
@_out_option("Output folder.")
@_CONFIG_OPTION
@click.option(
    "-j", "--jobs", type=click.IntRange(min=1), default=None, help="Worker processes [all cores]."
)
@click.option("--no-ping", is_flag=True, help="Do not notify the WebSub hub.")
@click.option(
    "-D", "--drafts", is_flag=True, help="Preview drafts (draft = true) too; the hub is not pinged."
)
@click.option(
    "-F",
    "--future",
    is_flag=True,
    help="Preview articles whose `published` is still to come; the hub is not pinged.",
)
@click.option(
    "--wait",
    type=click.FloatRange(min=0),
    default=0.0,
    show_default=True,
    help="Seconds to wait for another build of OUT to finish before giving up.",
)
@click.option("-q", "--quiet", is_flag=True, help="Print errors only.")
@click.option("-v", "--verbose", is_flag=True, help="Also print what each phase did and took.")
def build(
    seeds: Path,
    out: Path,
    config_path: Path,
    jobs: int | None,
    no_ping: bool,
    drafts: bool,
    future: bool,
    wait: float,
    quiet: bool,
    verbose: bool,
) -> None:
    """Build feeds and pages from the articles in SEEDS (default: seeds/).

    Writes RSS, Atom, JSON Feed, JSON-LD and HTML into OUT. Only what changed
    since the last build is parsed, rendered and written (the cache is
    OUT/.feedtool/; delete it to start afresh). A bad article is reported
    (file:line: what, how to fix) and skipped; the others are still
    published, and the exit status is 1. One build at a time writes OUT.
    A progress bar is drawn when stderr is a terminal.

    \b
    Example:
      feedtool build seeds -o feeds -c feedtool.toml
    """
    with _errors_to_exit():
        config_source = _read_config(config_path)
        quick = _quick_build(seeds, out, config_source, drafts=drafts, future=future, wait=wait)
    if quick is not None:
        report, others = quick
        _print_others(() if quiet else others)
    else:
        report = _full_build(
            seeds,
            out,
            config_path,
            config_source,
            jobs=jobs,
            ping=not no_ping,
            drafts=drafts,
            future=future,
            wait=wait,
            quiet=quiet,
        )
    if not quiet:
        for held in report.held:
            click.secho(f"notice: {held}", fg="cyan", err=True)
    for error in report.errors:
        click.secho(f"error: {error}", fg="red", err=True)
    if not quiet:
        for warning in report.warnings:
            click.secho(f"warning: {warning}", fg="yellow", err=True)
        for problem in report.ping_errors:
            click.secho(f"warning: WebSub ping: {problem}", fg="yellow", err=True)
    if verbose:
        click.echo(
            f"parsed {len(report.parsed)}, rendered {len(report.rendered)}, "
            f"written {len(report.written)}, removed {len(report.removed)}",
            err=True,
        )
        for phase, seconds in report.timings:
            click.echo(f"  {phase:<16} {seconds:8.3f} s", err=True)
        for path in report.written:
            click.echo(f"  wrote {path}", err=True)
        for path in report.removed:
            click.echo(f"  removed {path}", err=True)
        for path in report.dated_by_first_publication:
            click.echo(f"  dated by first publication (no date in it): {path}", err=True)
    if not quiet:
        click.echo(f"{out}: {report.summary()}")
    if report.errors:
        sys.exit(1)


def _read_config(path: Path) -> bytes | None:
    """The config file's bytes; ``None`` when unreadable (loading it names the problem)."""
    try:
        return path.read_bytes()
    except OSError:
        return None


def _quick_build(
    seeds: Path, out: Path, config_source: bytes | None, *, drafts: bool, future: bool, wait: float
) -> tuple[BuildReport, Sequence[Path]] | None:
    """The no-op fast path (see ``feedtool.publish._quick``): a report, or ``None``."""
    from feedtool._stamp import CACHE_DIRNAME, STORE_FILENAME, take_miss

    if config_source is None or not (out / CACHE_DIRNAME / STORE_FILENAME).is_file():
        return None
    if take_miss(os.fspath(seeds), os.fspath(out), config_source, drafts, future):
        return None
    from feedtool._lock import build_lock
    from feedtool.publish import _quick

    with build_lock(out, wait):
        return _quick.check(seeds, out, config_source, drafts=drafts, future=future)


def _full_build(
    seeds: Path,
    out: Path,
    config_path: Path,
    config_source: bytes | None,
    *,
    jobs: int | None,
    ping: bool,
    drafts: bool,
    future: bool,
    wait: float,
    quiet: bool,
) -> BuildReport:
    from feedtool._stamp import keep_until_exit, take_walk
    from feedtool.config import config_from_bytes, load_config
    from feedtool.publish import build as build_site
    from feedtool.publish._seeds import SeedScan, quick_scan

    # One walk of the seeds for the notices and the build (20,000 stats): the
    # console entry point's, when it walked them to find this is no no-op.
    walked = take_walk(os.fspath(seeds))
    keep_until_exit(walked)  # 20,000 paths and stats: freed by the process's end, if it is near
    with _errors_to_exit():
        if walked is not None:
            scan: SeedScan | None = SeedScan.of_walk(seeds, *walked)
        else:
            scan = quick_scan(seeds) if seeds.is_dir() else None
    _print_others(() if quiet or scan is None else scan.others)
    bar = _Bar(enabled=not quiet and sys.stderr.isatty())
    with _errors_to_exit():
        try:
            return build_site(
                seeds,
                out,
                load_config(config_path)
                if config_source is None
                else config_from_bytes(config_source, config_path),
                jobs=jobs,
                ping=ping,
                drafts=drafts,
                future=future,
                wait=wait,
                progress=bar,
                config_source=config_source,
                scan=scan,
            )
        finally:
            bar.close()
    raise AssertionError("unreachable")  # pragma: no cover - _errors_to_exit exits


def _print_others(others: Sequence[Path]) -> None:
    for other in others:
        click.secho(
            f"notice: {other}: not read (articles are .txt files; rename it to publish it)",
            fg="cyan",
            err=True,
        )


class _Bar:
    """A click progress bar per build phase, on a terminal only."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self._bar: Any = None

    def phase(self, label: str, total: int) -> None:
        self.close()
        if self.enabled and total > 0:
            self._bar = click.progressbar(length=total, label=label.ljust(10), file=sys.stderr)
            self._bar.__enter__()

    def advance(self, count: int = 1) -> None:
        if self._bar is not None:
            self._bar.update(count)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None


@main.command()
@click.argument("file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@_CONFIG_OPTION
@_STATE_OPTION
def show(file: Path, config_path: Path, out: Path) -> None:
    """Print the parsed and enriched NewsItem of FILE as JSON.

    The id and dates are the published ones when OUT holds a build that has
    the article, else those a build would give it now. Nothing is written.

    \b
    Example:
      feedtool show seeds/000_ae4195037769579a.txt
    """
    from feedtool.publish import preview

    with _errors_to_exit(), _warnings_printed():
        item = preview(file, _config_or_default(config_path), out)
    click.echo(item.model_dump_json(indent=2))


def _config_or_default(path: Path) -> Config:
    """The config, or a neutral default when the default file is absent."""
    from feedtool.config import default_config, load_config

    if not path.exists() and path == Path(CONFIG_FILENAME):
        return default_config()
    return load_config(path)


# Serving and embedding import heavier modules lazily, so `build` starts fast.


@main.command()
@click.argument(
    "out", default="feeds", required=False, type=click.Path(file_okay=False, path_type=Path)
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    default=8000,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port to listen on (0: any free port).",
)
@click.option("--watch", is_flag=True, help="Rebuild OUT when the seeds or the config change.")
@click.option(
    "--seeds",
    default="seeds",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Articles folder (built with --watch, -D or -F).",
)
@click.option(
    "--max-connections",
    type=click.IntRange(min=1),
    default=None,
    help="Connections held at most [just below the open-file limit]; the longest idle"
    " one makes room for a new one.",
)
@click.option(
    "--header-timeout",
    type=click.FloatRange(min=0.1),
    default=10.0,
    show_default=True,
    help="Seconds a client has to send a request's headers.",
)
@click.option(
    "-D",
    "--drafts",
    is_flag=True,
    help="Build SEEDS into OUT with drafts (draft = true) first, and on every change"
    " with --watch; the hub is not pinged.",
)
@click.option(
    "-F",
    "--future",
    is_flag=True,
    help="Build SEEDS into OUT with articles whose `published` is still to come, as -D does.",
)
@_CONFIG_OPTION
def serve(
    out: Path,
    host: str,
    port: int,
    watch: bool,
    seeds: Path,
    max_connections: int | None,
    header_timeout: float,
    drafts: bool,
    future: bool,
    config_path: Path,
) -> None:
    """Serve the built site in OUT (default: feeds/) on http://127.0.0.1:8000/.

    Feeds get their proper media types, ETag/Last-Modified (conditional GET
    answers 304) and gzip; nothing outside OUT is reachable. With --watch,
    SEEDS and the config are polled every second and OUT is rebuilt on change.

    \b
    Examples:
      feedtool serve                       # after `feedtool build`
      feedtool serve --watch --port 8080   # build now and on every change
      feedtool serve -D -F --watch         # preview drafts and embargoed articles
    """
    from feedtool.serve import serve as run_server

    with _errors_to_exit():
        run_server(
            out,
            host,
            port,
            watch,
            seeds,
            config_path,
            log=click.echo,
            max_connections=max_connections,
            header_timeout=header_timeout,
            drafts=drafts,
            future=future,
        )


@main.command()
@click.argument("file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@_CONFIG_OPTION
@_STATE_OPTION
def jsonld(file: Path, config_path: Path, out: Path) -> None:
    """Print the <script type="application/ld+json"> block of FILE's NewsArticle.

    Paste it into the <head> of the article's page on another site. The id
    and dates are the published ones when OUT holds a build that has the
    article, else those a build would give it now.

    \b
    Example:
      feedtool jsonld seeds/000_ae4195037769579a.txt
    """
    from feedtool.publish import preview
    from feedtool.render.jsonld import article_jsonld, script_block

    with _errors_to_exit(), _warnings_printed():
        config = _config_or_default(config_path)
        click.echo(script_block(article_jsonld(preview(file, config, out), config)))
