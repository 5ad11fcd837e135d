"""Newsroom lines: bylines, wire trailers, date lines, corrections and datelines.

Copy pasted from a newsroom system carries lines that are not article text:

* a byline under the headline: 'By Jane Doe and Tom Wilson', 'By Jane Doe,
  Health Correspondent', 'By Jane Doe in Paris', 'Par … (AFP)', 'Por …', 'Von …',
  'Reporting by …', 'بقلم: …', 'نویسنده: …', 'تحریر: …', or a name line over a
  job-title or agency line ('Helen Marsh' / 'Industry Correspondent, Reuters');
* a wire trailer closing the story: '(Reporting by A in Paris; Editing by B)';
* date lines near the top: 'Published 13 November 2025', a bare date line
  'Sunday 23 November 2025', 'Updated at 14:00 GMT', 'Last updated …';
* correction notices anywhere: 'Correction, 21 November 2025: …', 'Clarification: …';
* a dateline opening the lead: 'LONDON, Nov 27 (Reuters) -', 'Berlin (dpa) -',
  'MADRID, 25 nov (EFE).-', '(ANSA) - ROMA, 27 NOV -', 'تهران -'.

The first four leave the body and become data (authors, date lines,
corrections); the dateline stays in the lead and is recorded beside it.
Every rule reads the shape of a line (its label, a date, capitalised names,
a parenthesised agency), never particular names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from feedtool._calendar import FoundDate, FoundTime, find_date, find_time
from feedtool._text import is_weekday
from feedtool.model import Correction, DateLine, Dateline, DateLineKind, Person

from ._blocks import Unit

__all__ = ["Newsroom", "dateline_of", "extract"]

_HEADER_UNITS = 8  # bylines and date lines sit among the first few lines
_BYLINE_MAX_WORDS = 16
_NAME_MAX_WORDS = 4
_DATELINE_WINDOW = 110  # the dash ending a dateline comes within this many characters
_TRAILER_UNITS = 3
_TRAILER_MAX_CHARS = 300

# ---------------------------------------------------------------------------- vocabulary


# Words a job title in a byline is made of ('Health Correspondent', 'Chief
# Political Reporter'); a byline part with one of them is a title, not a name.
def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_ROLE_WORDS = _words(
    """
    correspondent correspondents editor editors reporter reporters writer writers staff
    journalist journalists columnist columnists analyst producer producers presenter
    contributor contributors chief bureau desk team service services newsroom
    envoy critic commentator photographer videographer
    correspondant correspondante envoyé envoyée spécial spéciale rédaction rédacteur
    rédactrice journaliste corresponsal redactor redactora enviado enviada especial
    periodista korrespondent korrespondentin redakteur redakteurin redaktion
    corrispondente inviato inviata giornalista redazione repórter correspondente
    redação jornalista
    """
)
# News agencies and wire services: an agency after a byline's comma is an
# affiliation, and an unparenthesised one ends a dateline ('Tehran, IRNA --').
AGENCIES = _words(
    """
    reuters reuter ap afp efe dpa ansa xinhua aa anadolu wam qna irna isna tasnim mehr
    kuna spa mena sana petra wafa bna ona suna map tap aps upi bloomberg kyodo yonhap
    pti ians uni app bernama antara tass ria interfax ukrinform pap ctk mti anp belga
    apa sda ntb tt ritzau stt lusa kna cna vna pna aap nzpa notimex télam epa agi
    adnkronos europa press sputnik kcna ina nna
    """
)
# Words of a publication's name: 'By Jane Doe, BBC News' names an affiliation.
_MEDIA_WORDS = _words(
    "news press times agency media post herald journal radio television tv daily online "
    "magazine network tribune gazette chronicle telegraph guardian observer wire"
)
_PARTICLES = _words(
    "de del della di da dos das do van von der den ter le la bin ibn al el abu ben y e"
)
_BYLINE_LABEL = re.compile(r"^(?:By|BY|Par|PAR|Por|POR|Von|VON|Door|Av|Di)\s+(?=\S)")
_NAME_JOINERS = re.compile(r"\s*(?:,|;|&|\band\b|\bund\b|\bet\b|\by\b|\be\b|\ben\b)\s*")
_IN_PLACE = re.compile(r"\s+(?:in|en|à|a|aus|em|in)\s+(\S.*)$")
# A word of a name or place: a capital letter of any alphabet, then letters
# and the marks names carry ('O'Neill', 'Jean-Luc', 'J.', 'Dallas/Fort').
_WORD = re.compile(r"^[^\W\d_][^\W\d_'’./-]*(?:['’./-][^\W\d_]*)*\.?$")

_TRAILER = re.compile(r"^\(?\s*(?P<body>.*?)\s*\)?\s*\.?$")
_TRAILER_CLAUSE = re.compile(
    r"^(?P<role>(?:Additional\s+)?(?:reporting|writing|editing|compiled|reported|"
    r"written|edited|research|graphics|fact[- ]checking|words|story|text)"
    r"(?:\s+and\s+(?:reporting|writing|editing))?)\s+by\s+(?P<names>\S.*)$",
    re.IGNORECASE,
)
_TRAILER_TITLES = {"editing": "Editor", "edited": "Editor", "writing": "Writer"}

_PUBLISHED_LABEL = re.compile(
    r"^(?:First\s+)?(?:Published|Posted|Publié|Publiée|Publicado|Publicada|Veröffentlicht|"
    r"Pubblicato|Pubblicata|Gepubliceerd)(?:\s+(?:on|le|el|am|il|em|op))?\s*[:,]?\s*",
    re.IGNORECASE,
)
_UPDATED_LABEL = re.compile(
    r"^(?:Last\s+updated|Last\s+modified|Updated|Update|Modified|Mis\s+à\s+jour|Mise\s+à\s+jour|Actualizado|"
    r"Actualizada|Actualización|Aktualisiert|Aggiornato|Aggiornata|Atualizado|Atualizada|"
    r"Bijgewerkt)(?:\s+(?:on|at|le|à|el|a\s+las|am|um|il|alle|em|às|op))*\s*[:,]?\s*",
    re.IGNORECASE,
)
# 'This article was updated on 28 November 2025 to add …': the notice stays.
_UPDATE_NOTICE = re.compile(
    r"^(?:This|The)\s+(?:article|story|report|page)\s+(?:was|has\s+been)\s+"
    r"(?:updated|amended|revised)\b",
    re.IGNORECASE,
)
_UPDATED_INSIDE = re.compile(
    r"\s*[,;|•·]\s*(?=(?:last\s+)?(?:updated|modified|mis\s+à\s+jour|actualizado|aktualisiert|"
    r"aggiornato|atualizado)\b)",
    re.IGNORECASE,
)
_CORRECTION_LABEL = re.compile(
    r"^(?P<label>Correction|Corrections|Clarification|Corrigendum|Erratum|Rectificatif|"
    r"Rectification|Corrección|Aclaración|Fe\s+de\s+erratas|Korrektur|Berichtigung|"
    r"Richtigstellung|Rettifica|Correzione|Correção|Errata|Correctie)\b\s*"
    r"(?P<rest>.*)$",
    re.IGNORECASE,
)
_CLARIFICATION = re.compile(r"^(?:clarification|aclaración|richtigstellung)", re.IGNORECASE)
_LEADING_PUNCT = " ,:;.-–—()"

# ---------------------------------------------------------------------------- datelines

_SEPARATOR = re.compile(r"\.?(?:--|[-–—])|:")
_AGENCY_TAIL = re.compile(
    r"[,،]?\s*(?:\((?P<agency>[^()]{1,40})\)|/(?P<wire>[^/\s][^/]{0,38})/)\s*\.?\s*$"
)
_AGENCY_HEAD = re.compile(r"^\((?P<agency>[^()]{1,40})\)\s*(?:--|[-–—])\s*")
_ARABIC_PLACE = re.compile(r"^[\u0600-\u06FF]+(?:\s+[\u0600-\u06FF]+){0,2}$")
_ARABIC_AGENCY = re.compile(r"\s*(?P<agency>[\u0600-\u06FF]+(?:\s[\u0600-\u06FF]+)?)\s*[-–—]")
_ARABIC_REGION = re.compile(r"^[\u0600-\u06FF\s]{2,30}$")
# All-capitals words opening a lead that are kickers, not places.
_KICKERS = _words(
    "BREAKING UPDATE UPDATED EXCLUSIVE ANALYSIS FACTBOX FEATURE REFILE CORRECTED WRAPUP "
    "URGENT FLASH ALERT NOTE EDITORS COMMENT OPINION REVIEW INTERVIEW LIVE WATCH VIDEO "
    "PHOTOS SPORTS BUSINESS RPT REPEAT"
)


@dataclass(frozen=True, slots=True)
class Newsroom:
    """What the newsroom lines of an article say."""

    authors: tuple[Person, ...] = ()
    dateline: Dateline | None = None
    date_lines: tuple[DateLine, ...] = ()
    corrections: tuple[Correction, ...] = ()
    removed: frozenset[int] = field(default_factory=frozenset)  # lines that left the body


def extract(units: list[Unit]) -> tuple[list[Unit], Newsroom]:
    """``units`` without their newsroom lines, and what those lines say."""
    first = 1 if len(units) > 1 else 0  # line 1 is the headline, whatever it says
    authors: list[Person] = []
    date_lines: list[DateLine] = []
    corrections: list[Correction] = []
    dateline: Dateline | None = None
    removed: set[int] = set()
    for index in range(first, min(len(units), first + _HEADER_UNITS)):
        unit = units[index]
        if index in removed:
            continue  # the role line under a byline name
        found_authors = byline(unit.text) if dateline is None else ()
        if not found_authors and dateline is None and not authors:
            found_authors = trailer(unit.text, header=True)  # 'Reporting by Jane Doe'
        if not found_authors and dateline is None and not authors and index + 1 < len(units):
            found_authors = _name_and_role(unit.text, units[index + 1].text)
            if found_authors:
                removed.add(index + 1)  # 'Jane Doe' over 'Health Correspondent, Reuters'
        if not found_authors and dateline is None and (split := _byline_and_date(unit)):
            found_authors, dated = split  # 'By Jane Doe | 13 November 2025'
            date_lines.append(dated)
        if found_authors and not authors:
            authors.extend(found_authors)
            removed.add(index)
            continue
        if both := _published_and_updated(unit.text, unit.line):
            date_lines.extend(both)
            removed.add(index)
            continue
        if (timed := _time_for(date_lines, units, index)) is not None:
            date_lines[-1] = timed  # 'Tuesday, 1 March' then '2000 GMT' on the next line
            removed.add(index)
            continue
        found_line = date_line(unit.text, unit.line)
        # After the lead, a bare 'March 27' is more often a table row ('Payable
        # March 27') than the day of writing: there a bare date needs its year.
        if found_line is not None and (dateline is None or _labelled(unit.text) or found_line.year):
            date_lines.append(found_line)
            if found_line.text == unit.text:
                removed.add(index)
            continue
        if dateline is None and (found_dateline := dateline_of(unit.text, unit.line)):
            dateline = found_dateline
            continue  # a date line may follow the lead ('Veröffentlicht am …')
        if dateline is not None or len(unit.text.split()) > 40:
            break  # the story has begun
    for index in range(max(first, len(units) - _TRAILER_UNITS), len(units)):
        if index in removed:
            continue
        found_authors = trailer(units[index].text)
        if found_authors:
            if not authors:
                authors.extend(found_authors)
            removed.add(index)
    for index in range(first, len(units)):
        if index in removed:
            continue
        text = units[index].text
        # Labelled date lines may come anywhere ('Published Nov. 21, 2025' at the
        # foot, 'Update 14:00 GMT: …' in a running story); bare dates only on top.
        if not any(d.line == units[index].line for d in date_lines) and (
            _UPDATED_LABEL.match(text) or _PUBLISHED_LABEL.match(text)
        ):
            found_line = date_line(text, units[index].line)
            if found_line is not None:
                date_lines.append(found_line)
                if found_line.text == text:
                    removed.add(index)
                continue
        if _UPDATE_NOTICE.match(text) and (notice := find_date(text)) is not None:
            date_lines.append(
                DateLine(
                    kind="updated",
                    text=text[: notice.end],
                    line=units[index].line,
                    year=notice.year,
                    month=notice.month,
                    day=notice.day,
                )
            )
            continue
        found_correction = correction(units[index].text, units[index].line)
        if found_correction is not None:
            corrections.append(found_correction)
            removed.add(index)
    kept = _without(units, removed, dateline)
    newsroom = Newsroom(
        authors=tuple(authors),
        dateline=dateline,
        date_lines=tuple(sorted(date_lines, key=lambda d: d.line)),
        corrections=tuple(corrections),
        removed=frozenset(units[i].line for i in removed),
    )
    return kept, newsroom


def _without(units: list[Unit], removed: set[int], dateline: Dateline | None) -> list[Unit]:
    """``units`` less the removed ones; a line after a removed one keeps the blank
    line that came before the removed one (the byline stood in its place), and a
    lead with a dateline is never taken for a standfirst."""
    kept: list[Unit] = []
    gap: bool | None = None
    for index, unit in enumerate(units):
        if index in removed:
            gap = unit.gap_before if gap is None else gap
            continue
        if dateline is not None and unit.line == dateline.line:
            unit = replace(unit, gap_before=True)
        elif gap is not None:
            unit = replace(unit, gap_before=gap or unit.gap_before)
        gap = None
        kept.append(unit)
    return kept


# ---------------------------------------------------------------------------- bylines


def byline(text: str) -> tuple[Person, ...]:
    """The authors of a byline line, or ``()`` when ``text`` is not one."""
    if len(text.split()) > _BYLINE_MAX_WORDS:
        return ()
    if (rtl := _RTL_LABEL.match(text)) is not None:
        return _rtl_people(
            text[rtl.end() :], labelled=bool(rtl["colon"]) or rtl["strong"] is not None
        )
    label = _BYLINE_LABEL.match(text)
    if label is None:
        return ()
    rest = text[label.end() :].strip().rstrip(".")
    # 'Par Jean Dupont (AFP)': the agency or publication in brackets is an affiliation.
    if (bracket := _AFFILIATION_BRACKET.search(rest)) is not None and _affiliation(bracket[1]):
        rest = rest[: bracket.start()].rstrip(" ,")
    if not rest or rest[-1] in "!?:" or "  " in rest:
        return ()
    return _people(rest, strict=True)


_AFFILIATION_BRACKET = re.compile(r"\s*\(([^()]{1,40})\)$")


def _affiliation(text: str) -> bool:
    """'AFP', 'Reuters', 'BBC News', 'Le Monde': an agency or a publication's name."""
    folded = text.casefold().strip()
    return folded in AGENCIES or (
        _title_words(text, 5) and any(w.casefold() in _MEDIA_WORDS for w in text.split())
    )


