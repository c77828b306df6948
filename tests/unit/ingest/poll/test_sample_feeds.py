"""`newswire sample-feeds`: samples/ as the feeds the local stack polls, readable by the poller's own
readers, with pages whose main text is the whole article."""

from pathlib import Path

import pytest

from services.ingest.poll.feeds import read_feed
from services.ingest.poll.fulltext import main_text
from services.ingest.poll.ninjs import NinjsReader
from services.ingest.poll.sources import load_sources
from services.tools.sample_feeds import NINJS_SOURCE, RSS_SOURCE, write_feeds

SAMPLES = Path(__file__).parents[4] / "samples"
BASE = "http://127.0.0.1:8090"


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("feeds")
    write_feeds(SAMPLES, directory, BASE, "60s")
    return directory


def test_the_sources_file_lists_both_feeds_with_full_text_for_the_rss(out: Path) -> None:
    sources = {source.source: source for source in load_sources(out / "sources.yml")}

    assert sources[RSS_SOURCE].url == f"{BASE}/rss.xml"
    assert sources[RSS_SOURCE].fetch_full_text
    assert sources[NINJS_SOURCE].url == f"{BASE}/ninjs.json"
    assert not sources[NINJS_SOURCE].fetch_full_text


def test_every_sample_is_an_rss_item_with_a_summary_and_a_page_holding_its_whole_text(out: Path) -> None:
    feed = read_feed((out / "rss.xml").read_bytes(), ninjs=NinjsReader.load(), max_items=100)

    assert len(feed.items) == len(list(SAMPLES.glob("*.txt")))
    for item in feed.items:
        assert not item.has_full_text
        assert item.summary
        assert item.link
        page = out / "articles" / item.link.removeprefix(f"{BASE}/articles/")
        text = main_text(page.read_bytes(), url=item.link) or ""
        assert item.summary in text
        assert len(text) > 2 * len(item.summary)


def test_every_sample_is_a_valid_ninjs_item_with_its_whole_text(out: Path) -> None:
    feed = read_feed((out / "ninjs.json").read_bytes(), ninjs=NinjsReader.load(), max_items=100)

    assert feed.refused == ()
    assert len(feed.items) == len(list(SAMPLES.glob("*.txt")))
    assert all(item.has_full_text and item.key.startswith("urn:newswire:samples:") for item in feed.items)
