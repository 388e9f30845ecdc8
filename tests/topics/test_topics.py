"""Topics: KLE numbers from case numbers, the text classifier, KLE files, and a quality floor."""

from __future__ import annotations

import csv
import functools
import json
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from indexer.formats import FormatError
from indexer.model import Access, Item, Section, SectionKind
from indexer.topics import (
    _FACET_AFTER,
    _KLE_NUMBER,
    _MARK_BEFORE,
    MODEL_FILE,
    TOPIC_NAMES,
    ItemWords,
    KleTerms,
    TermMatcher,
    TokenBatch,
    Topic,
    TopicClassifier,
    TopicModel,
    classify_item,
    folded_words,
    item_kle_numbers,
    item_texts,
    keyword_term,
    kle_numbers_in_case_number,
    kle_numbers_in_text,
    load_kle_file,
    load_kle_terms,
    model_features,
    save_kle_terms,
    topic_codes,
)
from tests.conftest import CORPUS_CSV, REPO, load_benchmark

FIXTURE = Path(__file__).parent / "fixtures" / "kle-emneplan-invented.xml"
LABELS = Path(__file__).parent / "labels.jsonl"
SAMPLE_LABELS = Path(__file__).parent / "sample_labels.jsonl"
GREVE_LABELS = Path(__file__).parent / "greve_labels.jsonl"
SECOND_READER = Path(__file__).parent / "second_reader.jsonl"

csv.field_size_limit(1 << 30)


def corpus_row(identifier_prefix: str) -> str:
    with CORPUS_CSV.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            if row["identifikator"].startswith(identifier_prefix):
                return row["indhold"]
    raise AssertionError(f"row {identifier_prefix} not in the corpus")


def item(title: str, body: str = "", decision: str = "", case_number: str | None = None) -> Item:
    sections = [Section("Sagsfremstilling", body, access=Access.OPEN)] if body else []
    if decision:
        sections.append(Section("Beslutning", decision, kind=SectionKind.DECISION, access=Access.OPEN))
    return Item(number="1", title=title, access=Access.OPEN, case_number=case_number, sections=sections)


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    """The evaluation script, so the test measures exactly what the benchmark prints.

    Its readers of the labelled inputs are memoised for this module: a dozen tests read the same
    items (189 Greve meetings, the samples), parsed once rather than once a test.  Nothing here
    changes a parsed item (the evaluation hides KLE numbers in copies)."""
    module = load_benchmark("topics_eval.py", "topics_eval")
    module.parsed_items = functools.cache(module.parsed_items)
    module.labelled_examples = functools.cache(module.labelled_examples)
    return module


# ---------------------------------------------------------------- case numbers


@pytest.mark.parametrize(
    ("case_number", "expected"),
    [
        ("85.02.02-G01-1-17", ["85.02.02"]),
        ("00.01.00P35-0104", ["00.01.00"]),
        ("81.03.00-G01-12-20", ["81.03.00"]),
        ("01.02.05", ["01.02.05"]),
        ("05.01 P20", ["05.01"]),
        # Case numbers without KLE, as the corpus and the samples print them.
        ("326-2016-10422", []),
        ("710-2017-7322", []),
        ("2013-003869", []),
        ("200906126", []),
        # A date is not a KLE number, nor is an unknown main group.
        ("31.01.2014", []),
        ("10.40.22-G01", []),
        ("", []),
        (None, []),
    ],
)
def test_kle_number_in_case_number(case_number: str | None, expected: list[str]) -> None:
    assert kle_numbers_in_case_number(case_number) == expected


def test_journal_number_in_real_kalundborg_rows() -> None:
    # "Sagsnr.: 326-2016-26156       J.nr.: 08.03.26" — harbour maintenance.
    text = corpus_row("1a934d33-2a47-4fd0-b5a0-ecb39dc2ebe3_0964d2e3")
    assert kle_numbers_in_text(text) == ["08.03.26"]
    # Budget follow-up filed under 00.30.14; its text is full of dates like 30. april 2016.
    text = corpus_row("1a934d33-2a47-4fd0-b5a0-ecb39dc2ebe3_17d05c26")
    assert kle_numbers_in_text(text) == ["00.30.14"]
    topic = classify_item(item("Budgetopfølgning", body=text))[0]
    assert (topic.code, topic.source, topic.confidence, topic.detail) == ("00", "case-number", 1.0, "00.30.14")


def test_dates_and_times_in_real_text_are_not_kle_numbers() -> None:
    # Aarhus rows carry dates (01-09-2014), Kalundborg titles dates like 31.01.2014 and 30.09.14.
    assert kle_numbers_in_text(corpus_row("024dcac7-7c7c-4561-840d-18cd5aedaae3_37036f7f")) == []
    for text in (
        "Budgetopfølgning Teknik og Miljøudvalget pr. 31.01.2014",
        "Budgetopfølgning pr. 30.09.14, samlet drift",
        "Mødet begynder kl. 17.30 den 05.09.16",
        "en anlægsbevilling på i alt 5,126 mio. kr.",
    ):
        assert kle_numbers_in_text(text) == [], text


