"""A small schema.org checker for JSON-LD written with ``"@context": "https://schema.org"``.

It reads the vocabulary file (``schemaorg-30.0-current-https.jsonld``) and
reports, for every node of a JSON-LD tree: an ``@type`` that is not a class,
a property that is not a property, a property whose ``domainIncludes`` admits
neither the node's type nor any of its ancestors (``rdfs:subClassOf``), a
superseded term, and a nested node whose type fits none of the property's
``rangeIncludes``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_SCHEMA = "schema:"


def _ids(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        return [v["@id"] for v in value]
    return [value["@id"]]


def _types(node: dict[str, Any]) -> list[str]:
    raw = node["@type"]
    return raw if isinstance(raw, list) else [raw]


@dataclass(frozen=True)
class Vocabulary:
    classes: dict[str, set[str]]  # class → direct superclasses
    domains: dict[str, set[str]]  # property → domainIncludes
    ranges: dict[str, set[str]]  # property → rangeIncludes
    superseded: set[str]

    @classmethod
    def load(cls, path: Path) -> Vocabulary:
        graph = json.loads(path.read_text("utf-8"))["@graph"]
        classes: dict[str, set[str]] = {}
        domains: dict[str, set[str]] = {}
        ranges: dict[str, set[str]] = {}
        superseded: set[str] = set()
        for node in graph:
            ident = node["@id"]
            if not ident.startswith(_SCHEMA):
                continue
            name = ident[len(_SCHEMA) :]
            kinds = _types(node)
            if "rdfs:Class" in kinds:
                classes[name] = {
                    s[len(_SCHEMA) :]
                    for s in _ids(node.get("rdfs:subClassOf"))
                    if s.startswith(_SCHEMA)
                }
            if "rdf:Property" in kinds:
                domains[name] = {d[len(_SCHEMA) :] for d in _ids(node.get("schema:domainIncludes"))}
                ranges[name] = {r[len(_SCHEMA) :] for r in _ids(node.get("schema:rangeIncludes"))}
            if node.get("schema:supersededBy"):
                superseded.add(name)
        return cls(classes, domains, ranges, superseded)

    def ancestors(self, name: str) -> set[str]:
        """``name`` and every class it is a subclass of."""
        seen = {name}
        todo = [name]
        while todo:
            for parent in self.classes.get(todo.pop(), ()):
                if parent not in seen:
                    seen.add(parent)
                    todo.append(parent)
        return seen

    def problems(self, data: Any, where: str = "$") -> Iterator[str]:
        """Every violation in the tree ``data``, each naming its JSON path."""
        if isinstance(data, list):
            for number, value in enumerate(data):
                yield from self.problems(value, f"{where}[{number}]")
            return
        if not isinstance(data, dict):
            return
        if "@type" not in data:
            yield f"{where}: node without @type"
            return
        types = _types(data)
        lineage: set[str] = set()
        for kind in types:
            if kind not in self.classes:
                yield f"{where}: @type {kind!r} is not a schema.org class"
            elif kind in self.superseded:
                yield f"{where}: @type {kind!r} is superseded"
            lineage |= self.ancestors(kind)
        for key, value in data.items():
            if key.startswith("@"):
                continue
            if key not in self.domains:
                yield f"{where}.{key}: not a schema.org property"
                continue
            if key in self.superseded:
                yield f"{where}.{key}: superseded"
            if not self.domains[key] & lineage:
                yield f"{where}.{key}: not allowed on {'/'.join(types)}"
            for number, child in enumerate(value if isinstance(value, list) else [value]):
                if isinstance(child, dict) and "@type" in child:
                    child_lineage = set().union(*(self.ancestors(t) for t in _types(child)))
                    if not self.ranges[key] & child_lineage:
                        yield f"{where}.{key}[{number}]: {child['@type']} not in its range"
            yield from self.problems(value, f"{where}.{key}")
