"""Long texts are analysed in segments and merged back into one analysis of the whole text."""

from hypothesis import given
from hypothesis import strategies as st

from services.extract.nlp import segments
from services.extract.nlp.results import Analysis, EntityResult, EventResult, TextSpan


def test_a_text_within_the_bound_is_one_segment() -> None:
    assert segments.split("Une phrase.\n\nUne autre.", max_chars=100) == [(0, "Une phrase.\n\nUne autre.")]


def test_a_long_text_is_cut_at_paragraph_breaks_before_the_bound() -> None:
    paragraphs = [f"Paragraphe {i} qui parle de Paris." for i in range(40)]
    text = "\n\n".join(paragraphs)

    parts = segments.split(text, max_chars=200)

    assert "".join(segment for _, segment in parts) == text
    assert all(len(segment) <= 200 for _, segment in parts)
    assert all(segment.endswith("\n\n") for _, segment in parts[:-1])


@given(st.text(alphabet=st.sampled_from("ab .\n"), max_size=2000), st.integers(min_value=4, max_value=300))
def test_segments_cover_the_text_in_order_and_respect_the_bound(text: str, max_chars: int) -> None:
    parts = segments.split(text, max_chars=max_chars)

    assert "".join(segment for _, segment in parts) == text
    assert all(text[start : start + len(segment)] == segment for start, segment in parts)
    assert all(0 < len(segment) <= max_chars for _, segment in parts) or text == ""


def test_merging_shifts_spans_and_gathers_the_mentions_of_one_entity_across_segments() -> None:
    paris = EntityResult("geonames:2988507", "Paris", "LOC", (TextSpan("Paris", 3, 8),))
    first = Analysis(entities=(paris,))
    event = EventResult("PROTEST", None, None, TextSpan("manifesté", 0, 9), (0, 20), location=paris.id)
    second = Analysis(
        entities=(EntityResult(paris.id, "Paris", "LOC", (TextSpan("Paris", 12, 17),)),), events=(event,)
    )

    merged = segments.merge([(0, first), (100, second)])

    assert [m.start for m in merged.entities[0].mentions] == [3, 112]
    assert len(merged.entities) == 1
    assert merged.events[0].trigger == TextSpan("manifesté", 100, 109)
    assert merged.events[0].sentence == (100, 120)