def test_case_number_outranks_text_and_ignores_closed_sections() -> None:
    about_roads = item("Asfaltprogram for kommunens veje", body="Belægning og cykelstier.", case_number="81.03.00-G01")
    assert [t.code for t in classify_item(about_roads)] == ["81"]
    hidden = item("Orientering", case_number="326-2016-1")
    hidden.sections.append(Section("Lukket", "J.nr.: 27.24.00", access=Access.CLOSED))
    assert item_kle_numbers(hidden) == []


# ---------------------------------------------------------------- hand keyword table
#
# The table is matched in one pass over an item's words (``TermMatcher``, the same
# machinery that reads a municipality's KLE subject words); it classifies alone when no
# model is shipped.

KEYWORDS_ONLY = TopicClassifier(use_model=False)


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Forslag til lokalplan nr. 377 med kommuneplantillæg nr. 1", "01"),
        ("Godkendelse af Tillæg nr. 2 til Spildevandsplan 2013", "06"),
        ("Vedtagelse af regulativer husholdnings og erhvervsaffald", "07"),
        ("Ekspropriation til cykelstiforbindelse", "05"),
        ("Orientering om tidsbegrænset parkering og beboerparkering", "05"),
        ("Høring om Flextur og Teletaxa", "13"),
        ("Projektforslag for etablering af varmepumpe på fliskedel", "13"),
        ("Opførelse af etageejendom", "02"),
        ("Beretning om magtanvendelser i 2016", "27"),
        ("Ansættelse af ny direktør for Teknik og Kultur", "81"),
        ("Godkendelse af styrelsesvedtægt for ungdomsskolen", "18"),
        ("2. Budgetopfølgning 2017", "00"),
        ("Plan for bekæmpelse af rotter 2016-2018", "09"),
        ("Beslutning om anlægsbevilling til vedligeholdelsesarbejder på havne", "08"),
    ],
)
def test_titles_classify_to_their_main_group(title: str, expected: str) -> None:
    topics = KEYWORDS_ONLY.classify(item(title))
    assert topics, title
    assert topics[0].code == expected
    assert topics[0].source == "text"
    assert topics[0].name == TOPIC_NAMES[expected]
    assert 0 < topics[0].confidence < 1


def test_word_boundaries_keep_lookalikes_apart() -> None:
    # "parkering" is not a park, "vejledning" is not a road, "stilling" is not a path.
    assert KEYWORDS_ONLY.classify(item("Parkering i den nordlige del af kvarteret"))[0].code == "05"
    assert KEYWORDS_ONLY.classify(item("Vejledning om stillingtagen til høringssvar")) == []


def test_vague_items_get_no_topic() -> None:
    for title, decision in [
        ("Orientering om [adresse]", "Udvalget blev orienteret."),
        ("Sager på vej", "Punktets behandling udsat."),
        ("", "Intet."),
    ]:
        assert KEYWORDS_ONLY.classify(item(title, decision=decision)) == [], title


def test_committee_is_only_a_weak_prior() -> None:
    vague = item("Status", decision="Udvalget blev orienteret.")
    assert KEYWORDS_ONLY.classify(vague, committee="Teknik- og Miljøudvalget") == []
    # Between two equally named groups, the committee tips the balance.
    mixed = item("Kloakering ved skolen")
    assert KEYWORDS_ONLY.classify(mixed, committee="Børne- og Skoleudvalget")[0].code == "17"
    assert KEYWORDS_ONLY.classify(mixed, committee="Teknik- og Miljøudvalget")[0].code == "06"


def test_body_and_decision_count_when_title_is_silent() -> None:
    text = corpus_row("2bf290cd")  # a Kalundborg Teknik- og Miljøudvalget row
    topics = classify_item(item("Drøftelse", body=text), committee="Teknik- og Miljøudvalget")
    assert topics and topics[0].source == "case-number"
    hidden = TopicClassifier().classify(item("Drøftelse", body=text), use_case_number=False)
    assert all(t.source == "text" for t in hidden)


def test_untitled_item_uses_its_decision() -> None:
    decision = "Udvalget blev orienteret om lokalplan nr. 1025 og 1022."
    topics = KEYWORDS_ONLY.classify(item("", decision=decision))
    assert [t.code for t in topics] == ["01"]


def test_topic_codes_for_the_index_field() -> None:
    topics = classify_item(item("Trafiksikkerhed og cykelstier", case_number="05.13.00"))
    assert topic_codes(topics) == "05"
    assert topics[0].to_dict()["detail"] == "05.13.00"


# ---------------------------------------------------------------- KLE files


