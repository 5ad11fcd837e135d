"""Validators shared by the tests: the real grammars and schemas from ../shared."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SCHEMAS = SHARED / "schemas"


def shared_path(*parts: str) -> Path:
    """A path under ../shared, or a clean skip when it is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} not found (../shared is not here)")
    return path


@functools.cache
def atom_grammar() -> etree.RelaxNG:
    """RFC 4287's RELAX NG grammar, compiled for lxml."""
    import rnc2rng

    grammar = rnc2rng.dumps(rnc2rng.load(str(shared_path("schemas", "atom-rfc4287.rnc"))))
    # rnc2rng declares the grammar's `namespace local = ""` as an (illegal)
    # empty prefix; no name uses it.
    return etree.RelaxNG(etree.fromstring(grammar.replace(' xmlns:local=""', "").encode()))


@functools.cache
def _json_schema(name: str) -> Any:
    import jsonschema

    schema = json.loads(shared_path("schemas", name).read_text("utf-8"))
    validator_class = jsonschema.validators.validator_for(schema)
    return validator_class(schema, format_checker=validator_class.FORMAT_CHECKER)


def jsonfeed_validator() -> Any:
    """A jsonschema validator for JSON Feed 1.1."""
    return _json_schema("jsonfeed-1.1.schema.json")


def ninjs_validator() -> Any:
    """A jsonschema validator for IPTC ninjs 3.1."""
    return _json_schema("ninjs-3.1.schema.json")


@functools.cache
def schemaorg() -> Any:
    """The schema.org 30.0 vocabulary checker."""
    from _schemaorg import Vocabulary

    return Vocabulary.load(shared_path("schemas", "schemaorg-30.0-current-https.jsonld"))
