"""Stamping: each article's permanent id, slug and URL, and its dates, from the state.

The state (``_state.State``) is what is remembered; the ``Stamper`` decides,
for the articles of one build, which record each one is; ``apply_stamp``
gives a loaded item what its stamp says.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from feedtool.config import Config
from feedtool.enrich.newsroom import newsroom_dates, newsroom_zone
from feedtool.model import NewsItem
from feedtool.publish._state import State, _Entry

if TYPE_CHECKING:
    from feedtool.publish._incremental import _Summary


@dataclass(frozen=True, slots=True)
class _Stamp:
    """An article's permanent id, slug and URL, its first publication and last edit seen,
    and the dates these give it (``date_published``, ``date_modified``)."""

    id: str
    slug: str
    url: str
    first_published: dt.datetime
    modified: dt.datetime | None
    date_published: dt.datetime
    date_modified: dt.datetime | None
    by_first_publication: bool = False
    #: Seconds the stamper added to the ``updated`` instant (``Stamper._distinct``).
    tiebreak: int = 0
    #: Seconds added to the publication: the tiebreak while it applies to the
    #: publication, and the last such one after an edit (``_Entry.published_shift``).
    published_shift: int = 0

    @property
    def updated(self) -> dt.datetime:
        """Atom's ``updated``: the last edit, else the publication."""
        return self.date_modified or self.date_published


#: (date_published, date_modified) as ISO strings, from newsroom lines.
NewsroomDates = Callable[["_Summary", dt.datetime], tuple[str | None, str | None]]


def apply_stamp(item: NewsItem, stamp: _Stamp, config: Config) -> NewsItem:
    """``item`` as published: its id, slug and URL, and dates completed from the state.

    A date written without a year ('Nov 27') takes it from first publication.
    """
    update: dict[str, object] = {"id": stamp.id, "slug": stamp.slug, "url": stamp.url}
    if item.date_published is None:
        newsroom = newsroom_dates(
            item, newsroom_zone(item, config), reference=stamp.first_published
        )
        update.update(newsroom)
        if "date_published" not in newsroom:
            update["date_published"] = stamp.first_published
            update["date_published_source"] = "first_published"
    if item.date_modified is None and "date_modified" not in update and stamp.modified:
        published = update.get("date_published") or item.date_published
        assert isinstance(published, dt.datetime)
        if stamp.modified > published:
            update["date_modified"] = stamp.modified
    if stamp.tiebreak or stamp.published_shift:
        update["date_published"] = stamp.date_published
        update["date_modified"] = stamp.date_modified
    return item.model_copy(update=update)


