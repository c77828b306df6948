"""normalise.py: wire noise goes, everything else stays character for character."""

from datetime import UTC, datetime

import pytest

from services.ingest.normalise import detect_title, looks_like_headline, normalise_text

BODY = "Le conseil municipal a voté le budget mardi.\nLes travaux commenceront en juin."


class TestWhitespace:
    def test_trailing_spaces_are_removed_from_every_line(self) -> None:
        assert normalise_text("Une phrase.  \nUne autre.\t\n").text == "Une phrase.\nUne autre."

    def test_three_or_more_line_breaks_collapse_to_two(self) -> None:
        assert normalise_text("Premier.\n\n\n\nSecond.").text == "Premier.\n\nSecond."

    def test_a_single_blank_line_between_paragraphs_is_kept(self) -> None:
        assert normalise_text("Premier.\n\nSecond.").text == "Premier.\n\nSecond."

    def test_crlf_and_lone_cr_become_lf(self) -> None:
        assert normalise_text("Un.\r\nDeux.\rTrois.").text == "Un.\nDeux.\nTrois."

    def test_the_ends_are_stripped(self) -> None:
        assert normalise_text("\n\n  Texte court.  \n\n").text == "Texte court."

    def test_apostrophes_quotes_and_inner_spaces_are_untouched(self) -> None:
        text = 'L’OTAN et l\'UE ont « salué » un "accord" ;  deux espaces.'
        assert normalise_text(text).text == text


class TestDateHeader:
    def test_month_header_gives_the_first_of_the_month_and_is_removed(self) -> None:
        result = normalise_text(" date 2024-08 - Les alliés promettent une aide\n\n" + BODY)
        assert result.header_date == datetime(2024, 8, 1, tzinfo=UTC)
        assert result.text.startswith("Les alliés promettent une aide\n\nLe conseil")

    def test_day_header_gives_that_day(self) -> None:
        result = normalise_text("date 2023-11-05 - " + BODY)
        assert result.header_date == datetime(2023, 11, 5, tzinfo=UTC)
        assert result.text == BODY

    def test_header_alone_on_its_line_leaves_no_blank_start(self) -> None:
        result = normalise_text("Date 2022-02 -\n" + BODY)
        assert result.text == BODY

    def test_an_impossible_date_is_not_treated_as_a_header(self) -> None:
        text = "date 2024-13 - " + BODY
        result = normalise_text(text)
        assert result.header_date is None
        assert result.text == text

    def test_a_date_in_the_middle_of_the_text_is_not_a_header(self) -> None:
        text = "Le rapport (date 2024-08 - version finale) a été publié."
        assert normalise_text(text).header_date is None


class TestTrailingStrayLine:
    @pytest.mark.parametrize(
        "word", ["Today", "today", "Aujourd'hui", "Aujourd’hui", "Yesterday", "Hier", "lundi"]
    )
    def test_a_lone_day_word_at_the_end_is_removed(self, word: str) -> None:
        assert normalise_text(f"{BODY}\n{word}").text == BODY

    def test_the_seed_pattern_quote_then_today(self) -> None:
        text = 'Il a déclaré que les frappes "ne font que confirmer la nécessité d\'agir".\nToday'
        assert normalise_text(text).text == text.removesuffix("\nToday")

    def test_a_lone_short_word_after_a_finished_sentence_is_removed(self) -> None:
        assert normalise_text(f"{BODY}\n\nFin").text == BODY

    def test_a_last_line_with_punctuation_or_several_words_is_kept(self) -> None:
        for ending in ("Fin.", "Avec AFP", "(AFP)", "2024"):
            assert normalise_text(f"{BODY}\n{ending}").text.endswith(ending)

    def test_a_lone_word_continuing_an_unfinished_line_is_kept(self) -> None:
        text = "La liste des pays comprend la France, l'Italie et\nl'Espagne"
        assert normalise_text(text).text == text

    def test_a_text_made_only_of_that_word_keeps_it(self) -> None:
        assert normalise_text("Today").text == "Today"


class TestDateline:
    @pytest.mark.parametrize(
        ("opening", "place"),
        [
            ("JAKARTA - ", "Jakarta"),
            ("PARIS (AFP) - ", "Paris"),
            ("KIEV, 3 avril (Reuters) - ", "Kiev"),
            ("NEW YORK — ", "New York"),
            ("SAINT-PÉTERSBOURG - ", "Saint-Pétersbourg"),
            ("WASHINGTON, Aug 3 (Reuters) -- ", "Washington"),
        ],
    )
    def test_a_dateline_opening_the_lead_is_cut_and_returned(self, opening: str, place: str) -> None:
        result = normalise_text(opening + BODY)
        assert result.dateline == place
        assert result.text == BODY

    def test_the_dateline_in_the_paragraph_after_a_headline(self) -> None:
        result = normalise_text("Les alliés se réunissent à Bruxelles\n\nBRUXELLES - " + BODY)
        assert result.dateline == "Bruxelles"
        assert result.text == "Les alliés se réunissent à Bruxelles\n\n" + BODY

    def test_mixed_case_words_before_a_dash_are_not_a_dateline(self) -> None:
        text = "Le ministre - qui parlait à la presse - a confirmé la visite."
        result = normalise_text(text)
        assert result.dateline is None
        assert result.text == text

    def test_a_dash_without_spaces_is_not_a_dateline(self) -> None:
        assert normalise_text("FRANCE-ALLEMAGNE: le match a eu lieu hier soir.").dateline is None

    def test_a_dateline_deep_in_the_article_is_left_alone(self) -> None:
        text = BODY + "\nUn autre paragraphe.\nLONDRES - Un troisième paragraphe."
        assert normalise_text(text).text == text


class TestTitle:
    def test_a_short_first_line_without_final_period_is_the_title_and_stays_in_the_text(self) -> None:
        result = normalise_text("L’OTAN réaffirme son soutien à l’Ukraine\n" + BODY)
        assert result.title == "L’OTAN réaffirme son soutien à l’Ukraine"
        assert result.text.startswith(result.title + "\n")

    def test_a_first_line_ending_with_a_period_is_not_a_title(self) -> None:
        assert normalise_text(BODY).title is None

    def test_a_single_line_text_has_no_title(self) -> None:
        assert detect_title("Un titre sans suite") is None

    @pytest.mark.parametrize(
        ("line", "expected"),
        [
            ('OTAN : une "discussion franche" sur les garanties', True),
            ("Faut-il armer l'Ukraine ?", True),
            ("Un.", False),
            ("Mot", False),
            ("Il a dit « oui. »", False),
            ("Les ministres ont déclaré :", False),
            ("mot " * 31, False),
        ],
    )
    def test_what_looks_like_a_headline(self, line: str, expected: bool) -> None:
        assert looks_like_headline(line) is expected

    def test_the_title_is_found_after_the_date_header_is_removed(self) -> None:
        result = normalise_text(" date 2024-08 - Engagement des alliés: une aide supplémentaire\n\n" + BODY)
        assert result.title == "Engagement des alliés: une aide supplémentaire"
