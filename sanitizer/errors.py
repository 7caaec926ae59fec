"""The exception tree: everything repost-sanitizer raises on purpose.

```
SanitizerError                     base: catch this to catch everything we raise
├── InputError (also ValueError)   .source: a file that can't be read, bytes that are not HTML
├── FetchError                     .url; the requests exception is the __cause__
│   ├── FetchTimeout               connect or read timeout
│   ├── TooLarge                   the body passed the byte cap
│   ├── NotHTML                    wrong content type or empty body
│   ├── HTTPStatusError            .status: a 4xx/5xx answer (after retries for 429/5xx)
│   ├── TooManyRedirects           redirect loop or hop limit
│   ├── TLSError                   certificate or handshake failure (never retried insecurely)
│   ├── DNSError                   the host name does not resolve
│   ├── RobotsDisallowed           robots.txt forbids the URL (`--ignore-robots` overrides)
│   └── BlockedAddress             .address: a private/loopback/... address (SSRF guard)
├── OutputError                    .path: a result can't be written
├── RuleError (also ValueError)    .path, .rule_id: a bad rule file
└── NoContentError                 extraction found nothing worth keeping; .url
```

Findings (no source found, a rule that was skipped by the over-removal guard) are
values on the `Document`, not exceptions.
"""

from __future__ import annotations


class SanitizerError(Exception):
    """Base class of every error this package raises on purpose."""


class InputError(SanitizerError, ValueError):
    """An input that can't be used: a missing file, bytes that are not an HTML page."""

    def __init__(self, message: str, *, source: str | None = None) -> None:
        super().__init__(message)
        self.source = source


class FetchError(SanitizerError):
    """A URL could not be fetched."""

    def __init__(self, message: str, *, url: str) -> None:
        super().__init__(message)
        self.url = url


class FetchTimeout(FetchError):
    """The server did not connect or answer within the timeout."""


class TooLarge(FetchError):
    """The response body passed the byte cap."""


class NotHTML(FetchError):
    """The response is not an HTML page (content type, or an empty body)."""


class HTTPStatusError(FetchError):
    """The server answered with an error status."""

    def __init__(self, message: str, *, url: str, status: int) -> None:
        super().__init__(message, url=url)
        self.status = status


class TooManyRedirects(FetchError):
    """The redirect chain looped or passed the hop limit."""


class TLSError(FetchError):
    """The TLS handshake or the certificate check failed."""


class DNSError(FetchError):
    """The host name could not be resolved."""


class RobotsDisallowed(FetchError):
    """The site's robots.txt does not allow us to fetch the URL."""


class BlockedAddress(FetchError):
    """The URL (or a redirect hop) points at an address we refuse to connect to.

    Loopback, private, link-local, reserved, multicast and unspecified addresses are
    refused unless the caller allows private addresses (or that host) explicitly.
    """

    def __init__(self, message: str, *, url: str, address: str | None = None) -> None:
        super().__init__(message, url=url)
        self.address = address


class OutputError(SanitizerError):
    """A result can't be written (a missing folder, a file where a folder should be)."""

    def __init__(self, message: str, *, path: str) -> None:
        super().__init__(message)
        self.path = path


class RuleError(SanitizerError, ValueError):
    """A rule file is malformed; names the file and, when known, the rule id."""

    def __init__(self, message: str, *, path: str, rule_id: str | None = None) -> None:
        where = f"{path}: rule {rule_id!r}" if rule_id else path
        super().__init__(f"{where}: {message}")
        self.path = path
        self.rule_id = rule_id


class NoContentError(SanitizerError):
    """The page has no article text worth keeping."""

    def __init__(self, message: str, *, url: str | None = None) -> None:
        super().__init__(message)
        self.url = url