_ROLE_LINKS = _words("in en à a aus em de of for the la le el der die das du des del di da")


# Role words that only qualify a writer's title ('Chief Political Correspondent'):
# alone they make no byline ('Chief Executive, Acme Corp' is a speaker).
_ROLE_QUALIFIERS = _words("chief bureau desk team service services newsroom staff")


def _role_line(part: str) -> bool:
    """A job title standing alone on a line: 'Health Correspondent', 'Corresponsal en
    Bogotá', 'BBC News technology reporter'; not 'Chief executive says'."""
    if not _is_title(part):
        return False
    words = [w.strip(".,") for w in part.split()]
    if not any(w.casefold() in _ROLE_WORDS - _ROLE_QUALIFIERS for w in words):
        return False
    if words[-1].casefold() in _ROLE_WORDS:
        return True
    return all(w[:1].isupper() or w.casefold() in _ROLE_WORDS | _ROLE_LINKS for w in words)


def _name_and_role(text: str, following: str) -> tuple[Person, ...]:
    """A byline written without its label: a line with a name only, then a line
    with the writer's job title or affiliation ('Jane Doe' over 'Health
    Correspondent, Reuters'; 'Hans Müller' over 'AFP')."""
    name = text.strip().rstrip(".")
    if not _is_name(name) or len(following.split()) > 10 or any(c.isdigit() for c in following):
        return ()
    parts = [p.strip(" .") for p in re.split(r"\s*[,|•·–—]\s*", following) if p.strip(" .")]
    if not parts or not all(_role_line(p) or _affiliation(p) for p in parts):
        return ()
    titles = [p for p in parts if _role_line(p)]
    return (Person(name=_name_case(name), job_title=", ".join(titles) or None),)