def test_load_invented_kle_file() -> None:
    terms = load_kle_file(FIXTURE)
    assert terms.published == "2030-01-01"
    assert terms.titles["05.77.01"] == "Bumpebede i almindelighed"
    assert terms.titles["20.41"] == "Gøglerfestivaler"
    assert terms.keywords["05.77.01"] == ["Bumpebed", "Krukkechikane", "Plantekasse-spærring"]
    assert terms.keywords["05"] == ["Gadekunst på kørebaner"]
    assert terms.discontinued == ["11"]


def test_kle_terms_round_trip_beside_the_index(tmp_path: Path) -> None:
    terms = load_kle_file(FIXTURE)
    path = save_kle_terms(terms, tmp_path)
    assert path == tmp_path / "kle-terms.json"
    assert json.loads(path.read_text(encoding="utf-8"))["titles"]["20.41.02"] == "Jonglørtræf"
    assert load_kle_terms(tmp_path) == terms
    assert load_kle_terms(tmp_path / "elsewhere") is None


def test_kle_subject_words_classify_what_our_lists_do_not_know() -> None:
    words_only_the_file_knows = item("Nye bumpebede og krukkechikaner på Testgade")
    # Without the file nothing knows bumps or planters for traffic calming (at most "nye"
    # leans somewhere, never to roads).
    assert "05" not in [t.code for t in classify_item(words_only_the_file_knows)]
    terms = load_kle_file(FIXTURE)
    topics = classify_item(words_only_the_file_knows, kle_terms=terms)
    assert [(t.code, t.source) for t in topics] == [("05", "kle-file")]
    assert topics[0].detail == "05.77.01"
    assert topics[0].detail_name == "Bumpebede i almindelighed"
    festival = classify_item(item("Tilskud til jonglørtræf i byparken"), kle_terms=terms)
    assert festival[0].code == "20"
    # Discontinued groups do not classify.
    assert all(t.code != "11" for t in classify_item(item("Færgeøer"), kle_terms=terms))


def test_case_number_names_its_group_from_the_kle_file() -> None:
    classifier = TopicClassifier(load_kle_file(FIXTURE))
    topic = classifier.classify(item("Punkt", case_number="05.77.01-G01-3-30"))[0]
    assert (topic.code, topic.detail, topic.detail_name) == ("05", "05.77.01", "Bumpebede i almindelighed")


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("<KLE-Emneplan><Hovedgruppe>", "not a readable KLE XML file"),
        ("<Dagsorden/>", "root element is Dagsorden"),
        ("<KLE-Emneplan/>", "no KLE groups found"),
    ],
)
def test_bad_kle_files_raise_format_error(tmp_path: Path, content: str, problem: str) -> None:
    bad = tmp_path / "kle.xml"
    bad.write_text(content, encoding="utf-8")
    with pytest.raises(FormatError) as caught:
        load_kle_file(bad)
    assert problem in str(caught.value)
    assert caught.value.path == str(bad)


def test_empty_terms_change_nothing() -> None:
    plain = item("Forslag til lokalplan nr. 366")
    assert classify_item(plain, kle_terms=KleTerms()) == classify_item(plain)


# ---------------------------------------------------------------- quality floor
#
# Every hand label carries its part, "dev" or "test", fixed by the hash of its id before
# any tuning.  The floors below use the test part only: text the model was not trained on
# and nobody tuned anything to.  Figures are measured by benchmarks/topics_eval.py.


# Measured on the test part (round 34: grown from 694 to 870 items with a main group, by items
# labelled before the model was trained again): all sets 84.1 % accuracy, 99.1 % coverage; Greve
# items alone 84.4 % (710).  Floors leave a margin.
ALL_TEST_ACCURACY = 0.82
ALL_TEST_COVERAGE = 0.96
GREVE_TEST_ACCURACY = 0.82
# Each municipality's test items classified by the shipped choice trained without any of its items:
# how the classifier meets a municipality nobody labelled (72.6 % measured on the 694, where the Greve
# items are most of them and Greve's own dev labels are all held out; 74.4 % on the 340 of round 29;
# the choice before the shared keyword weight 58.1 %).
UNSEEN_MUNICIPALITY_TEST_ACCURACY = 0.70


