"""URL helpers: hosts, registrable domains, tracking parameters."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

#: Query parameters that only track the reader; removed from every link.
TRACKING_PARAM = re.compile(
    r"^(utm_[a-z_]+|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|_ga|_gl|igshid|yclid|"
    r"ocid|cmpid|__twitter_impression|wt\.mc_id|ns_mchannel|ns_source|ns_campaign)$",
    re.I,
)
_HOST_PREFIXES = ("www.", "m.", "mobile.", "amp.")
_SECOND_LEVEL = frozenset({"co", "com", "org", "net", "gov", "ac", "edu", "or", "ne", "go"})
WEB_SCHEMES = frozenset({"http", "https"})


def host_of(url: str | None) -> str:
    """Lower-case host of `url` without a www./m./amp. prefix ("" when there is none)."""
    if not url:
        return ""
    try:
        host = (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""
    for prefix in _HOST_PREFIXES:
        if host.startswith(prefix):
            return host[len(prefix):]
    return host


def site_of(url: str | None) -> str:
    """The registrable domain of `url`: `news.example.co.uk` -> `example.co.uk`."""
    labels = host_of(url).split(".")
    if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in _SECOND_LEVEL:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def same_site(a: str | None, b: str | None) -> bool:
    """True when both URLs are on the same registrable domain."""
    return bool(a and b) and site_of(a) == site_of(b)


def is_web_url(url: str | None) -> bool:
    """True for an absolute http(s) URL with a host."""
    if not url:
        return False
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return False
    return parts.scheme.lower() in WEB_SCHEMES and bool(parts.hostname)


def absolute(url: str, base: str | None) -> str:
    """`url` resolved against `base` (unchanged when there is no base or it fails)."""
    url = url.strip()
    if not base:
        return url
    try:
        return urljoin(base, url)
    except ValueError:
        return url


def without_tracking(url: str) -> str:
    """`url` without utm_*, fbclid and other tracking parameters."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if not parts.query:
        return url
    query = parse_qsl(parts.query, keep_blank_values=True)
    kept = [(k, v) for k, v in query if not TRACKING_PARAM.match(k)]
    if len(kept) == len(query):
        return url
    return urlunsplit(parts._replace(query=urlencode(kept)))


def path_depth(url: str) -> int:
    """Number of non-empty path segments: 0 for a home page."""
    try:
        path = urlsplit(url).path
    except ValueError:
        return 0
    return len([seg for seg in path.split("/") if seg])


def url_key(url: str) -> str:
    """One key for the spellings of a URL (scheme, www., trailing slash, fragment)."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return url
    try:
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        port = ""
    query = f"?{parts.query}" if parts.query else ""
    return f"{host_of(url)}{port}{parts.path.rstrip('/')}{query}"
