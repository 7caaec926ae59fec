"""repost-sanitizer: reposted articles in, clean credited safe HTML out.

```python
import sanitizer

doc = sanitizer.clean_url("https://reposter.example/p/123")
doc.html, doc.source, doc.removals
```
"""

from sanitizer.api import Sanitizer, clean_html, clean_url
from sanitizer.document import Document, Finding, Metadata, Options, Page, Removal, Source
from sanitizer.errors import (
    FetchError,
    FetchTimeout,
    HTTPStatusError,
    InputError,
    NoContentError,
    NotHTML,
    OutputError,
    RuleError,
    SanitizerError,
    TooLarge,
    TooManyRedirects,
)
from sanitizer.render import render
from sanitizer.rulebook import Rulebook, load_rules
from sanitizer.version import __version__

__all__ = [
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
    "RuleError",
    "Rulebook",
    "Sanitizer",
    "SanitizerError",
    "Source",
    "TooLarge",
    "TooManyRedirects",
    "__version__",
    "clean_html",
    "clean_url",
    "load_rules",
    "render",
]