# Arabic, Persian and Urdu byline labels: 'بقلم' ('by the pen of'), 'به قلم',
# 'نویسنده' (writer) and 'تحریر' (writing) open a byline by themselves; the
# verbs and nouns that also open sentences ('كتب' wrote, 'إعداد' prepared by,
# 'گزارش' report, 'از' by/from) only with a colon after them.
_RTL_LABEL = re.compile(
    r"^\s*(?:(?P<strong>بقلم|به\s+قلم|نویسنده|نوشته|تحریر)|"
    r"كتب|كتبت|کتب|کتبت|إعداد|اعداد|تقرير|گزارش|گزارشگر|خبرنگار|از|رپورٹ|رپورٹر)"
    r"\s*(?P<colon>[:：]\s*)?(?=[\u0600-\u06FF])"
)
_RTL_JOINERS = re.compile(r"\s*(?:[،,؛;]|\s+و\s+|\s+اور\s+)\s*")
_RTL_WORD = re.compile(r"^[\u0600-\u06FF\u200c]+$")
# Arabic-script job titles: correspondent, editor, journalist, reporter.
_RTL_ROLES = _words(
    "مراسل مراسلة محرر محررة صحفي صحفية الصحفي الصحفية مندوب مندوبة خبرنگار "
    "روزنامه\u200cنگار دبیر سردبیر گزارشگر نمائندہ رپورٹر صحافی"
)


