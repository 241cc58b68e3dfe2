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
