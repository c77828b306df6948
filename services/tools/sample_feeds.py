"""`newswire sample-feeds OUT --base-url URL`: the sample articles (samples/*.txt) as the feeds a real
source publishes, for the local stack to poll with no outside network (`make run` serves OUT on
127.0.0.1 with Python's http.server):

    OUT/rss.xml            RSS 2.0 whose items carry only their first paragraph and a link ...
    OUT/articles/*.html    ... to a web page of the whole article (the poller's fetch_full_text reads it)
    OUT/ninjs.json         IPTC ninjs 2.0 items with the whole text (a news agency's shape)
    OUT/sources.yml        the poller's sources file for the two feeds

Each sample is read as ingest reads a .txt file (services/ingest/normalise.py: headline, `date ... -`
header); the feeds' item ids are stable, so the poller publishes each sample once per feed.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from html import escape
from pathlib import Path
from xml.etree import ElementTree as ET

import yaml

from services.ingest.normalise import normalise_text

RSS_SOURCE = "samples-rss"
NINJS_SOURCE = "samples-ninjs"


@dataclass(frozen=True)
class Sample:
    name: str
    title: str | None
    paragraphs: tuple[str, ...]
    published_at: datetime | None


def read_samples(directory: Path) -> list[Sample]:
    """Every .txt file of `directory`, sorted by name, as ingest would read it."""
    samples = []
    for path in sorted(directory.glob("*.txt")):
        cleaned = normalise_text(path.read_text(encoding="utf-8"))
        paragraphs = tuple(line.strip() for line in cleaned.text.splitlines() if line.strip())
        published = (
            datetime.combine(cleaned.header_date.date(), datetime.min.time(), UTC)
            if cleaned.header_date
            else None
        )
        samples.append(Sample(path.stem, cleaned.title, paragraphs, published))
    return samples


def rss(samples: list[Sample], base_url: str) -> bytes:
    """An RSS 2.0 feed of summaries: each item's description is the article's first paragraph."""
    root = ET.Element("rss", version="2.0")
    channel = ET.SubElement(root, "channel")
    ET.SubElement(channel, "title").text = "newswire samples"
    ET.SubElement(channel, "link").text = f"{base_url}/"
    ET.SubElement(channel, "description").text = "The sample articles of the repository, as a feed"
    for sample in samples:
        item = ET.SubElement(channel, "item")
        link = f"{base_url}/articles/{sample.name}.html"
        if sample.title:  # else, as in many feeds, no title: ingest finds the headline in the text
            ET.SubElement(item, "title").text = sample.title
        ET.SubElement(item, "link").text = link
        ET.SubElement(item, "guid", isPermaLink="true").text = link
        ET.SubElement(item, "description").text = sample.paragraphs[0]
        if sample.published_at is not None:
            ET.SubElement(item, "pubDate").text = format_datetime(sample.published_at, usegmt=True)
    document: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return document


def page(sample: Sample) -> str:
    """The article's web page, with the navigation and footer a news site wraps around it."""
    title = escape(sample.title or sample.name)
    body = "\n".join(f"    <p>{escape(paragraph)}</p>" for paragraph in sample.paragraphs)
    return (
        f'<!DOCTYPE html>\n<html lang="fr"><head><meta charset="utf-8"><title>{title}</title></head>\n'
        f'<body><nav><a href="/">Accueil</a> | <a href="/rss.xml">Flux RSS</a></nav>\n'
        f"<article>\n    <h1>{title}</h1>\n{body}\n</article>\n"
        "<footer>newswire samples, served by make run</footer></body></html>\n"
    )


def ninjs(samples: list[Sample]) -> list[dict[str, object]]:
    """ninjs 2.0 items with the whole text as a text/plain body."""
    items: list[dict[str, object]] = []
    for sample in samples:
        item: dict[str, object] = {
            "uri": f"urn:newswire:samples:{sample.name}",
            "type": "text",
            "standard": {
                "name": "ninjs",
                "version": "2.0",
                "schema": "https://iptc.org/std/ninjs/ninjs-schema_2.0.json",
            },
            "bodies": [
                {"role": "main", "contenttype": "text/plain", "value": "\n\n".join(sample.paragraphs)}
            ],
        }
        if sample.title:
            item["headlines"] = [{"role": "main", "value": sample.title}]
        if sample.published_at is not None:
            item["versioncreated"] = sample.published_at.isoformat()
        items.append(item)
    return items


def sources(base_url: str, interval: str) -> str:
    entries = [
        {"url": f"{base_url}/rss.xml", "source": RSS_SOURCE, "interval": interval, "fetch_full_text": True},
        {"url": f"{base_url}/ninjs.json", "source": NINJS_SOURCE, "interval": interval},
    ]
    return yaml.safe_dump({"sources": entries}, sort_keys=False)


def write_feeds(samples_dir: Path, out: Path, base_url: str, interval: str) -> list[Path]:
    """Write the feeds, pages and sources file into `out`; the paths written."""
    samples = read_samples(samples_dir)
    (out / "articles").mkdir(parents=True, exist_ok=True)
    written = []
    for sample in samples:
        path = out / "articles" / f"{sample.name}.html"
        path.write_text(page(sample), encoding="utf-8")
        written.append(path)
    for name, data in (
        ("rss.xml", rss(samples, base_url)),
        ("ninjs.json", json.dumps(ninjs(samples), ensure_ascii=False, indent=2).encode()),
        ("sources.yml", sources(base_url, interval).encode()),
    ):
        (out / name).write_bytes(data)
        written.append(out / name)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="newswire sample-feeds", description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="directory to write the feeds into")
    parser.add_argument(
        "--base-url", required=True, help="where OUT will be served, e.g. http://127.0.0.1:8090"
    )
    parser.add_argument(
        "--samples", type=Path, default=Path("samples"), help="the .txt articles (default samples/)"
    )
    parser.add_argument("--interval", default="60s", help="the sources' poll interval (default 60s)")
    args = parser.parse_args(argv)
    written = write_feeds(args.samples, args.out, args.base_url.rstrip("/"), args.interval)
    print(f"{len(written)} files in {args.out}: rss.xml, ninjs.json, sources.yml and the article pages")
    return 0
