"""repost-sanitizer: reposted articles in, clean credited safe HTML out.

```python
import sanitizer

doc = sanitizer.clean_url("https://reposter.example/p/123")
doc.html, doc.source, doc.removals
```
"""

from sanitizer.api import Sanitizer, clean_html, clean_url
from sanitizer.audit import audit
from sanitizer.audit_records import AuditRow
from sanitizer.document import Document, Finding, Metadata, Options, Page, Removal, Source
from sanitizer.errors import (
    BlockedAddress,
    DNSError,
    FetchError,
    FetchTimeout,
    HTTPStatusError,
    InputError,
    NoContentError,
    NotHTML,
    OutputError,
    RobotsDisallowed,
    RuleError,
    SanitizerError,
    TLSError,
    TooLarge,
    TooManyRedirects,
)
from sanitizer.render import render
from sanitizer.rulebook import Rulebook, load_rules
from sanitizer.version import __version__

__all__ = [
    "AuditRow",
    "BlockedAddress",
    "DNSError",
    "Document",
    "FetchError",
    "FetchTimeout",
    "Finding",
    "HTTPStatusError",
    "InputError",
    "Metadata",
    "NoContentError",
    "NotHTML",
    "Options",
    "OutputError",
    "Page",
    "Removal",
    "RobotsDisallowed",
    "RuleError",
    "Rulebook",
    "Sanitizer",
    "SanitizerError",
    "Source",
    "TLSError",
    "TooLarge",
    "TooManyRedirects",
    "__version__",
    "audit",
    "clean_html",
    "clean_url",
    "load_rules",
    "render",
]
