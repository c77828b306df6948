"""Wire-noise removal and headline detection: pure functions of the article text.

`normalise_text` applies these rules, in this order, and otherwise keeps the text character for
character (apostrophes, quotes, inner spacing and line breaks are never rewritten):

1. Line endings: CRLF and lone CR become LF.
2. Trailing whitespace is removed from every line; leading/trailing blank space of the whole text too.
3. Date header: a text that starts with ``date YYYY-MM -`` or ``date YYYY-MM-DD -`` (any case, hyphen,
   en or em dash) loses that header; its date is returned as `header_date` (UTC midnight; a month-only
   header means the first day of that month). A header whose date does not exist is left alone.
4. Trailing stray line: the last line is dropped when it is a lone day word (Today, Yesterday, Tonight,
   Tomorrow, a weekday name, or the French Aujourd'hui, Hier, Ce soir, Demain, lundi..dimanche), or a lone
   word of at most 15 letters (no digit, no punctuation) following text that ends a sentence. Wire
   exports leave such fragments (e.g. "Today") after the last paragraph. A text made only of that line
   keeps it.
5. Dateline: the lead paragraph (the first non-empty line that is not a headline, looked for only in the
   first two non-empty lines) may start with a dateline: upper-case place word(s) (at most four words),
   optionally ``, <date or region>`` and ``(<agency>)``, then a dash surrounded by spaces, as in
   ``JAKARTA -``, ``PARIS (AFP) -``, ``KIEV, 3 avril (Reuters) -``, ``NEW YORK —``. The dateline is cut
   from the text and its place returned in title case (``Jakarta``, ``New York``).
6. Three or more consecutive line breaks collapse to two; the ends are stripped again.

Headline (`title`): the first non-empty line of the normalised text when `looks_like_headline` holds
and more text follows it. The headline stays in the text as its first line, so offsets computed on the
text also cover it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

_BLANK_RUN: Final = re.compile(r"\n{3,}")
_DATE_HEADER: Final = re.compile(
    r"\Adate[^\S\n]+(?P<year>\d{4})-(?P<month>\d{2})(?:-(?P<day>\d{2}))?[^\S\n]+[-–—][^\S\n]*",
    re.IGNORECASE,
)
_DATELINE: Final = re.compile(
    r"\A(?P<head>[^\n]{2,80}?)(?:[^\S\n]+-{1,2}[^\S\n]+|[^\S\n]*[–—][^\S\n]*)(?=\S)"
)
_DATELINE_HEAD: Final = re.compile(
    r"(?P<place>[^,()]+?)[^\S\n]*(?:,[^\S\n]*(?P<when>[^,()]{1,40}?))?[^\S\n]*(?:\((?P<agency>[^()]{1,40})\))?"
)
_PLACE_PUNCTUATION: Final = frozenset(" '’.-")
_LONE_WORD: Final = re.compile(r"[^\W\d_]{1,15}")
_SENTENCE_END: Final = re.compile(r"[.!?…][\"'”’»)\]\s]*\Z")
_CLOSERS: Final = "\"'”’»)] "
_DAY_WORDS: Final = frozenset(
    {
        "today", "yesterday", "tonight", "tomorrow",
        "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
        "aujourd'hui", "hier", "ce soir", "demain",
        "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche",
    }
)  # fmt: skip
MAX_HEADLINE_CHARS: Final = 200
MAX_HEADLINE_WORDS: Final = 30


@dataclass(frozen=True)
class Normalised:
    """The cleaned text and what the cleaning found in it."""

    text: str
    title: str | None
    dateline: str | None
    header_date: datetime | None


def normalise_text(raw: str) -> Normalised:
    """Apply the rules of this module's docstring. Never raises; may return an empty text."""
    text = raw.replace("\r\n", "\n").replace("\r", "\n")
    # Strips trailing whitespace of every line: the same as re.sub(r"[^\S\n]+$", "", text, flags=re.M)
    # (same Unicode whitespace), at a tenth of the cost: that regex retries at every space between words.
    text = "\n".join(line.rstrip() for line in text.split("\n")).strip()
    text, header_date = _strip_date_header(text)
    text = _strip_trailing_stray_line(text)
    text, dateline = _strip_dateline(text)
    if "\n\n\n" in text:  # the regex costs ~100 us per article even when it finds nothing
        text = _BLANK_RUN.sub("\n\n", text)
    text = text.strip()
    return Normalised(text=text, title=detect_title(text), dateline=dateline, header_date=header_date)


def looks_like_headline(line: str) -> bool:
    """A line reads as a headline: 2 to 30 words, at most 200 characters, and not ending like a
    sentence or a clause (final `.`, `:`, `;` or `,`, ignoring closing quotes and brackets)."""
    stripped = line.strip()
    words = stripped.split()
    if not 2 <= len(words) <= MAX_HEADLINE_WORDS or len(stripped) > MAX_HEADLINE_CHARS:
        return False
    core = stripped.rstrip(_CLOSERS)
    return bool(core) and core[-1] not in ".:;,…"


def detect_title(text: str) -> str | None:
    """The first non-empty line when it looks like a headline and more text follows, else None."""
    lines = [line for line in text.split("\n") if line.strip()]
    if len(lines) < 2 or not looks_like_headline(lines[0]):
        return None
    return lines[0].strip()


def _strip_date_header(text: str) -> tuple[str, datetime | None]:
    match = _DATE_HEADER.match(text)
    if match is None:
        return text, None
    day = match["day"]
    try:
        when = datetime(int(match["year"]), int(match["month"]), int(day) if day else 1, tzinfo=UTC)
    except ValueError:
        return text, None
    return text[match.end() :].lstrip(), when


def _strip_trailing_stray_line(text: str) -> str:
    head, sep, last = text.rpartition("\n")
    if not sep or not head.strip():
        return text
    word = last.strip()
    if word.casefold().replace("’", "'") in _DAY_WORDS:
        return head.rstrip()
    if _LONE_WORD.fullmatch(word) and _SENTENCE_END.search(head.rstrip()):
        return head.rstrip()
    return text


def _strip_dateline(text: str) -> tuple[str, str | None]:
    lines = text.split("\n")
    candidates = [i for i, line in enumerate(lines) if line.strip()][:2]
    for index in candidates:
        line = lines[index]
        if looks_like_headline(line) and index == candidates[0]:
            continue
        place = _dateline_place(line)
        if place is None:
            return text, None
        match = _DATELINE.match(line)
        assert match is not None  # _dateline_place matched the same pattern
        lines[index] = line[match.end() :]
        return "\n".join(lines), place
    return text, None


def _dateline_place(line: str) -> str | None:
    """The place of the dateline opening `line`, in title case, or None when it has none."""
    match = _DATELINE.match(line)
    if match is None:
        return None
    head = _DATELINE_HEAD.fullmatch(match["head"].strip())
    if head is None:
        return None
    place = head["place"].strip()
    letters = sum(c.isalpha() for c in place)
    if (
        letters < 2
        or place != place.upper()
        or not all(c.isalpha() or c in _PLACE_PUNCTUATION for c in place)
        or len(place.split()) > 4
    ):
        return None
    if head["when"] and len(head["when"].split()) > 5:
        return None
    if head["agency"] and len(head["agency"].split()) > 4:
        return None
    return place.title()