def _joined_and(part: str) -> list[str]:
    """'محمد علي ومحمود حسن' as two names: Arabic writes 'and' (و) joined to the
    next word. Split only where both sides stay names of two words or more."""
    words = part.split()
    for i in range(2, len(words) - 1):
        if words[i].startswith("و") and len(words[i]) > 3:
            return [" ".join(words[:i]), " ".join([words[i][1:], *words[i + 1 :]])]
    return [part]


def _rtl_people(rest: str, *, labelled: bool) -> tuple[Person, ...]:
    """Names after an Arabic-script byline label: 'محمد علي ومحمود حسن، مراسل'."""
    rest = rest.strip().rstrip(".۔")
    if not labelled or not rest:
        return ()
    people: list[Person] = []
    for part in (p for q in _RTL_JOINERS.split(rest) if q for p in _joined_and(q)):
        words = part.split()
        if not words or not all(_RTL_WORD.match(w) for w in words):
            return ()
        if any(w in _RTL_ROLES for w in words) and people:
            last = people[-1]
            people[-1] = last.model_copy(update={"job_title": part})
        elif 2 <= len(words) <= _NAME_MAX_WORDS:
            people.append(Person(name=part))
        else:
            return ()
    return tuple(people)


_BYLINE_DATE_SEPARATOR = re.compile(r"\s*(?:[|•·]|\s[-–—]\s|,)\s*")