def read_labels(path: Path) -> list[dict[str, str]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_the_accuracy_comes_with_a_bootstrap_interval_of_its_items(bench: ModuleType) -> None:
    """How far a figure on a few hundred labels may be off: 95 % of resampled accuracies."""
    half = bench.Evaluation("half right")
    for n in range(200):
        half.add("", "05", ["05"] if n % 2 else ["01"])
    low, high = half.interval()
    assert low < half.accuracy == 0.5 < high and 0.10 < high - low < 0.18
    assert half.interval() == (low, high)  # a fixed seed: the same interval every run
    everything = bench.Evaluation("all right")
    for _ in range(40):
        everything.add("", "05", ["05"])
    everything.add("", "", [])  # "no subject" items are not in the accuracy
    assert everything.interval() == (1.0, 1.0) and len(everything.outcomes) == 40
    assert "95% interval" in half.report()


def test_labelled_sets_are_large_hand_made_and_split_by_hash(bench: ModuleType) -> None:
    corpus, samples, greve = read_labels(LABELS), read_labels(SAMPLE_LABELS), read_labels(GREVE_LABELS)
    labels = corpus + samples + greve
    assert len(corpus) >= 200 and len(samples) >= 50 and len(greve) >= 100
    assert len({label["id"] for label in labels}) == len(labels)
    assert all(label["label"] == "" or label["label"] in TOPIC_NAMES for label in labels)
    assert all(label["why"] for label in labels)
    assert len({label["label"] for label in labels}) >= 15
    # the part is the hash of the id the item was labelled under: an item whose id changed since
    # (the meeting's municipality read later, from its town hall) keeps its part ("labelled_id")
    assert all(label["split"] == bench.label_split(label.get("labelled_id") or label["id"]) for label in labels)
    for part in (corpus, samples, greve):
        test_share = sum(label["split"] == "test" for label in part) / len(part)
        assert 0.35 < test_share < 0.65


def test_every_label_names_a_real_item(bench: ModuleType) -> None:
    labelled = {label["id"] for label in read_labels(SAMPLE_LABELS)}
    assert labelled == set(bench.sample_items())
    greve = bench.greve_items()
    assert all(label["id"] in greve for label in read_labels(GREVE_LABELS))
    rows = dict(bench.corpus_rows())
    assert all(label["id"] in rows for label in read_labels(LABELS))


def test_the_second_reader_read_dev_items_only_and_mostly_agrees() -> None:
    """The second reading (``train_topics.py --agreement``) is of dev items, never of test ones, and
    shows how far two careful readers part: far less than the model does, which is the point of it."""
    first = {
        label["id"]: label for label in read_labels(LABELS) + read_labels(SAMPLE_LABELS) + read_labels(GREVE_LABELS)
    }
    second = read_labels(SECOND_READER)
    assert len(second) == len({label["id"] for label in second}) >= 150
    assert all(first[label["id"]]["split"] == "dev" for label in second)
    assert all(label["label"] == "" or label["label"] in TOPIC_NAMES for label in second)
    with_group = [label for label in second if first[label["id"]]["label"]]
    agreeing = sum(label["label"] == first[label["id"]]["label"] for label in with_group)
    assert 0.85 < agreeing / len(with_group) < 0.95  # 121 of 133


@pytest.fixture(scope="module")
def test_part(bench: ModuleType) -> dict[str, ModuleType]:
    return bench.evaluate_split(TopicClassifier(), "test")  # type: ignore[no-any-return]


def test_accuracy_floor_on_the_test_part(test_part: dict[str, ModuleType]) -> None:
    # Measured on the test part (see the README's topics table); the floors leave a margin.
    result = test_part["all"]
    assert result.total >= 150
    assert result.accuracy >= ALL_TEST_ACCURACY, result.report()
    assert result.coverage >= ALL_TEST_COVERAGE, result.report()
    assert result.abstained_on_unlabelled >= result.unlabelled // 2, result.report()


def test_accuracy_floor_on_greve_items_nobody_tuned_on(test_part: dict[str, ModuleType]) -> None:
    result = test_part["greve"]
    assert result.total >= 50
    assert result.accuracy >= GREVE_TEST_ACCURACY, result.report()


def _toy_model(keyword_weight: float) -> TopicModel:
    """Roads are all its labels ever showed: the word "vej" and a prior lean that way."""
    return TopicModel(
        classes=["", "05", "15"],
        features={"w:vej": 0},
        weights=np.array([[0.0, 2.0, 0.0]], dtype=np.float32),
        intercept=np.array([0.0, 1.0, -1.0], dtype=np.float32),
        threshold=0.2,
        uses_keywords=False,
        keyword_weight=keyword_weight,
    )


def test_keyword_evidence_shared_by_every_group_names_a_group_the_labels_seldom_show() -> None:
    words = ItemWords.of_texts("Ny vej til jobcentret", "", "")
    features = model_features(words, "", None)
    employment = {"15": 9.0}  # what the keyword table finds for jobcenter, ledige, beskæftigelse
    without = _toy_model(0.0).probabilities(features, employment)
    shared = _toy_model(3.0).probabilities(features, employment)
    assert without.argmax() == 1  # roads: the only thing it learned
    assert shared.argmax() == 2  # the evidence for employment outweighs the prior
    assert np.allclose(shared, _toy_model(3.0).score(words, "", employment), atol=1e-6)


def test_an_item_without_a_known_word_or_keyword_gets_no_topic_from_the_priors() -> None:
    words = ItemWords.of_texts("Xqzpl", "", "")
    model = _toy_model(3.0)
    for found in (model.probabilities(model_features(words, "", None), {}), model.score(words, "", {})):
        assert model.classes[int(found.argmax())] == ""
    batch = TokenBatch.of_texts([("Xqzpl", "", ""), ("Ny vej", "", "")])
    rows = model.score_batch(batch, ["", ""], None)
    assert [model.classes[int(r.argmax())] for r in rows] == ["", "05"]


def test_the_shipped_model_can_name_every_main_group_and_keeps_its_shared_weight(tmp_path: Path) -> None:
    model = TopicModel.load(MODEL_FILE)
    assert set(model.classes) == set(TOPIC_NAMES) | {""}
    assert model.keyword_weight > 0 and not model.uses_keywords
    model.save(tmp_path / "model.json")
    assert TopicModel.load(tmp_path / "model.json").keyword_weight == model.keyword_weight


def test_a_model_trained_without_no_subject_labels_still_leaves_an_item_without_evidence_alone() -> None:
    training = load_benchmark("train_topics.py", "train_topics")
    rows = [{"w:vej": 1.0}, {"w:vej": 0.8, "w:cykelsti": 0.6}, {"w:jobcent": 1.0}, {"w:skol": 1.0}]
    vectorizer, fitted = training.fit(rows, ["05", "05", "15", "17"], 16.0)
    model = training.to_topic_model(vectorizer, fitted, 0.15, False, {})
    assert "" in model.classes and set(model.classes) == set(TOPIC_NAMES) | {""}
    nothing_known = model.probabilities({"w:xqzpl": 1.0}, {})
    assert model.classes[int(nothing_known.argmax())] == ""
    road = model.probabilities({"w:vej": 1.0}, {})
    assert model.classes[int(road.argmax())] == "05"


def test_unseen_municipality_figures_hold_out_each_municipality_whole(bench: ModuleType) -> None:
    training = load_benchmark("train_topics.py", "train_topics")
    dev = [e for e in bench.labelled_examples() if e.split == "dev"]
    groups = {training.municipality_group(e) for e in dev}
    assert {"Aarhus Kommune", "Favrskov Kommune", "samples", "greve"} <= groups
    assert {training.municipality_group(e) for e in bench.kle_examples()} == {"Kalundborg Kommune"}


def test_accuracy_floor_on_the_test_part_of_municipalities_nobody_labelled(bench: ModuleType) -> None:
    training = load_benchmark("train_topics.py", "train_topics")
    shipped = TopicModel.load(MODEL_FILE)
    choice = training.Choice.of(shipped)
    labelled = bench.labelled_examples()
    test = [e for e in labelled if e.split == "test"]
    dev = [e for e in labelled if e.split == "dev"]
    kle = [e for e in bench.kle_examples() if e.identifier not in {t.identifier for t in test}]
    accuracy, coverage = training.unseen_municipality_figures(choice, kle, dev, test)
    assert accuracy >= UNSEEN_MUNICIPALITY_TEST_ACCURACY, (accuracy, coverage)
    assert coverage >= ALL_TEST_COVERAGE, (accuracy, coverage)


def test_shipped_model_is_small_and_trained_from_the_repository() -> None:
    assert MODEL_FILE.is_file()
    assert MODEL_FILE.stat().st_size < 1_000_000  # gzip: 449 KiB (its JSON grows with the labels)
    model = TopicModel.load(MODEL_FILE)
    assert model.trained_on["command"] == "benchmarks/train_topics.py"
    assert set(model.classes) - {""} <= set(TOPIC_NAMES)
    assert 0 <= model.threshold < 1  # 0: every item gets its likeliest group (the choice rule may pick it)


def test_shipped_model_is_reproduced_by_its_training_command() -> None:
    done = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "train_topics.py"), "--check"],
        capture_output=True,
        text=True,
        timeout=1200,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_fast_scoring_equals_the_feature_dictionary_the_model_was_trained_on(bench: ModuleType) -> None:
    model = TopicModel.load(MODEL_FILE)
    keywords = TopicClassifier(use_model=False)
    examples = [e for e in bench.labelled_examples() if e.split == "dev"][::7]
    assert len(examples) > 20
    for example in examples:
        words = ItemWords.of(example.item)
        scores = keywords.evidence(words).totals()
        slow = model.probabilities(model_features(words, example.committee, scores), scores)
        fast = model.score(words, example.committee, scores)
        assert np.allclose(slow, fast, atol=1e-5), example.identifier


