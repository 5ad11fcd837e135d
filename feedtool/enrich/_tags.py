"""How an enricher's tags join the ones an item already has: one rule for all.

Given tags (front matter) are the author's choice and always win; an
enricher's own tags from an earlier run are replaced, never doubled; the same
concept found by two enrichers can pool its evidence.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from feedtool.model import Evidence, NewsItem, Tag


def pooled(winner: Tag, loser: Tag, *, joint: bool = False) -> Tag:
    """``winner`` with ``loser``'s mentions added to its evidence.

    ``joint`` is for two enrichers that found the same concept: their scores add
    up and the rule names both ('gazetteer:country+gazetteer-fa').
    """
    a, b = winner.evidence, loser.evidence
    evidence = Evidence(
        mentions=a.mentions + b.mentions,
        where=tuple(dict.fromkeys((*a.where, *b.where))),
        matched=tuple(dict.fromkeys((*a.matched, *b.matched))),
        rule=f"{a.rule}+{b.rule}" if joint else a.rule,
    )
    update: dict[str, object] = {"evidence": evidence}
    if joint:
        update["score"] = round(winner.score + loser.score, 3)
    return winner.model_copy(update=update)


def merge_tags(
    item: NewsItem, inferred: Iterable[Tag], stale: Callable[[Tag], bool], *, pool: bool = False
) -> NewsItem:
    """``item`` with its inferred tags for which ``stale`` holds replaced by ``inferred``.

    An inferred tag with the slug or code of a given tag is left out. With
    ``pool``, one with the kind and slug of an inferred tag another enricher
    made is pooled into it (see ``pooled``) rather than added beside it.
    """
    taken = {t.slug for t in item.tags if t.given} | {t.code for t in item.tags if t.given}
    tags = [t for t in item.tags if t.given or not stale(t)]
    removed = len(tags) != len(item.tags)
    position = {(t.kind, t.slug): i for i, t in enumerate(tags) if not t.given} if pool else {}
    added = False
    for tag in inferred:
        if tag.slug in taken or (tag.code is not None and tag.code in taken):
            continue
        added = True
        i = position.get((tag.kind, tag.slug))
        if i is None:
            if pool:
                position[(tag.kind, tag.slug)] = len(tags)
            tags.append(tag)
        elif tag.evidence.rule not in tags[i].evidence.rule.split("+")[1:]:
            tags[i] = pooled(tags[i], tag, joint=True)  # (not twice when run again)
    if not added and not removed:
        return item
    return item.model_copy(update={"tags": tuple(tags)})