def _byline_and_date(unit: Unit) -> tuple[tuple[Person, ...], DateLine] | None:
    """A byline and a date line on one line: 'By Jane Doe | 13 November 2025 09:00 GMT'."""
    if _BYLINE_LABEL.match(unit.text) is None:
        return None
    for separator in _BYLINE_DATE_SEPARATOR.finditer(unit.text):
        people = byline(unit.text[: separator.start()])
        dated = date_line(unit.text[separator.end() :], unit.line) if people else None
        if people and dated is not None and dated.kind == "published":
            return people, dated.model_copy(update={"text": unit.text})
    return None


def _people(rest: str, *, strict: bool, title: str | None = None) -> tuple[Person, ...]:
    """Names (each with the title after it, if any) from 'A, Title and B in Paris'."""
    parts = [p for p in _NAME_JOINERS.split(rest) if p]
    people: list[Person] = []
    agency_only: list[str] = []
    for part in parts:
        part = _IN_PLACE.sub("", part).strip(" .")
        if not part or _IN_PLACE.match(" " + part):
            continue  # 'in Paris' after a comma
        if part.casefold() in AGENCIES or part.casefold().removesuffix(" staff") in AGENCIES:
            agency_only.append(part)
            continue
        if _is_name(part):
            people.append(Person(name=_name_case(part), job_title=title))
        elif people and _is_title(part):
            last = people[-1]
            joined = f"{last.job_title}, {part}" if last.job_title else part
            people[-1] = last.model_copy(update={"job_title": joined})
        elif people and _title_words(part, 4):
            continue  # an affiliation: 'By Jane Doe, BBC News'
        elif strict and not people and len(parts) == 1 and _is_title(part):
            # 'By Our Foreign Staff', 'By Staff Reporter': a desk, not a person.
            return (Person(name=part, kind="Organization"),)
        elif strict:
            return ()
    # 'By A and B, Environment Correspondents': a plural title is everyone's.
    if len(people) > 1 and (title_all := people[-1].job_title) and _plural_role(title_all):
        people = [
            p if p.job_title else p.model_copy(update={"job_title": title_all}) for p in people
        ]
    if not people and agency_only and strict:
        return tuple(Person(name=a, kind="Organization") for a in agency_only[:1])
    return tuple(people)


def _plural_role(title: str) -> bool:
    last = title.split()[-1].casefold()
    return last.endswith("s") and last[:-1] in _ROLE_WORDS


def _is_name(part: str) -> bool:
    words = part.split()
    if not 2 <= len(words) <= _NAME_MAX_WORDS + 1:
        return False
    if any(w.casefold() in _ROLE_WORDS or w.casefold() in _MEDIA_WORDS for w in words):
        return False
    capitals = [w for w in words if w.casefold() not in _PARTICLES]
    return len(capitals) >= 2 and all(_capitalised(w) for w in capitals)