# ---------------------------------------------------------------- the batch path ingest takes


def _greve_items(bench: ModuleType) -> list[tuple[Item, str]]:
    """Every open Greve FirstAgenda item with its committee, as the reader gives them (a fresh list)."""
    return list(_parsed_greve_items(bench.GREVE))


@functools.cache
def _parsed_greve_items(root: Path) -> tuple[tuple[Item, str], ...]:
    """The Greve items parsed once for the module's tests (each only reads them)."""
    from indexer.formats import IngestContext, iter_inputs

    pairs = []
    for path, module in iter_inputs([root]):
        assert module is not None
        for meeting in module.parse(path, IngestContext(extract_text=False)):
            pairs += [(i, meeting.committee) for i in meeting.items if i.access == Access.OPEN]
    return tuple(pairs)


def _same_topics(reference: list[list[Topic]], batch: list[list[Topic]]) -> None:
    # Sums run in another order over a batch: a confidence may differ in the last of its three decimals.
    assert len(reference) == len(batch)
    for ours, theirs in zip(reference, batch, strict=True):
        assert [(t.code, t.source, t.detail) for t in ours] == [(t.code, t.source, t.detail) for t in theirs]
        assert all(abs(a.confidence - b.confidence) <= 0.0015 for a, b in zip(ours, theirs, strict=True))


