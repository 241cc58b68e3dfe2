"""A recording's player, for pages that offer to play it in place.

Only YouTube and Vimeo videos are embedded, each through its privacy-respecting player
(youtube-nocookie.com, Vimeo's ``dnt=1``); any other address (a channel, a page elsewhere) stays a link.
Nothing here fetches anything: the page loads the player only when the reader asks.
"""

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

YOUTUBE_HOSTS = {"youtube.com", "www.youtube.com", "m.youtube.com", "youtu.be", "www.youtube-nocookie.com"}
VIMEO_HOSTS = {"vimeo.com", "www.vimeo.com", "player.vimeo.com"}
YOUTUBE_ID = re.compile(r"[A-Za-z0-9_-]{11}")
YOUTUBE_PATHS = re.compile(r"/(?:embed|live|shorts|v)/([A-Za-z0-9_-]{11})/?")
VIMEO_PATH = re.compile(r"/(?:video/)?(\d{1,12})/?")


@dataclass(frozen=True)
class Player:
    provider: str  # "YouTube" or "Vimeo": the button names who the player loads from
    src: str
    origin: str  # what the page's Content-Security-Policy must allow in frame-src


def recording_player(url: str) -> Player | None:
    """The embeddable player for a YouTube or Vimeo video address; None for anything else."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"}:
        return None
    host = (parts.hostname or "").lower()
    if host in YOUTUBE_HOSTS:
        return _youtube(host, parts.path, parts.query)
    if host in VIMEO_HOSTS:
        return _vimeo(parts.path)
    return None


def _youtube(host: str, path: str, query: str) -> Player | None:
    if host == "youtu.be":
        video = path.strip("/")
    elif path in {"/watch", "/watch/"}:
        video = parse_qs(query).get("v", [""])[0]
    else:
        match = YOUTUBE_PATHS.fullmatch(path)
        video = match.group(1) if match else ""
    if not YOUTUBE_ID.fullmatch(video):
        return None
    origin = "https://www.youtube-nocookie.com"
    return Player("YouTube", f"{origin}/embed/{video}?autoplay=1&rel=0", origin)


def _vimeo(path: str) -> Player | None:
    match = VIMEO_PATH.fullmatch(path)
    if not match:
        return None
    origin = "https://player.vimeo.com"
    return Player("Vimeo", f"{origin}/video/{match.group(1)}?autoplay=1&dnt=1", origin)
