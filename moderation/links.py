"""Finding links: full URLs, ``www.`` hosts and bare domains like ``bit.ly/x``.

Bare domains are only recognised with a known top-level domain, so that
"fim.Ok" or "art.5" are not links while "x.com.br/abc" and "t.me/grupo" are.
Matching runs on the original text (offsets are original already), and an
e-mail address is never reported as a link (personal data handles those).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

# Common generic TLDs, link shorteners' TLDs and the countries of our
# audiences; a bare "word.xx" with anything else is not treated as a link.
_TLDS = (
    "com",
    "net",
    "org",
    "info",
    "biz",
    "io",
    "co",
    "me",
    "ly",
    "gl",
    "gd",
    "to",
    "tv",
    "cc",
    "ws",
    "app",
    "dev",
    "xyz",
    "site",
    "online",
    "shop",
    "store",
    "link",
    "click",
    "top",
    "live",
    "life",
    "club",
    "vip",
    "pro",
    "news",
    "blog",
    "page",
    "fun",
    "icu",
    "win",
    "bid",
    "tk",
    "ml",
    "ga",
    "cf",
    "gq",
    "gov",
    "edu",
    "int",
    "mil",
    "br",
    "pl",
    "pt",
    "es",
    "us",
    "uk",
    "de",
    "fr",
    "it",
    "eu",
    "ar",
    "mx",
    "cl",
    "pe",
    "uy",
    "py",
    "bo",
    "ve",
    "ec",
    "cu",
    "ru",
    "cn",
    "in",
    "jp",
    "ca",
    "au",
    "nl",
    "be",
    "ch",
    "at",
    "se",
    "no",
    "dk",
    "fi",
    "ie",
    "cz",
    "sk",
    "ua",
    "tr",
    "gr",
    "ro",
    "hu",
    "il",
    "za",
    "ng",
    "ke",
)
# Country codes that are also everyday words ("Obrigado.Me ajuda", "fim.No
# entanto"): as a bare domain they count only with a path ("t.me/grupo").
_WORDLIKE_TLDS = frozenset({"me", "se", "no", "to", "in", "at", "it", "es", "de", "be", "pe", "co", "cu", "ca", "ar"})
_LABEL = r"[^\W_](?:[\w-]{0,61}[^\W_])?"
_URL = re.compile(
    r"(?<![\w@.-])(?:"
    r"(?P<scheme>(?:https?|ftp)://[^\s<>\"'`]+)"
    r"|(?P<www>www\.[^\s<>\"'`]+)"
    r"|(?P<bare>(?:" + _LABEL + r"\.)+(?:" + "|".join(_TLDS) + r")(?![\w-])(?:[/?#:][^\s<>\"'`]*)?)"
    r")",
    re.IGNORECASE,
)
_HINT = re.compile(r"\.[^\W\d_]|://")
_SPACE = re.compile(r"\s")
_TRAILING = ".,;:!?)]}'\"»”’"
_HOST = re.compile(r"^(?:[a-z][a-z0-9+.-]*://)?(?:[^@/\s]*@)?([^/?#:\s]+)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Link:
    """A link found in a message: its span and lower-cased host (no "www.")."""

    start: int
    end: int
    host: str


def find_links(text: str) -> Iterator[Link]:
    """Every link in `text`, left to right, with trailing punctuation trimmed."""
    # Every link has "://" or a dot directly followed by a letter; ordinary
    # sentences put a space after their full stops, so most messages have no
    # hint at all.
    done = 0
    for hint in _HINT.finditer(text):
        if hint.start() < done:
            continue
        # Scan only the whitespace-delimited token around the hint: the URL
        # pattern is costly to try at every position of a long message.
        start = hint.start()
        while start > 0 and not text[start - 1].isspace():
            start -= 1
        space = _SPACE.search(text, hint.end())
        done = space.start() if space is not None else len(text)
        yield from _links_in(text, start, done)


def _links_in(text: str, start: int, end: int) -> Iterator[Link]:
    for match in _URL.finditer(text, start, end):
        url = match.group().rstrip(_TRAILING)
        if not url:
            continue
        host_match = _HOST.match(url)
        if host_match is None:
            continue
        host = host_match.group(1).lower().rstrip(".")
        host = host.removeprefix("www.")
        if not host or "." not in host:
            continue
        if match.group("bare") is not None and host.rsplit(".", 1)[1] in _WORDLIKE_TLDS and "/" not in url:
            continue
        yield Link(match.start(), match.start() + len(url), host)


def host_allowed(host: str, allowed_domains: tuple[str, ...]) -> bool:
    """True when `host` is one of `allowed_domains` or a subdomain of one."""
    for domain in allowed_domains:
        domain = domain.strip().lower().strip(".").removeprefix("www.")
        if host == domain or host.endswith("." + domain):
            return True
    return False
