"""lxml's ``etree``, imported without the optional RELAX NG compact support.

When rnc2rng is installed (here a test extra, for the Atom grammar), importing
``lxml.etree`` imports it too, to offer ``RelaxNG.from_rnc_string``, which
feedtool never calls; and rnc2rng builds its parser as it is imported: most
of lxml's import time, a tenth of a second of every build that renders
(0.14-0.36 s against 0.02-0.07 s on a loaded machine). It is hidden while
lxml loads, so lxml does without it; whoever imports rnc2rng later gets it
as usual. A process that loaded lxml or rnc2rng already is left as it is.
"""

from __future__ import annotations

import sys

if "lxml.etree" not in sys.modules and "rnc2rng" not in sys.modules:
    sys.modules["rnc2rng"] = None  # type: ignore[assignment]
    try:
        import lxml.etree  # type: ignore[import-untyped, unused-ignore]  # noqa: F401
    finally:
        del sys.modules["rnc2rng"]

from lxml import etree  # type: ignore[import-untyped, unused-ignore]

__all__ = ["etree"]
