"""User overrides applied after the enrichers: ``[tags] drop`` and ``rename``.

Front matter wins: ``drop`` and ``rename`` apply to inferred tags only, never to
tags given in an article's front matter, which are the author's explicit
choice. Both match a tag's name or slug, case-insensitively. A renamed tag
gets the slug of its new name.

Then tags are deduplicated by (kind, slug) — a given tag beats an inferred one,
else the higher score wins and the two tags' evidence is pooled — and put in a
fixed order: given tags first, then by kind (person, organization, place,
topic, keyword), score (highest first) and name.
"""

from __future__ import annotations

from feedtool._slug import tag_slug
from feedtool.config import Config
from feedtool.enrich._tags import pooled
from feedtool.model import NewsItem, Tag

KIND_ORDER = ("person", "organization", "place", "topic", "keyword")


def _keys(tag: Tag) -> set[str]:
    return {tag.name.casefold(), tag.slug.casefold()}


def _pool(winner: Tag, loser: Tag) -> Tag:
    """``winner`` with ``loser``'s mentions added to its evidence (inferred tags only)."""
    return winner if winner.given or loser.given else pooled(winner, loser)


def apply_overrides(item: NewsItem, config: Config) -> NewsItem:
    """``item`` with the configured drops and renames applied, deduplicated and ordered."""
    drop = {d.casefold() for d in config.tags.drop} | {tag_slug(d) for d in config.tags.drop}
    rename: dict[str, str] = {}
    for old, new in config.tags.rename.items():
        rename[old.casefold()] = new
        rename.setdefault(tag_slug(old), new)
    tags: dict[tuple[str, str], Tag] = {}
    for tag in item.tags:
        if not tag.given and (drop or rename):  # (most configurations have neither)
            if _keys(tag) & drop:
                continue
            new_name = next(
                (rename[k] for k in (tag.name.casefold(), tag.slug) if k in rename), None
            )
            if new_name is not None and new_name != tag.name:
                tag = tag.model_copy(update={"name": new_name, "slug": tag_slug(new_name)})
                if _keys(tag) & drop:
                    continue
        key = (tag.kind, tag.slug)
        other = tags.get(key)
        if other is None:
            tags[key] = tag
        elif (tag.given, tag.score) > (other.given, other.score):
            tags[key] = _pool(tag, other)
        else:
            tags[key] = _pool(other, tag)
    ordered = sorted(
        tags.values(),
        key=lambda t: (
            not t.given,
            KIND_ORDER.index(t.kind) if t.kind in KIND_ORDER else len(KIND_ORDER),
            # broader topics first: a level-2 topic can score as much as its parent
            t.kind == "topic" and t.parent is not None,
            -t.score,
            t.name.casefold(),
            t.name,
        ),
    )
    return item.model_copy(update={"tags": tuple(ordered)})
