"""The words of a query, read the way PostgreSQL's ``websearch_to_tsquery`` reads them, for the
fallback search and for marking matches in Python.

"A phrase" in quotes stays whole; a word after ``-`` must not appear; ``or`` and common words are
dropped (the fallback asks for every remaining word); a plural's ``s`` is dropped, so "clusters" also
finds "cluster". PostgreSQL's English stemmer does much more; this is enough for a zero-setup site.
"""

import re
from dataclasses import dataclass, field

TOKENS = re.compile(r'(-?)"([^"]*)"|(-?)(\S+)')
WORD_EDGES = re.compile(r"^\W+|\W+$")

# Where a match's words are, the first thing results are ordered by: all in its title; in its head (the
# title and the summary together, and for analyses on PostgreSQL the body's opening); elsewhere.
IN_TITLE, IN_HEAD, ELSEWHERE = 2, 1, 0

STOP_WORDS = frozenset(
    {
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "has",
        "have",
        "how",
        "in",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "our",
        "that",
        "the",
        "their",
        "this",
        "to",
        "was",
        "we",
        "what",
        "when",
        "where",
        "which",
        "who",
        "why",
        "will",
        "with",
        "you",
        "your",
    }
)


@dataclass(frozen=True)
class Terms:
    include: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.include)


def stem(word: str) -> str:
    if len(word) > 4 and word.endswith("s") and not word.endswith(("ss", "is", "us")):
        return word[:-1]
    return word


def parse(text: str) -> Terms:
    terms = Terms()
    for phrase_negated, phrase, word_negated, word in TOKENS.findall(text.lower()):
        if phrase:
            term = " ".join(phrase.split())
            negated = phrase_negated
        else:
            term = stem(WORD_EDGES.sub("", word))
            negated = word_negated
        if not term or term in STOP_WORDS:
            continue
        (terms.exclude if negated else terms.include).append(term)
    return terms


# Words and double-quoted phrases of letters, digits and spaces, apart from one another: a query that
# PostgreSQL's websearch syntax reads as every word and every phrase required, nothing else.
PLAIN_QUERY = re.compile(r'\s*(?:(?:"[\w\s]*"|\w+)(?:\s+|$))*', re.UNICODE)
PHRASE = re.compile(r'"([\w\s]*)"')


def required_phrases(text: str) -> list[str]:
    """The phrases of two words or more that every match must hold, where the query is plain enough to
    be sure of it: no ``or``, no ``-``, no punctuation that websearch might read otherwise. Otherwise
    none, which asks nothing more of a match than the query does."""
    if not PLAIN_QUERY.fullmatch(text) or any(word.lower() == "or" for word in re.findall(r"\w+", text)):
        return []
    return [" ".join(phrase.split()) for phrase in PHRASE.findall(text) if len(phrase.split()) > 1]