def _capitalised(word: str) -> bool:
    return bool(_WORD.match(word)) and word[0].isupper()


def _upper_words(text: str, most: int) -> bool:
    """'HARTFORD', 'SÃO PAULO', 'FT. LAUDERDALE': capitals only, up to ``most`` words."""
    words = text.split()
    return 1 <= len(words) <= most and all(_WORD.match(w) and w.isupper() for w in words)


def _title_words(text: str, most: int) -> bool:
    """'Berlin', 'Zürich', 'New Brunswick', 'San jose': a capital first, up to ``most`` words."""
    words = text.split()
    return 1 <= len(words) <= most and words[0][0].isupper() and all(_WORD.match(w) for w in words)


def _is_title(part: str) -> bool:
    """'Health Correspondent', 'BBC News technology reporter'; not 'BBC News' (an
    affiliation, which is no job title)."""
    words = part.split()
    return (
        1 <= len(words) <= 8
        and not any(c.isdigit() for c in part)
        and any(w.casefold().strip(".,") in _ROLE_WORDS for w in words)
    )


def _name_case(name: str) -> str:
    """'TED D'AFFLISIO' → 'Ted D'Afflisio'; names in mixed case stay as written."""
    if not name.isupper():
        return name
    return re.sub(r"[^\W\d_]+", lambda m: m[0][0] + m[0][1:].lower(), name)


_CONTRIBUTED = re.compile(
    r"^(?P<who>.{3,200}?)\s+(?:also\s+)?contributed(?:\s+(?:to\s+this\s+(?:report|story|article)"
    r"|reporting))?(?:\s+from\s+[^.]+)?\.?$",
    re.IGNORECASE,
)
_CONTRIBUTOR_ROLE = re.compile(
    r"^.*?\b(?:writers?|reporters?|correspondents?|journalists?|photographers?)\s+(?=\S)"
)


def trailer(text: str, *, header: bool = False) -> tuple[Person, ...]:
    """The people of a wire trailer '(Reporting by A; Editing by B)' or an AP
    credit 'Associated Press writer A contributed to this report.', or ``()``.
    With ``header``, only the trailer's form a byline takes ('Reporting by A')."""
    if len(text) > _TRAILER_MAX_CHARS:
        return ()  # checked first: the patterns below would scan a whole paragraph
    folded = text.casefold()
    if header and (len(text.split()) > _BYLINE_MAX_WORDS or " by " not in folded):
        return ()
    contributed = _CONTRIBUTED.match(text) if "contributed" in folded and not header else None
    if contributed is not None:
        role = _CONTRIBUTOR_ROLE.match(contributed["who"])
        if role is None:
            return ()
        return _people(contributed["who"][role.end() :], strict=True)
    body = _TRAILER.match(text) if " by " in folded else None
    if body is None:
        return ()
    people: list[Person] = []
    for clause in re.split(r"\s*;\s*", body["body"]):
        match = _TRAILER_CLAUSE.match(clause.strip())
        if match is None:
            return ()
        verb = match["role"].split()[-1].lower()
        found = _people(match["names"].rstrip(" .)"), strict=False, title=_TRAILER_TITLES.get(verb))
        people.extend(p for p in found if p.name not in {q.name for q in people})
    return tuple(people)


# ---------------------------------------------------------------------------- date lines


def date_line(text: str, line: int) -> DateLine | None:
    """A 'Published …', 'Updated …' or bare date line, or ``None``.

    A live update 'Update 14:00 GMT: The minister has resigned.' gives a date
    line whose ``text`` is only its label and time: the paragraph stays."""
    labels: tuple[tuple[DateLineKind, re.Pattern[str]], ...] = (
        ("published", _PUBLISHED_LABEL),
        ("updated", _UPDATED_LABEL),
    )
    for kind, label in labels:
        match = label.match(text)
        if match is None or match.end() == 0:
            continue
        rest = text[match.end() :]
        written = text
        if kind == "published" and (both := _UPDATED_INSIDE.search(rest)):
            # 'Publié le 26/11/2025 à 18h42, mis à jour le 27/11/2025 à 08h10'
            rest = rest[: both.start()]
        if kind == "updated" and (colon := re.search(r":\s", rest)):
            written, rest = text[: match.end() + colon.start()], rest[: colon.start()]
        if len(written.split()) > 14:
            return None
        found = _date_and_time(rest)
        if found is None:
            return None
        return _date_line(kind, written, line, *found)
    if len(text.split()) > 14:
        return None
    found = _date_and_time(text)
    if found is None or found[0] is None:
        return None
    return _date_line("published", text, line, *found)


