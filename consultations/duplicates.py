"""Near-duplicate answers: campaign responses that share a template, grouped and counted.

Two steps. ``fingerprint`` folds case, punctuation and spacing, so copies of one
text share a key that the database can group by. ``near_duplicate_groups`` then
joins texts that differ by a few words (a name, an added sentence) using MinHash
signatures over word shingles, bucketed by bands (locality-sensitive hashing),
so only likely pairs are compared and a question with thousands of answers
stays fast.
"""

import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass, field

WORD = re.compile(r"[^\W_]+", re.UNICODE)
SHINGLE = 3
PERMUTATIONS = 32
BANDS = 16
THRESHOLD = 0.6
MAX_HASH = (1 << 61) - 1


def words(text: str) -> list[str]:
    return WORD.findall(text.casefold())


def fingerprint(text: str) -> str:
    normalised = " ".join(words(text))
    return hashlib.sha1(normalised.encode(), usedforsecurity=False).hexdigest() if normalised else ""


def shingles(text: str) -> set[str]:
    tokens = words(text)
    if len(tokens) < SHINGLE:
        return {" ".join(tokens)} if tokens else set()
    return {" ".join(tokens[i : i + SHINGLE]) for i in range(len(tokens) - SHINGLE + 1)}


def _signature(items: set[str]) -> tuple[int, ...]:
    hashes = [int.from_bytes(hashlib.blake2b(item.encode(), digest_size=8).digest(), "big") for item in items]
    return tuple(min((h ^ seed) * 0x9E3779B97F4A7C15 % MAX_HASH for h in hashes) for seed in _SEEDS)


_SEEDS = [int.from_bytes(hashlib.blake2b(str(n).encode(), digest_size=8).digest(), "big") for n in range(PERMUTATIONS)]


def jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 1.0


@dataclass
class Group:
    text: str
    count: int
    fingerprints: list[str] = field(default_factory=list)


def near_duplicate_groups(texts: list[tuple[str, str, int]], threshold: float = THRESHOLD) -> list[Group]:
    """Groups of (fingerprint, sample text, count) rows whose texts are near-identical.

    Returns only groups of two answers or more, largest first.
    """
    shingled = [shingles(text) for _, text, _ in texts]
    parent = list(range(len(texts)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    rows = PERMUTATIONS // BANDS
    buckets: dict[tuple, list[int]] = defaultdict(list)
    for index, items in enumerate(shingled):
        if items:
            signature = _signature(items)
            for band in range(BANDS):
                buckets[(band, signature[band * rows : (band + 1) * rows])].append(index)
    for members in buckets.values():
        first = members[0]
        for other in members[1:]:
            if root(first) != root(other) and jaccard(shingled[first], shingled[other]) >= threshold:
                parent[root(other)] = root(first)

    grouped: dict[int, Group] = {}
    for index, (key, text, count) in enumerate(texts):
        group = grouped.setdefault(root(index), Group(text=text, count=0))
        group.count += count
        group.fingerprints.append(key)
    return sorted((g for g in grouped.values() if g.count > 1), key=lambda g: (-g.count, g.text))
