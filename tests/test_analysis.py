"""The one analysis path: the same view gives the same strikes and links to every front."""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import MINIMAL_FEATURES
from streamlit.testing.v1 import AppTest

from strikemap.analysis import Dataset, View, ViewError, analyse, load_dataset
from strikemap.cli import main
from strikemap.geo.rules import DEFAULT_RULES
from strikemap.layers.paths import DATA_DIR_ENV

APP = str(Path(__file__).resolve().parent.parent / "app.py")
CANDIDATE = "strike-candidate-test-orlivka"


@pytest.fixture
def with_candidate(make_data_dir: Callable[..., Path]) -> Path:
    """The minimal data folder plus a candidate strike (as FIRMS imports make) at the station."""
    strikes = copy.deepcopy(MINIMAL_FEATURES["strikes"])
    candidate = copy.deepcopy(strikes[0])
    candidate["properties"].update(
        id=CANDIDATE, status="candidate", target_ids=[], name="Candidate near Orlivka"
    )
    return make_data_dir(strikes=[*strikes, candidate])


def test_candidate_strikes_are_shown_and_linked_only_when_the_view_includes_them(
    with_candidate: Path,
) -> None:
    dataset = load_dataset(with_candidate)
    hidden = analyse(dataset, View())
    assert CANDIDATE not in set(hidden.strikes["id"])
    assert CANDIDATE not in set(hidden.all_links["strike_id"].astype(str))
    shown = analyse(dataset, View(include_candidates=True))
    assert CANDIDATE in set(shown.strikes["id"])
    candidate_links = shown.links[shown.links["strike_id"] == CANDIDATE]
    assert "fac-orlivka-cs" in set(candidate_links["asset_id"].astype(str))


def test_cli_and_app_link_candidates_alike(
    with_candidate: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["impact", "--data-dir", str(with_candidate), "--include-candidates"]) == 0
    cli_rows = [line for line in capsys.readouterr().out.splitlines() if CANDIDATE in line]
    assert cli_rows
    monkeypatch.setenv(DATA_DIR_ENV, str(with_candidate))
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["include_candidates"] = "1"
    at.run()
    assert not at.exception
    links = int(next(m for m in at.metric if m.label == "Links").value)
    without = AppTest.from_file(APP, default_timeout=120).run()
    fewer = int(next(m for m in without.metric if m.label == "Links").value)
    assert links - fewer == len(cli_rows)


def test_explain_writes_sentences_only_for_the_rows_asked(valid_data_dir: Path) -> None:
    analysis = analyse(load_dataset(valid_data_dir))
    assert (analysis.links["detail"].astype(str) == "").all()
    explained = analysis.explain()
    assert (explained["detail"].astype(str) != "").all()
    one = analysis.strike_links("strike-2025-08-06-orlivka")
    assert set(one["strike_id"].astype(str)) == {"strike-2025-08-06-orlivka"}
    assert "named by sources" in " ".join(one["detail"].astype(str))


def test_a_selected_strike_hidden_by_the_filters_keeps_its_chain(valid_data_dir: Path) -> None:
    view = View(weapons=("missile",), selected="strike-2025-08-06-orlivka")
    analysis = analyse(load_dataset(valid_data_dir), view)
    assert analysis.strikes.empty
    assert len(analysis.strike_links("strike-2025-08-06-orlivka")) > 0


def test_an_unknown_country_is_refused_naming_the_known_ones(valid_data_dir: Path) -> None:
    with pytest.raises(ViewError, match=r"no such country in the data: XYZ;.*AZE.*MDA"):
        analyse(load_dataset(valid_data_dir), View(countries=("XYZ",)))


def test_the_join_runs_once_per_rule_set_even_from_many_threads(valid_data_dir: Path) -> None:
    dataset = load_dataset(valid_data_dir)
    results: list[object] = []
    threads = [
        threading.Thread(target=lambda: results.append(dataset.links_for(DEFAULT_RULES)))
        for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(r is results[0] for r in results)
    assert analyse(dataset).all_links is results[0]


def test_frames_built_in_memory_get_empty_missing_layers() -> None:
    dataset = Dataset.from_frames({})
    analysis = analyse(dataset)
    assert analysis.strikes.empty
    assert analysis.links.empty