def _published_and_updated(text: str, line: int) -> tuple[DateLine, DateLine] | None:
    """'Published 26/11/2025 18:42, updated 27/11/2025 08:10' as its two date lines."""
    inside = _UPDATED_INSIDE.search(text)
    if inside is None or not _PUBLISHED_LABEL.match(text):
        return None
    published = date_line(text[: inside.start()], line)
    updated = date_line(text[inside.end() :], line)
    if published is None or updated is None or updated.kind != "updated":
        return None
    # A time alone after the update label is on the day of the published part.
    if updated.month is None and published.month is not None:
        updated = updated.model_copy(
            update={"year": published.year, "month": published.month, "day": published.day}
        )
    return published, updated


def _time_for(date_lines: list[DateLine], units: list[Unit], index: int) -> DateLine | None:
    """The last date line given the time that makes up all of ``units[index]``,
    when that date line, still without a time, is the line before."""
    if not date_lines or index == 0:
        return None
    last = date_lines[-1]
    if last.time is not None or last.month is None or last.line != units[index - 1].line:
        return None
    found = _date_and_time(units[index].text)
    if found is None or found[0] is not None or found[1] is None:
        return None
    time = found[1]
    return last.model_copy(update={"time": time.time, "utc_offset": time.offset_on(last.date)})


def _labelled(text: str) -> bool:
    return bool(_PUBLISHED_LABEL.match(text) or _UPDATED_LABEL.match(text))


def _date_line(
    kind: DateLineKind, text: str, line: int, date: FoundDate | None, time: FoundTime | None
) -> DateLine:
    return DateLine(
        kind=kind,
        text=text,
        line=line,
        year=date.year if date else None,
        month=date.month if date else None,
        day=date.day if date else None,
        time=time.time if time else None,
        utc_offset=time.offset_on(date.date if date else None) if time else None,
    )


# Words a date line may hold besides its date and time: weekday names are
# any word before the date; these join date and time.
_FILLER = re.compile(
    r"^[\s,.:;|/–—()-]*(?:(?:at|um|à|a\s+las|alle|às|om|on|le|el|am|il|GMT|UTC|h|Uhr|"
    r"hrs|local\s+time|heure\s+de\s+Paris)[\s,.:;|/–—()-]*)*$",
    re.IGNORECASE,
)
_WEEKDAY_LIKE = re.compile(r"^\s*([^\W\d_]{2,12})\.?,?(?=\s)")


def _date_and_time(text: str) -> tuple[FoundDate | None, FoundTime | None] | None:
    """The date and/or time that make up all of ``text`` (a weekday and joining
    words allowed), or ``None``."""
    date = find_date(text)
    time = find_time(text, date.end if date else 0)
    if time is None and date is not None:
        time = find_time(text[: date.start])  # 'Published: 10:32 GMT, 27 November 2025'
    if date is None and time is None:
        return None
    spans = sorted(
        span
        for span in (
            (date.start, date.end) if date else None,
            (time.start, time.end) if time else None,
        )
        if span
    )
    pieces, position = [], 0
    for start, end in spans:
        pieces.append(text[position:start])
        position = end
    pieces.append(text[position:])
    weekday = _WEEKDAY_LIKE.match(pieces[0]) if date is not None else None
    if weekday is not None and is_weekday(weekday[1]):
        pieces[0] = pieces[0][weekday.end() :]
    if not _FILLER.match(" ".join(pieces)):
        return None
    return date, time


# ---------------------------------------------------------------------------- corrections


def correction(text: str, line: int) -> Correction | None:
    """A correction or clarification notice, or ``None``."""
    match = _CORRECTION_LABEL.match(text)
    if match is None:
        return None
    rest = match["rest"]
    if not rest or (rest[0] not in ",:(-–—." and not rest[0].isdigit()):
        return None  # 'Correction officers said…' is a sentence, not a notice
    head = rest[:60]
    date = find_date(rest, 0, len(head))
    body = rest
    if date is not None and not rest[: date.start].strip(_LEADING_PUNCT):
        body = rest[date.end :]
    else:
        date = find_date(rest)  # 'This article was amended on 21 November 2025 to …'
    body = body.lstrip(_LEADING_PUNCT).strip()
    if not body:
        return None
    kind = "clarification" if _CLARIFICATION.match(match["label"]) else "correction"
    return Correction(
        kind=kind,
        text=body,
        line=line,
        year=date.year if date else None,
        month=date.month if date else None,
        day=date.day if date else None,
    )


