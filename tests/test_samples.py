"""Every bundled sample, cleaned through the public API, gives what its meta.toml says."""

from __future__ import annotations

import pytest
from conftest import SAMPLE_LIST, Sample

from sanitizer import Sanitizer
from sanitizer.text import fold
from sanitizer.urls import host_of

pytestmark = pytest.mark.skipif(not SAMPLE_LIST, reason="no samples/")


def _id(sample: Sample) -> str:
    return sample.name


@pytest.mark.parametrize("sample", SAMPLE_LIST, ids=_id)
def test_sample_keeps_article_text(sample: Sample, cleaner: Sanitizer) -> None:
    doc = cleaner.clean_html(sample.html, url=sample.url)
    text = fold(doc.text)
    lost = [keep for keep in sample.meta.get("keeps", []) if fold(keep) not in text]
    assert not lost


@pytest.mark.parametrize("sample", SAMPLE_LIST, ids=_id)
def test_sample_drops_share_bait(sample: Sample, cleaner: Sanitizer) -> None:
    doc = cleaner.clean_html(sample.html, url=sample.url)
    text = fold(doc.text)
    kept = [drop for drop in sample.meta.get("drops", []) if fold(drop) in text]
    assert not kept


@pytest.mark.parametrize("sample", SAMPLE_LIST, ids=_id)
def test_sample_source(sample: Sample, cleaner: Sanitizer) -> None:
    doc = cleaner.clean_html(sample.html, url=sample.url)
    expected = sample.meta.get("expected_source")
    if sample.meta.get("kind") == "original" or not expected:
        assert doc.source is None, f"invented a credit: {doc.source}"
        assert "attribution" not in doc.html
        return
    assert doc.source is not None
    if expected.get("url"):
        assert host_of(doc.source.url) == host_of(expected["url"])
        assert doc.source.url.rstrip("/").endswith(expected["url"].rstrip("/").split("/")[-1])
        assert f'href="{doc.source.url}"' in doc.html  # the visible credit links it
    if expected.get("publisher"):
        assert fold(doc.source.publisher or "") == fold(expected["publisher"])
