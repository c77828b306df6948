"""Reading feed bodies: RSS, Atom and ninjs shapes from tests/fixtures/feeds, and what is not a feed."""

from datetime import UTC, datetime
from pathlib import Path

import pytest

from services.ingest.errors import FeedUnreadable
from services.ingest.poll.feeds import Feed, read_feed
from services.ingest.poll.items import FeedItem, article_fields, html_to_text, item_key
from services.ingest.poll.ninjs import NinjsReader

FEEDS = Path(__file__).parents[3] / "fixtures" / "feeds"


@pytest.fixture(scope="module")
def ninjs() -> NinjsReader:
    return NinjsReader.load()


def read(name: str, ninjs: NinjsReader, max_items: int = 500, url: str | None = None) -> Feed:
    return read_feed((FEEDS / name).read_bytes(), ninjs=ninjs, max_items=max_items, url=url)


def test_a_newspaper_rss_gives_items_with_summary_link_date_and_the_channel_language(
    ninjs: NinjsReader,
) -> None:
    feed = read("journal.rss.xml", ninjs)

    assert feed.format == "rss"
    assert len(feed.items) == 3
    assert feed.warning is None
    first = feed.items[0]
    assert first.title == "Tentative de coup d'État au Burundi"
    assert (
        first.link
        == first.key
        == "https://journal.example.fr/international/article/burundi-tentative-coup-etat.html"
    )
    assert first.published_at == datetime(2015, 5, 13, 16, 32, 10, tzinfo=UTC)
    assert first.lang == "fr"
    # media:description ("Illustration") is no article body: the item has a summary only.
    assert not first.has_full_text
    assert first.summary
    assert first.summary.startswith("Le général burundais")


def test_an_atom_feed_gives_its_full_content_as_plain_text(ninjs: NinjsReader) -> None:
    feed = read("wikinews.atom.xml", ninjs)

    assert feed.format == "atom"
    assert [item.has_full_text for item in feed.items] == [True, True]
    text = feed.items[0].text or ""
    assert "<p>" not in text
    assert text.count("\n") >= 2


def test_a_ninjs_2_list_is_validated_item_by_item(ninjs: NinjsReader) -> None:
    feed = read("agency.ninjs.json", ninjs)

    assert feed.format == "ninjs"
    [item] = feed.items
    assert item.key == "urn:newsml:agence.example:20100108:100108-99-1"
    assert item.link is None
    assert item.title
    assert item.title.startswith("Coupe d'Afrique des nations")
    assert item.published_at == datetime(2010, 1, 8, 17, 20, tzinfo=UTC)
    assert [r.reason for r in feed.refused] == [
        'ninjs item 1: versioncreated: "hier soir" is not a "date-time"'
    ]


def test_a_single_ninjs_1_item_reads_its_headline_and_body_text(ninjs: NinjsReader) -> None:
    [item] = read("agency-1x.ninjs.json", ninjs).items

    assert item.title == "Tentative de coup d'État au Burundi"
    assert item.link == "https://agence.example/depeches/burundi-coup-2015-05-13"
    assert item.text
    assert "Niyombare" in item.text


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (b'{"items": [{"headline": "no uri"}]}', "uri"),
        (b'[{"uri": "u1", "bodies": [{"value": 3}]}]', "bodies/0/value"),
        (b'[{"uri": "u1", "language": ""}]', "language"),
    ],
)
def test_a_ninjs_item_breaking_the_schema_is_refused_with_the_place(
    ninjs: NinjsReader, body: bytes, says: str
) -> None:
    feed = read_feed(body, ninjs=ninjs, max_items=10)

    assert not feed.items
    assert says in feed.refused[0].reason


@pytest.mark.parametrize(
    "body", [b"{not json", b'{"hello": "world"}', b"<html><body>Not found</body></html>", b"", b"\x00\x01"]
)
def test_a_body_that_is_no_feed_is_unreadable(ninjs: NinjsReader, body: bytes) -> None:
    with pytest.raises(FeedUnreadable):
        read_feed(body, ninjs=ninjs, max_items=10)


def test_a_malformed_feed_with_items_is_read_with_a_warning(ninjs: NinjsReader) -> None:
    feed = read("malformed.rss.xml", ninjs)

    assert len(feed.items) == 1
    assert feed.warning
    assert "undefined entity" in feed.warning


def test_items_past_the_cap_are_the_oldest_and_are_counted(ninjs: NinjsReader) -> None:
    feed = read("journal.rss.xml", ninjs, max_items=2)

    assert [i.published_at.year for i in feed.items if i.published_at] == [2015, 2010]
    assert feed.over_cap == 1