# ---------------------------------------------------------------------------- datelines


def dateline_of(text: str, line: int) -> Dateline | None:
    """The dateline opening a lead paragraph, or ``None``."""
    agency: str | None = None
    offset = 0
    head_agency = _AGENCY_HEAD.match(text)
    if head_agency is not None:  # '(ANSA) - ROMA, 27 NOV - …'
        agency, offset = head_agency["agency"].strip(), head_agency.end()
    separator = _separator(text, offset)
    if separator is None:
        return None
    head = text[offset : separator.start()].lstrip("*# ")
    tail = _AGENCY_TAIL.search(head)
    if tail is not None:
        agency = (tail["agency"] or tail["wire"]).strip()  # '(Reuters)', '/PRNewswire/'
        head = head[: tail.start()]
    head = head.strip()
    if not head or "\n" in head:
        return None
    date = find_date(head)
    if date is not None:
        after = head[date.end :].strip(" ,،")
        before = head[: date.start].rstrip(" ,،")
        if after:
            if agency is None and after.casefold() in AGENCIES:
                agency = after
            else:
                return None
    else:
        before = head
    parts = [p.strip() for p in re.split(r"\s*[,،]\s*", before) if p.strip()]
    if parts and agency is None and date is None and parts[-1].casefold() in AGENCIES:
        agency = parts.pop()
    if date is not None and (
        (not parts and head.startswith(head[date.start : date.end]))
        or (len(parts) == 1 and is_weekday(parts[0]))
    ):
        parts = [""]  # 'APRIL 7 -', 'Tuesday, 18 November 2025 –': a date with no place
    if not parts or len(parts) > 3:
        return None
    place_text, regions = parts[0], parts[1:]
    if place_text and not _place_ok(place_text, dated=date is not None or agency is not None):
        return None
    if any(len(r) > 30 or not (_ARABIC_REGION.match(r) or _region(r)) for r in regions):
        return None
    if separator.group() == ":" and not _upper_words(place_text, 4):
        return None
    end = separator.end()
    if agency is None and _ARABIC_PLACE.match(place_text or "-"):
        # Persian style names the agency between two dashes: 'تهران- ایرنا- …'.
        second = _ARABIC_AGENCY.match(text, end)
        if second is not None:
            agency, end = second["agency"], second.end()
    return Dateline(
        text=text[:end].strip(),
        place=_place_name(place_text) if place_text else None,
        place_text=place_text or None,
        region=", ".join(regions) or None,
        agency=agency,
        year=date.year if date else None,
        month=date.month if date else None,
        day=date.day if date else None,
        line=line,
    )


def _separator(text: str, offset: int) -> re.Match[str] | None:
    """The dash (or colon) ending the dateline: spaced, or right after ')'."""
    for match in _SEPARATOR.finditer(text, offset, offset + _DATELINE_WINDOW):
        start, end = match.span()
        before = text[start - 1] if start > 0 else " "
        after = text[end] if end < len(text) else " "
        if match.group() == ":":
            if after.isspace() and not before.isdigit():
                return match
            continue
        if before.isspace() or before == ")" or after.isspace():
            return match
    return None


def _place_ok(place: str, *, dated: bool) -> bool:
    if len(place) > 40:
        return False
    if _ARABIC_PLACE.match(place):
        return len(place.split()) <= 3
    if place.split()[0].rstrip(".").upper() in _KICKERS:
        return False
    if _upper_words(place, 4) and sum(c.isalpha() for c in place) >= 3:
        return not is_weekday(place)
    # A place in title case ('Berlin (dpa) -') needs its date or agency.
    return dated and _title_words(place, 3) and not is_weekday(place)


def _region(region: str) -> bool:
    """'Conn.', 'N.Y.', 'Calif', 'New Brunswick', 'West Germany': capitalised words."""
    words = region.split()
    return 1 <= len(words) <= 3 and all(_capitalised(w) for w in words)


def _place_name(place: str) -> str:
    """'WINTER HAVEN' → 'Winter Haven', 'ST ANDREW'S' → 'St Andrew's'; other text as written."""
    if not place.isupper():
        return place
    return re.sub(
        r"[^\W\d_]+(?:['’][^\W\d_]+)?",
        lambda m: m[0][0] + m[0][1:].lower(),
        place,
    )
