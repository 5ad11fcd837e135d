"""Load what parse and enrich read once per process, before a pool forks.

The gazetteer, word lists, date patterns and cue tables are built on first
use (about a second of CPU and tens of MB). Pool workers are forked, so data
loaded in the build process beforehand is inherited, shared copy-on-write,
instead of being built again in every worker. ``gc.freeze`` (see
``_parse_all``) keeps the collector from touching, and so copying, those
pages in the workers.

The loads are reached the way articles reach them: a few invented articles
are parsed and enriched with the build's config, and the results dropped.
Whatever lazy table an enricher gains later is warmed without a list to keep
up to date. The samples stay in scripts the configured languages decide
without a statistical model (script, cues, stop words), so no lingua model is
loaded that the site's own articles would not load.
"""

from __future__ import annotations

import contextlib
import gc
import os
import sys
import warnings

import feedtool._tables as _tables
from feedtool.config import Config
from feedtool.enrich import enrich_item
from feedtool.parse import parse_article

# Invented copy that touches every kind of lookup: a dateline, titles and
# names, organisations, cities and countries, dates, a quote, a paragraph in
# the Arabic script and one in French.
_SAMPLES: tuple[str, ...] = (
    """Ministers in Lyon agree a new rail link to Milan
The French government and the European Commission set out a plan on Tuesday.
LYON, France, March 3 (Reuters) - Transport Minister Claire Dubois said on Tuesday that
the National Rail Agency would invest four billion euros in the line, Mrs Dubois told reporters.
"We expect the first trains in June 2030," said analyst John Reade of the World Bank in
Washington, who visited Tokyo and Cairo last week. Shares in Alstom rose 3% on the Paris
stock exchange after the announcement on 2 March 2024.
Ministers of Iran, Pakistan and Saudi Arabia will meet in Islamabad next month.
وزیر امور خارجه ایران و پاکستان در تهران و اسلام آباد درباره همکاری گفتگو کردند.
Le gouvernement a annoncé hier un nouveau plan pour les trains entre les deux villes.
""",
)


def preload(config: Config) -> None:
    """Build the one-off tables parse and the enabled enrichers read, in this process."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for number, text in enumerate(_SAMPLES):
            try:
                enrich_item(
                    parse_article(
                        text.encode("utf-8"), source_path=f"preload-{number}.txt", config=config
                    ),
                    config,
                )
            except Exception:  # a warm-up: the articles themselves report their errors
                continue
    # Babel's locale data was read to build the month and weekday names: the
    # tables hold what parsing needs, so workers forked next need not carry it.
    drop_babel()


def preload_kept(config: Config) -> None:
    """:func:`preload`, the tables read from the build's kept file; made first, when
    the file has none, by a short-lived child process that keeps them there.

    Making the tables (the gazetteer from tens of thousands of GeoNames rows,
    pycountry's and babel's data) leaves ~60 MB of garbage and scattered free
    memory in the process that made them, which the parse workers forked from
    it would each carry; read back, the same tables are ~13 MB. Without a
    file to keep them in (no folder, no signing key, no ``fork``) they are
    made here, as before.
    """
    if _tables.can_keep() and not _tables.has_tables() and hasattr(os, "fork"):
        parent = os.getpid()
        child = os.fork()
        if child == 0:  # pragma: no cover - the child, seen by the parent's result
            code = 1
            try:
                _die_with_parent()
                if os.getppid() != parent:  # died before the signal was asked for
                    os._exit(1)
                preload(config)
                code = 0 if _tables.save() else 1
            finally:
                os._exit(code)
        os.waitpid(child, 0)
        _tables.reopen()
    preload(config)


def _die_with_parent() -> None:
    """Linux: killed with the build (the child holds a copy of the build lock's
    descriptor, which a killed build must not leave held)."""
    if sys.platform.startswith("linux"):
        import ctypes
        import signal

        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def release(collect: bool = True) -> None:
    """Give back what parsing needed and rendering does not, before a render pool forks.

    Lingua's models (about 45 MB a language, loaded by whichever articles
    needed them) are unloaded; babel's locale data, read once to build the
    month and weekday names, is dropped; then, with ``collect``, the garbage
    parsing left is collected and glibc is asked to return freed memory to the
    system, so that the build process, and every render worker forked from
    it, is that much smaller. (A build that parsed a few edited articles
    leaves little garbage: a full collection would walk every object the
    process holds, a tenth of a second, for nothing.)
    """
    from feedtool.enrich.languages import release_models

    release_models()
    drop_babel(global_data=collect)
    if collect:
        # The lookup tables too: kept on disk (``feedtool._tables``), and read
        # again, each on its own, by whatever asks (rendering an undated
        # article reads the month names, not the gazetteer).
        _tables.release()
        gc.collect()
        trim_heap()


def drop_babel(*, global_data: bool = False) -> None:
    """Drop babel's locale data (read again if asked): the tables built from it keep
    what parse and render need. With ``global_data``, its global data too (~2 MB,
    read for the tables' month and weekday names), which a process about to
    render for long need not hold: read again if rendering asks for it."""
    babel = sys.modules.get("babel.localedata")
    clear = getattr(babel, "clear_caches", None)  # babel >= 2.12; it reads a file again when asked
    if clear is not None:
        clear()
    if global_data:
        core = sys.modules.get("babel.core")
        if getattr(core, "_global_data", None) is not None:
            core._global_data = None  # type: ignore[union-attr]


def trim_heap() -> None:
    """Return the free memory at the top and in the holes of the C heap to the system
    (glibc's ``malloc_trim``); nothing elsewhere."""
    if sys.platform.startswith("linux"):
        import ctypes  # here: a build that never trims (an edit's) does not load it

        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL("libc.so.6").malloc_trim(0)