@pytest.mark.parametrize("classifier", ["model", "keywords", "kle-file"])
def test_batch_classification_equals_the_reference_path(bench: ModuleType, classifier: str) -> None:
    # The reference reads items as ItemWords (what the model is trained on); ingest classifies a
    # batch as token ids.  Real text: Greve items (no KLE numbers), labelled corpus rows and samples.
    chosen = {
        "model": TopicClassifier(),
        "keywords": TopicClassifier(use_model=False),
        "kle-file": TopicClassifier(load_kle_file(FIXTURE)),
    }[classifier]
    pairs = _greve_items(bench)[:: 2 if classifier == "model" else 5]
    pairs += [(e.item, e.committee) for e in bench.labelled_examples()]
    pairs.append((item("Nye bumpebede og krukkechikaner på Testgade", body="Trafik på vej til skolen."), ""))
    reference = [chosen.classify_words(ItemWords.of(i), committee) for i, committee in pairs]
    batch: list[list[Topic]] = []
    for start in range(0, len(pairs), 400):
        batch += chosen.classify_many(pairs[start : start + 400], use_case_number=False)
    _same_topics(reference, batch)
    assert sum(bool(t) for t in batch) > len(batch) // 2
    if classifier == "kle-file":
        assert any(t and t[0].source == "kle-file" for t in batch)


