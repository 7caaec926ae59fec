"""sanitizer trace: follow credits upstream over real loopback servers (tests/miniweb)."""

from __future__ import annotations

from audit_fixtures import miniweb  # noqa: F401  (fixture)
from miniweb import MiniWeb, page, sample_paragraphs

from sanitizer import Sanitizer
from sanitizer.audit import make_fetcher
from sanitizer.cli import main
from sanitizer.trace import trace


def sanitizer_for_tests() -> Sanitizer:
    return Sanitizer(fetcher=make_fetcher(allow_private=True, delay=0.0))


def test_chain_from_copy_to_original(miniweb: MiniWeb) -> None:  # noqa: F811
    copy = next(u for u, v in miniweb.expected.items() if v == "upstream")
    with sanitizer_for_tests() as s:
        hops = trace(copy, sanitizer=s)

    assert [h.url for h in hops] == [copy, miniweb.sites.url("aggregator", "/stall/"),
                                     miniweb.originals[2]]
    assert hops[0].evidence and hops[0].share == 1.0
    # the wire story's "(Reuters)" dateline names an agency but links nothing: the chain ends
    assert hops[-1].source_url is None and hops[-1].end == "credits Reuters without a link"


def test_cycle_and_hop_limit_stop_the_chain(miniweb: MiniWeb) -> None:  # noqa: F811
    _, text = sample_paragraphs("reuters.example/cartels-wire")
    one, two = miniweb.sites.url("loop-a", "/p/"), miniweb.sites.url("loop-b", "/p/")
    for here, there in ((one, two), (two, one)):
        miniweb.sites.respond(here, page(title="Loop", site="Loop", paragraphs=text,
                                         bottom=f'<p>Source: <a href="{there}">Other</a></p>'))
    with sanitizer_for_tests() as s:
        hops = trace(one, sanitizer=s)
        short = trace(one, sanitizer=s, max_hops=0)

    assert [h.url for h in hops] == [one, two]
    assert "cycle" in (hops[-1].end or "")
    assert len(short) == 1 and "--max-hops" in (short[0].end or "")


def test_cli_prints_the_chain_and_a_failed_start(miniweb: MiniWeb, capsys) -> None:  # noqa: F811
    copy = next(u for u, v in miniweb.expected.items() if v == "upstream")

    assert main(["trace", copy, "--allow-private", "--delay", "0"]) == 0
    out = capsys.readouterr().out
    assert out.count("credits: ") == 3 and out.count("-> ") == 2 and "end: " in out
    assert main(["trace", miniweb.sites.url("broken", "/404/"), "--allow-private"]) == 1
    assert "could not read this page: HTTP 404" in capsys.readouterr().out
