"""match_rule: the first routing rule that matches, by category or by whole words and phrases."""

from __future__ import annotations

import pytest

from sp4n.states import Sop, build_sop, builtin_sop
from sp4n.workflow.routing import match_rule, words

STATES = [
    {"id": "received", "label_id": "Diterima", "label_en": "Received", "initial": True},
    {"id": "closed", "label_id": "Selesai", "label_en": "Closed", "terminal": True},
]
TRANSITIONS = [{"trigger": "close", "source": "received", "dest": "closed", "roles": ["agency_admin"]}]


def sop_with(*rules: dict[str, object]) -> Sop:
    return build_sop(
        {
            "id": "pesisir",
            "title": "Pesisir",
            "categories": ["bencana", "kesehatan"],
            "states": STATES,
            "transitions": TRANSITIONS,
            "routing": list(rules),
        }
    )


COAST = sop_with(
    {"name": "tidal_flood", "keywords": ["rob", "banjir rob"], "agency": "bpbd"},
    {"name": "health", "categories": ["kesehatan"], "keywords": ["rumah sakit", "covid-19"], "agency": "dinkes"},
)


def routed(title: str, description: str = "", category: str | None = None, sop: Sop = COAST) -> str | None:
    rule = match_rule(sop, title, description, category)
    return rule.name if rule is not None else None


@pytest.mark.parametrize(
    "title",
    ["Jalan rusak di Probolinggo", "Tas robek di bandara", "Robot parkir rusak", "Perobohan gedung tanpa izin"],
)
def test_a_keyword_inside_another_word_does_not_match(title: str) -> None:
    assert routed(title) is None


@pytest.mark.parametrize(
    "title",
    ["Banjir rob di pesisir", "ROB lagi!", "rob, sudah tiga hari", "(rob)", "Air rob/genangan", "Rob."],
)
def test_a_keyword_matches_as_a_word_whatever_the_case_and_punctuation(title: str) -> None:
    assert routed(title) == "tidal_flood"


def test_the_description_is_searched_too() -> None:
    assert routed("Genangan air", "Sejak pagi air rob masuk rumah warga.") == "tidal_flood"
    assert routed("Genangan air", "Di Probolinggo air masuk rumah warga.") is None


def test_a_phrase_matches_its_words_in_order_next_to_each_other() -> None:
    assert routed("Antre lama di Rumah  Sakit umum") == "health"
    assert routed("Antre lama di rumah-sakit umum") == "health"
    assert routed("Rumah warga dekat sakit") is None
    assert routed("Sakit rumah") is None
    assert routed("Antre di rumah sakitnya") is None


def test_a_phrase_does_not_run_from_the_title_into_the_description() -> None:
    assert routed("Sudah ke rumah", "Sakit kepala sejak kemarin") is None


def test_punctuation_inside_a_keyword_does_not_matter() -> None:
    assert routed("Vaksin COVID-19 habis") == "health"
    assert routed("Vaksin covid 19 habis") == "health"
    assert routed("Vaksin covid19 habis") is None  # one word, not the two of the keyword


def test_a_category_matches_and_the_first_matching_rule_wins() -> None:
    assert routed("Antrean panjang", category="kesehatan") == "health"
    assert routed("Banjir rob di rumah sakit") == "tidal_flood"
    assert routed("Antrean panjang", category="bencana") is None


def test_no_rules_no_match() -> None:
    assert match_rule(builtin_sop("national"), "Banjir rob", "", "kesehatan") is None


def test_the_covid_fast_track_routes_by_words() -> None:
    fasttrack = builtin_sop("covid19_fasttrack")
    assert routed("Stok oksigen habis", sop=fasttrack) == "covid_health"
    assert routed("Pembagian sembako tidak merata", sop=fasttrack) == "covid_social_assistance"
    assert routed("Pasien COVID-19 ditolak", sop=fasttrack) == "covid_other"
    assert routed("Oksigenasi air kolam", sop=fasttrack) is None  # not the keyword oksigen
    assert routed("Jadwal swabbing kapal", sop=fasttrack) is None  # not the keyword swab


def test_words_lowercases_and_drops_punctuation() -> None:
    assert words("  Banjir ROB—di   Jl. Merdeka_5! ") == "banjir rob di jl merdeka 5"
    assert words("") == ""


def test_rules_are_compiled_once_per_sop_version() -> None:
    first = match_rule(COAST, "Banjir rob", "", None)
    again = sop_with(*(rule.model_dump() for rule in COAST.routing))
    assert again is not COAST
    assert again.key == COAST.key
    assert match_rule(again, "Banjir rob", "", None) is first  # the rules compiled for COAST were reused