class Stamper:
    """Gives each article its permanent id, slug and dates from the state.

    Matching runs in passes, strongest first, over records not yet claimed:
    the front-matter id, then the file's path, then its exact bytes, then,
    only for records whose file is gone from this build, the body text and
    last the headline. So an edited file keeps its id, a renamed one too, and
    a new file that merely shares a headline or a body with a published
    article never takes its id.

    No two articles share an ``updated`` instant (see :meth:`_distinct`).
    """

    def __init__(
        self,
        state: State,
        config: Config,
        now: dt.datetime,
        newsroom: NewsroomDates | None = None,
    ) -> None:
        self.state = state
        self.config = config
        self.now = now
        self.newsroom = newsroom

    def stamp_all(self, articles: Sequence[_Summary]) -> dict[str, _Stamp]:
        entries = self.state.entries
        present = {a.source_path for a in articles}
        claimed: dict[str, str] = {}  # record id -> source path
        matched: dict[str, str] = {}  # source path -> record id

        def claim(article: _Summary, known: str | None) -> None:
            if known is not None and known in entries and known not in claimed:
                claimed[known] = article.source_path
                matched[article.source_path] = known

        by_path = {e.path: e.id for e in entries.values()}
        orphans = [e for e in entries.values() if e.path not in present]
        by_content = {e.content_hash: e.id for e in entries.values()}
        by_body = {e.body_hash: e.id for e in orphans}
        by_headline = {e.headline: e.id for e in orphans}
        passes: tuple[Callable[[_Summary], str | None], ...] = (
            lambda a: a.front_id,
            lambda a: None if a.front_id else by_path.get(a.source_path),
            lambda a: None if a.front_id else by_content.get(a.content_hash),
            lambda a: None if a.front_id else by_body.get(a.body_hash),
            lambda a: None if a.front_id else by_headline.get(a.headline),
        )
        for find in passes:
            for article in articles:
                if article.source_path not in matched:
                    claim(article, find(article))

        slugs_taken = {e.slug: e.id for e in entries.values()}
        undated = 0
        stamps: dict[str, _Stamp] = {}
        fresh: set[str] = set()  # paths of new or edited articles
        for article in articles:
            known = matched.get(article.source_path)
            if known is None or entries[known].content_hash != article.content_hash:
                fresh.add(article.source_path)
            if known is not None:
                entry = entries[known]
                if entry.content_hash != article.content_hash:
                    entry.modified = self.now.isoformat()
                entry.path, entry.content_hash = article.source_path, article.content_hash
                entry.body_hash, entry.headline = article.body_hash, article.headline
            else:
                if article.date_published is None:
                    # Undated articles first published by the same build get
                    # distinct times, a second apart in path order.
                    published = self.now - dt.timedelta(seconds=undated)
                    undated += 1
                else:
                    published = dt.datetime.fromisoformat(article.date_published)
                slug, number = article.slug, 2
                while slug in slugs_taken:
                    slug, number = f"{article.slug}-{number}", number + 1
                new_id = (
                    article.front_id
                    or f"tag:{self.config.host},{published.date().isoformat()}:{slug}"
                )
                entry = _Entry(
                    id=new_id,
                    slug=slug,
                    path=article.source_path,
                    content_hash=article.content_hash,
                    body_hash=article.body_hash,
                    headline=article.headline,
                    first_published=published.isoformat(),
                )
                entries[new_id] = entry
                slugs_taken[slug] = new_id
            stamps[article.source_path] = self._stamp(article, entry)
        return self._distinct(stamps, fresh)

    def restamp(
        self, articles: Sequence[_Summary], ids: dict[str, str], taken: set[dt.datetime]
    ) -> dict[str, _Stamp]:
        """:meth:`stamp_all` for edited articles only, the others unchanged since
        the build that wrote the state: ``ids`` gives each edited article's record
        (its path's, which no other article claims), ``taken`` the ``updated``
        instants (whole seconds) of all the others as that build stamped them.

        The same stamps as :meth:`stamp_all` of every article would give them:
        there, the unchanged articles keep their instants (distinct when the
        state was written), and then the edited ones, in path order, take the
        first free second at or after theirs.
        """
        entries = self.state.entries
        stamps: dict[str, _Stamp] = {}
        for article in articles:
            entry = entries[ids[article.source_path]]
            assert entry.path == article.source_path
            assert entry.content_hash != article.content_hash
            entry.modified = self.now.isoformat()
            entry.content_hash = article.content_hash
            entry.body_hash, entry.headline = article.body_hash, article.headline
            stamps[article.source_path] = self._stamp(article, entry)
        return self._distinct(stamps, set(stamps), set(taken))

    def _distinct(
        self, stamps: dict[str, _Stamp], fresh: set[str], taken: set[dt.datetime] | None = None
    ) -> dict[str, _Stamp]:
        """``stamps`` with no two ``updated`` instants in the same whole second.

        Two articles dated only by their day ("1 March"), or edited by the same
        build, would share one: feed readers that tell entries apart by it, and
        the W3C validator ("Two entries with the same value for atom:updated"),
        want them distinct. Articles that are unchanged since the last build
        keep the instant they had (their ``tiebreak`` is in the state); then
        new and edited articles, in path order, take the first free second at
        or after theirs. So the first article of a day stays at its time, the
        next one is a second later, and what is published never moves when
        another article arrives or goes. The tiebreak is added to the last
        edit, else to the publication, and shows in every format. Once an
        edit takes the tiebreak, the publication keeps the shift it had
        (``published_shift``): a published date never moves back.
        """
        entries = self.state.entries
        taken = set() if taken is None else taken
        ahead: dict[dt.datetime, dt.datetime] = {}
        unchanged = sorted((p for p in stamps if p not in fresh), key=lambda p: stamps[p].id)
        for path in (*unchanged, *sorted(fresh & set(stamps))):
            stamp = stamps[path]
            entry = entries[stamp.id]
            base = stamp.updated.replace(microsecond=0)
            on_publication = stamp.date_modified is None
            if path not in fresh:
                seconds = entry.tiebreak
            else:  # an edited article's publication keeps its second if it is free
                seconds = entry.published_shift if on_publication else 0
            if isinstance(base.tzinfo, dt.timezone):
                # A fixed offset: a second later on its clock is a second later.
                start = (base + dt.timedelta(seconds=seconds)).astimezone(dt.UTC)
                seconds += (_first_free(start, taken, ahead) - start) // _SECOND
            else:  # a zone's clock may jump: counted on it, second by second
                while base + dt.timedelta(seconds=seconds) in taken:
                    seconds += 1
            taken.add(base + dt.timedelta(seconds=seconds))
            entry.tiebreak = seconds
            if on_publication:
                entry.published_shift = seconds
            published_shift = entry.published_shift
            if seconds or published_shift:
                stamps[path] = dataclasses.replace(
                    stamp,
                    date_published=stamp.date_published + dt.timedelta(seconds=published_shift),
                    date_modified=(
                        stamp.date_modified + dt.timedelta(seconds=seconds)
                        if stamp.date_modified
                        else None
                    ),
                    tiebreak=seconds,
                    published_shift=published_shift,
                )
        return stamps

    def _stamp(self, article: _Summary, entry: _Entry) -> _Stamp:
        url = article.url
        if entry.slug != article.slug and url == self.config.absolute(
            f"articles/{article.slug}.html"
        ):
            url = self.config.absolute(f"articles/{entry.slug}.html")
        first = dt.datetime.fromisoformat(entry.first_published)
        edited = dt.datetime.fromisoformat(entry.modified) if entry.modified else None
        published = _time(article.date_published)
        modified = _time(article.date_modified)
        undated = False
        if published is None:
            if article.newsroom and self.newsroom is not None:
                found_published, found_modified = self.newsroom(article, first)
                published = _time(found_published)
                modified = modified or _time(found_modified)
            undated = published is None
            published = published or first
        if modified is None and edited is not None and edited > published:
            modified = edited
        return _Stamp(
            id=entry.id,
            slug=entry.slug,
            url=url,
            first_published=first,
            modified=edited,
            date_published=published,
            date_modified=modified,
            by_first_publication=undated,
        )


_SECOND = dt.timedelta(seconds=1)


def _first_free(
    start: dt.datetime, taken: set[dt.datetime], ahead: dict[dt.datetime, dt.datetime]
) -> dt.datetime:
    """The first instant of ``start``, ``start`` + 1 s, + 2 s… (UTC) not in ``taken``.

    ``ahead`` maps an instant to a later one, every instant from the first up
    to the second being taken: a day that dates hundreds of articles ("March
    26", midnight) would otherwise have its n-th article look at n - 1 taken
    seconds first, quadratic in the articles of a day (seconds of stamping at
    20,000 Reuters articles).
    """
    instant = start
    passed = []
    while instant in taken:
        passed.append(instant)
        instant = ahead.get(instant) or instant + _SECOND
    for earlier in passed:
        ahead[earlier] = instant
    return instant


def _time(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None
