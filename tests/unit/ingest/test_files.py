"""files.py: .txt, .json and .jsonl files and folders become input records, with where they came from."""

from pathlib import Path

import pytest

from services.ingest.errors import ArticleValidationError
from services.ingest.files import InputRecord, iter_input_records


def records(*paths: Path) -> list[InputRecord]:
    return list(iter_input_records(paths))


def test_a_txt_file_is_one_article_named_after_the_file(tmp_path: Path) -> None:
    path = tmp_path / "000_b0091894a722730c.txt"
    path.write_text("Titre\n\nTexte de l’article.\n", encoding="utf-8")
    assert records(path) == [
        InputRecord(
            str(path), {"text": "Titre\n\nTexte de l’article.\n", "external_id": "000_b0091894a722730c.txt"}
        )
    ]


def test_a_byte_order_mark_is_dropped(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_bytes("\ufeffTexte.".encode())
    assert records(path)[0].fields["text"] == "Texte."


def test_a_json_object_or_array(tmp_path: Path) -> None:
    single = tmp_path / "one.json"
    single.write_text('{"text": "Un.", "id": "1"}')
    many = tmp_path / "many.json"
    many.write_text('[{"text": "Deux."}, {"text": "Trois."}]')
    assert records(single, many) == [
        InputRecord(str(single), {"text": "Un.", "id": "1"}),
        InputRecord(f"{many}[0]", {"text": "Deux."}),
        InputRecord(f"{many}[1]", {"text": "Trois."}),
    ]


def test_jsonl_lines_skipping_blank_ones(tmp_path: Path) -> None:
    path = tmp_path / "batch.jsonl"
    path.write_text('{"text": "Un."}\n\n{"text": "Deux."}\n')
    assert records(path) == [
        InputRecord(f"{path}:1", {"text": "Un."}),
        InputRecord(f"{path}:3", {"text": "Deux."}),
    ]


def test_a_folder_is_walked_recursively_in_sorted_order_skipping_other_and_hidden_files(
    tmp_path: Path,
) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "2.txt").write_text("Deux.")
    (tmp_path / "a.jsonl").write_text('{"text": "Un."}\n')
    (tmp_path / "c.txt").write_text("Trois.")
    (tmp_path / "notes.md").write_text("ignored")
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "x.txt").write_text("ignored")
    assert [r.fields["text"] for r in records(tmp_path)] == ["Un.", "Deux.", "Trois."]


def test_records_are_read_lazily(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_text('{"text": "Un."}\nnot json\n')
    iterator = iter_input_records([path])
    assert next(iterator).fields == {"text": "Un."}
    with pytest.raises(ArticleValidationError):
        next(iterator)


@pytest.mark.parametrize(
    ("name", "content", "origin_suffix", "reason"),
    [
        ("bad.jsonl", b'{"text": "Un."}\n{"text": \n', ":2", "invalid JSON"),
        ("bad.jsonl", b'{"text": "Un."}\n["text"]\n', ":2", "must be a JSON object"),
        ("bad.json", b'[{"text": "Un."}, 3]', "[1]", "must be a JSON object"),
        ("bad.json", b"{", "", "invalid JSON"),
        ("bad.txt", b"caf\xe9", "", "not valid UTF-8"),
    ],
)
def test_an_unreadable_record_names_its_origin(
    tmp_path: Path, name: str, content: bytes, origin_suffix: str, reason: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ArticleValidationError) as caught:
        records(path)
    assert caught.value.origin == f"{path}{origin_suffix}"
    assert reason in caught.value.reason
    assert str(caught.value).startswith(f"{path}{origin_suffix}: ")


def test_an_explicit_file_of_another_type_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "articles.csv"
    path.write_text("text\nUn.")
    with pytest.raises(ArticleValidationError, match="unsupported file type"):
        records(path)


def test_a_missing_path(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        records(tmp_path / "nope.txt")