def test_batch_classification_survives_the_word_ids_starting_over(
    bench: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The texts' word ids come from the ingest tokens, shared with the writer; when their
    # vocabulary starts over, the classifier's stems and term tables start over with it.
    from indexer.analysis import tokens

    classifier = TopicClassifier()
    pairs = _greve_items(bench)[::9]
    reference = [classifier.classify_words(ItemWords.of(i), committee) for i, committee in pairs]
    generation = tokens.VOCABULARY.generation
    monkeypatch.setattr(tokens, "VOCABULARY_LIMIT", 3_000)
    batch: list[list[Topic]] = []
    for start in range(0, len(pairs), 40):
        batch += classifier.classify_many(pairs[start : start + 40], use_case_number=False)
    assert tokens.VOCABULARY.generation > generation + 2
    _same_topics(reference, batch)


def test_batch_counts_equal_the_reference_term_counts(bench: ModuleType) -> None:
    # Phrases ("børn og unge med"), the "på vej" idiom, title-only terms: counts per part as Part gives them.
    classifier = TopicClassifier(use_model=False)
    matcher = classifier._keywords
    pairs = _greve_items(bench)[::3]
    texts = [item_texts(i) for i, _ in pairs]
    texts.append(("Opførelse af boliger på vej", "Børn og unge med handicap. Privat fællesvej på vej.", "på vej"))
    counted = TokenBatch.of_texts(texts).term_counts(matcher)
    phrases = 0
    for (title, body, decision), (t, b, d) in zip(texts, counted, strict=True):
        words = ItemWords.of_texts(title, body, decision)
        assert matcher.count(words.title) == t
        assert matcher.count(words.body, title=False) == b
        assert matcher.count(words.decision, title=False) == d
        phrases += sum(len(matcher.terms[index].words) > 1 for index in (*t, *b, *d))
    assert phrases > 20


def test_batch_keyword_totals_equal_the_reference_evidence(bench: ModuleType) -> None:
    # What the model reads of the keyword table: per group the evidence ``_weigh`` sums from an
    # item's term counts (title-only terms, phrases, the idiom, prefixes matching several words).
    classifier = TopicClassifier()
    matcher = classifier._keywords
    pairs = _greve_items(bench)[1::3] + [(e.item, e.committee) for e in bench.labelled_examples()]
    texts = [item_texts(i) for i, _ in pairs]
    texts.append(("Opførelse af boliger på vej", "Børn og unge med handicap. Privat fællesvej på vej.", "på vej"))
    texts.append(("Budget 2025 for kommunens ejendomme", "Kommunens grund og kommunens ejendom.", ""))
    totals = TokenBatch.of_texts(texts).keyword_totals(matcher)
    groups = matcher._term_table().groups
    nonzero = 0
    for (title, body, decision), row in zip(texts, totals, strict=True):
        expected = classifier.evidence(ItemWords.of_texts(title, body, decision)).totals()
        assert {g: v for g, v in zip(groups, row.tolist(), strict=True) if v} == pytest.approx(expected, rel=1e-12)
        nonzero += bool(expected)
    assert nonzero > len(texts) // 2


def test_batch_phrases_keep_the_reference_quirks() -> None:
    # A phrase counted, tried and not found, or not tried (its later whole word absent) changes
    # the count the one-word terms after it take; a later "vej" leaves out "på vej".
    notations = [
        ("kommunens ejendom", "82"),
        ("kommunens", "00"),
        ("salg af grund", "82"),
        ("salg", "24"),
        ("på vej hjem", "05"),
        ("på", "00"),
        ("^godkendelse af dagsorden", "00"),
        ("godkendelse", "85"),
    ]
    terms = [t for notation, group in notations if (t := keyword_term(notation, group))]
    matcher = TermMatcher(terms)
    texts = [
        ("Kommunens ejendom og kommunens ejendomme", "Kommunens grund. Kommunens salg.", "kommunens"),
        ("Salg af grunde", "Salg af bil, grund og salg.", "salg af grund og salg af grunden"),
        ("Sagen er på vej hjem", "Brevet er på vej hjem. En vej.", "på vej hjem, på vej hjem"),
        ("Godkendelse af dagsorden", "Godkendelse af dagsorden og godkendelse.", "Godkendelse af dagsordenen"),
        ("Salg", "Kommunens budget på vej", ""),
    ]
    reference = TopicClassifier(use_model=False)
    totals = TokenBatch.of_texts(texts).keyword_totals(matcher)
    groups = matcher._term_table().groups
    for (title, body, decision), row in zip(texts, totals, strict=True):
        words = ItemWords.of_texts(title, body, decision)
        counts = (matcher.count(words.title), matcher.count(words.body, False), matcher.count(words.decision, False))
        expected = reference._weigh(matcher, *counts).totals()
        assert {g: v for g, v in zip(groups, row.tolist(), strict=True) if v} == pytest.approx(expected, rel=1e-12)

    # The quirks kept: a one-word term after a phrase takes the phrase's count, 0 when the phrase
    # was tried (its later whole words occur) and not found; the pair's own count when not tried.
    def count(text: str, term: int) -> int | None:
        return matcher.count(ItemWords.of_texts("", text, "").body, title=False).get(term)

    assert count("Kommunens grund. Kommunens salg.", 1) == 0
    assert count("Salg af bil.", 3) == 0
    assert count("Salg. En bil.", 3) == 1
    assert count("Salg af grunden. Salg af grunde og salg.", 3) == 2


def test_ingest_stores_the_topics_each_item_gets_alone(tmp_path: Path, bench: ModuleType) -> None:
    from indexer.engines.whoosh.index import MinutesIndex
    from indexer.formats import IngestContext, iter_inputs

    meetings = []
    for path, module in list(iter_inputs([bench.GREVE]))[:12]:
        assert module is not None
        meetings += list(module.parse(path, IngestContext(extract_text=False)))
    index = MinutesIndex.create(tmp_path / "ix")
    index.add_meetings(meetings, batch_size=100_000)
    stored = {d["id"]: json.loads(d["doc"])["topics"] for d in index.iter_stored() if d.get("access") == "open"}
    items = [(i, m.committee) for m in meetings for i in m.items if i.access == Access.OPEN]
    assert len(items) > 50 and len(stored) == len(items)
    for one, committee in items:
        assert stored[one.id] == [t.to_dict() for t in classify_item(one, committee)], one.title
    assert sum(bool(t) for t in stored.values()) > len(stored) // 2


_REFERENCE_KLE = re.compile(_KLE_NUMBER)


def _reference_kle_numbers(text: str) -> list[str]:
    """The KLE scan as first written: the number regex, look-behind first, tried at every position."""
    marked, faceted = [], []
    for match in _REFERENCE_KLE.finditer(text):
        if match.group(1) in TOPIC_NAMES and int(match.group(2)) <= 99:
            code = ".".join(g for g in match.groups() if g)
            if _MARK_BEFORE.search(text, max(0, match.start() - 40), match.start()):
                marked.append(code)
            if _FACET_AFTER.match(text, match.end()):
                faceted.append(code)
    return list(dict.fromkeys(marked + faceted))


def test_kle_scan_from_the_dot_finds_what_the_number_pattern_finds(bench: ModuleType) -> None:
    texts = [text for _, text in bench.corpus_rows()]
    texts += [s.text for i, _ in _greve_items(bench) for s in i.sections]
    texts += [
        "J.nr.: 01.05.08", "J.nr. 12.34.56.78", "x.01.05 J.nr. 01.02", "a01.02-G01", "1.01.02-G01",
        ",01.02-G01", "J.nr. ٠١.٠٢", "KLE 01.05,1", "KLE 01.05.1", "J.nr. 01.05.08.1", "85.02.02-G01-1-17",
        "J.nr.: 05.01.08 og 31.01.2014", "Emnenr. 00.01.00P35", "J.nr.01.02.03.04.05",
    ]  # fmt: skip
    found = [kle_numbers_in_text(text) for text in texts]
    assert found == [_reference_kle_numbers(text) for text in texts]
    assert sum(bool(f) for f in found) > 50


def test_batch_finds_every_kle_number_the_item_carries(bench: ModuleType) -> None:
    # The batch looks for KLE numbers only in items with a number-shaped word ("01.05") in their
    # texts or case number: that skips no item in which the full scan finds one.
    texts = [text for _, text in bench.corpus_rows()]
    texts += [s.text for i, _ in _greve_items(bench) for s in i.sections][::4]
    texts += ["J.nr.: 01.05.08", "x.01.05 J.nr. 01.02", "a01.02-G01", "J.nr. ٠١.٠٢", "85.02.02-G01-1-17"]
    pairs = [(item("Orientering", decision=text), "") for text in texts]
    pairs += [(item("Sag", case_number=number), "") for number in ("85.02.02-G01-1-17", "21-014420", " 00.01.00P35")]
    pairs += [(item(f"Lokalplan for område {text}"), "") for text in ("J.nr. 01.02.03", "31.01.2014")]
    found = TopicClassifier(use_model=False).classify_many(pairs)
    numbered = 0
    for (one, _), topics in zip(pairs, found, strict=True):
        numbers = item_kle_numbers(one)
        if numbers:
            numbered += 1
            assert topics and topics[0].source == "case-number" and topics[0].code == numbers[0][:2], numbers
        else:
            assert not topics or topics[0].source != "case-number"
    assert numbered > 50


# ---------------------------------------------------------------- words read as the search reads them

# (as written, as the plain word): a soft hyphen (Greve's texts hold them), a superscript, a
# ligature, full-width digits, a zero-width joiner pasted from Word.  NFC kept each apart.
WRITTEN_OTHERWISE = [
    ("fun\u00addamentet", "fundamentet"),
    ("m²", "m2"),
    ("\ufb01nansiering", "finansiering"),
    ("\uff12\uff10\uff11\uff16", "2016"),
    ("vind\u200dmølle", "vindmølle"),
]


@pytest.mark.parametrize(("written", "plain"), WRITTEN_OTHERWISE)
def test_the_topic_features_read_a_word_as_the_search_compares_it(written: str, plain: str) -> None:
    """The classifier's words and stems are the plain word's, on the reference path the model is
    trained on (``ItemWords``) and on the token path ingest takes (``TokenBatch``)."""
    from indexer import topics

    text = f"Udvalget drøftede {written} i budgettet"
    plain_text = text.replace(written, plain)
    assert folded_words(text) == folded_words(plain_text)
    words, plain_words = ItemWords.of_texts(text, text, ""), ItemWords.of_texts(plain_text, plain_text, "")
    assert model_features(words, "Økonomiudvalget", None) == model_features(plain_words, "Økonomiudvalget", None)
    batch = TokenBatch.of_texts([(text, text, ""), (plain_text, plain_text, "")])
    folded, stems = topics._VOCABULARY.folded, topics._VOCABULARY.stems
    tokens = zip(batch.folded.tolist(), batch.stems.tolist(), batch.owner.tolist(), strict=True)
    read: list[list[tuple[str, str | None]]] = [[], []]
    for fold_id, stem_id, owner in tokens:
        read[owner].append((folded[fold_id], stems[stem_id] if stem_id >= 0 else None))
    assert read[0] == read[1]


def test_a_greve_word_with_a_soft_hyphen_is_the_words_feature() -> None:
    """Greve writes "fun\\u00addamentet": the model reads the stem "fundament", not one of its own."""
    from indexer.formats import IngestContext, iter_inputs

    meeting = REPO / "tests" / "fixtures" / "firstagenda-api" / "greve"
    name = "Sundheds- og Omsorgsudvalget_2022-03-14T15:30:00+01:00_cb0891e8-f2be-4ca8-90fc-9ad1537e9451.json"
    ((path, module),) = [(p, m) for p, m in iter_inputs([meeting / name])]
    assert module is not None
    items = [i for m in module.parse(path, IngestContext(extract_text=False)) for i in m.items]
    (item,) = [i for i in items if "fun\u00addamentet" in " ".join(item_texts(i))]
    features = model_features(ItemWords.of(item), "Sundheds- og Omsorgsudvalget", None)
    assert "w:fundament" in features
    assert not any("\u00ad" in key for key in features)