def test_an_id_is_no_link_and_a_relative_link_is_resolved_against_the_feed(ninjs: NinjsReader) -> None:
    body = (
        b'<rss version="2.0"><channel><title>t</title>'
        b"<item><title>a</title><guid>item-1</guid><description>un texte</description></item>"
        b"<item><title>b</title><link>/monde/2</link><description>un autre texte</description></item>"
        b"</channel></rss>"
    )

    feed = read_feed(body, ninjs=ninjs, max_items=10, url="https://www.example.fr/rss/monde.xml")

    assert [(i.key, i.link) for i in feed.items] == [
        ("item-1", None),
        ("https://www.example.fr/monde/2", "https://www.example.fr/monde/2"),
    ]


def test_html_becomes_one_line_per_block() -> None:
    assert html_to_text("<p>Un <b>premier</b> paragraphe.</p><p>Un second.<br>Suite</p>") == (
        "Un premier paragraphe.\nUn second.\nSuite"
    )
    assert html_to_text("  texte brut  ") == "texte brut"


def test_an_item_without_id_or_link_is_keyed_by_its_content() -> None:
    one = item_key(feed_id=None, link=None, title="Titre", text="Texte")

    assert one.startswith("sha256:")
    assert one == item_key(feed_id="  ", link=None, title="Titre", text="Texte")
    assert one != item_key(feed_id=None, link=None, title="Titre", text="Autre texte")
    assert item_key(feed_id="x" * 600, link=None, title=None, text=None).startswith("sha256:")


def test_an_item_becomes_the_fields_of_a_post_with_the_source_language_first() -> None:
    item = FeedItem(
        key="g1",
        title="Titre",
        link="https://e.fr/1",
        published_at=datetime(2024, 5, 1, 8, 0, tzinfo=UTC),
        text=None,
        summary="Résumé.",
        lang="en",
    )

    assert article_fields(item, source="e", lang="fr") == {
        "text": "Résumé.",
        "title": "Titre",
        "external_id": "g1",
        "source": "e",
        "url": "https://e.fr/1",
        "published_at": "2024-05-01T08:00:00+00:00",
        "lang": "fr",
    }
    assert article_fields(item, source="e", lang=None, body="Texte entier.")["text"] == "Texte entier."
    assert article_fields(item, source="e", lang=None)["lang"] == "en"


def test_an_item_language_that_is_no_language_tag_is_left_to_detection() -> None:
    item = FeedItem("g1", None, None, None, "Le texte.", None, lang="French")

    assert "lang" not in article_fields(item, source="e", lang=None)


RSS_091 = b"""<?xml version="1.0" encoding="ISO-8859-1"?>
<rss version="0.91"><channel><title>Ancien flux</title><link>https://ancien.example.fr/</link>
<description>RSS 0.91</description><language>fr</language>
<item><title>Gr\xe8ve des cheminots</title><link>https://ancien.example.fr/greve</link>
<description>Les syndicats ont appel\xe9 \xe0 la gr\xe8ve jeudi.</description></item>
</channel></rss>"""

RSS_10 = b"""<?xml version="1.0" encoding="UTF-8"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
         xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel rdf:about="https://rdf.example.fr/"><title>Flux RDF</title><link>https://rdf.example.fr/</link>
    <description>RSS 1.0</description>
    <items><rdf:Seq><rdf:li rdf:resource="https://rdf.example.fr/sommet"/></rdf:Seq></items>
  </channel>
  <item rdf:about="https://rdf.example.fr/sommet"><title>Sommet de l'Union africaine</title>
    <link>https://rdf.example.fr/sommet</link><dc:date>2024-02-17T09:00:00+03:00</dc:date>
    <dc:language>fr</dc:language>
    <description>Les chefs d'\xc3\x89tat se r\xc3\xa9unissent \xc3\xa0 Addis-Abeba.</description></item>
</rdf:RDF>"""


@pytest.mark.parametrize(
    ("body", "title", "published"),
    [
        (RSS_091, "Grève des cheminots", None),
        (RSS_10, "Sommet de l'Union africaine", datetime(2024, 2, 17, 6, 0, tzinfo=UTC)),
    ],
)
def test_rss_0_91_and_rss_1_0_are_read_too(
    ninjs: NinjsReader, body: bytes, title: str, published: datetime | None
) -> None:
    feed = read_feed(body, ninjs=ninjs, max_items=10)

    [item] = feed.items
    assert (feed.format, item.title, item.published_at, item.lang) == ("rss", title, published, "fr")
    assert item.link
    assert item.link.startswith("https://")
    assert item.summary
