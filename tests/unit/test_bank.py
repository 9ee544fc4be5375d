"""Bank validation: one test per kind of bad file, each naming the file, the line and the field."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from quiz.bank import BankError, load_bank

from ..conftest import FIXTURES, ROOT

SAMPLE = FIXTURES / "bank" / "q01-sample.yaml"


@pytest.fixture
def bank_dir(tmp_path: Path) -> Path:
    shutil.copy(SAMPLE, tmp_path / "q01-sample.yaml")
    return tmp_path


def write(directory: Path, name: str, text: str | bytes) -> Path:
    path = directory / name
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path


def variant(**changes) -> str:
    """The sample file with top-level fields replaced (None deletes)."""
    data = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))
    for key, value in changes.items():
        if value is None:
            data.pop(key)
        else:
            data[key] = value
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def issues_of(directory: Path) -> list[str]:
    with pytest.raises(BankError) as e:
        load_bank(directory)
    return [str(i) for i in e.value.issues]


def test_sample_is_valid(bank_dir):
    bank = load_bank(bank_dir)
    assert [q.id for q in bank.questions] == ["q01-sample"]


def test_shipped_bank_is_valid():
    bank = load_bank(ROOT / "questions")
    files = sorted((ROOT / "questions").glob("q*.yaml"))
    assert len(bank.questions) == len(files)  # every file is a valid question
    assert [q.number for q in bank.questions] == list(range(1, len(files) + 1))
    # a question either corrects an original answer or lies beyond the original thirty
    assert all((q.seed is not None) != ("beyond-30" in q.tags) for q in bank.questions)


def test_missing_field(bank_dir):
    write(bank_dir, "q02-bad.yaml", variant(id="q02-bad", number=2, title=None))
    (msg,) = issues_of(bank_dir)
    assert msg.startswith("q02-bad.yaml:") and ": title: Field required" in msg


def test_wrong_type(bank_dir):
    write(bank_dir, "q02-bad.yaml", variant(id="q02-bad", number="two"))
    (msg,) = issues_of(bank_dir)
    assert msg.startswith("q02-bad.yaml:2: number:") and "integer" in msg


def test_unknown_demo(bank_dir):
    write(bank_dir, "q02-bad.yaml", variant(id="q02-bad", number=2, demo={"name": "teleport"}))
    (msg,) = issues_of(bank_dir)
    assert "q02-bad.yaml:" in msg and "demo.name: unknown demo 'teleport'" in msg


def test_parameter_out_of_range(bank_dir):
    text = (
        SAMPLE.read_text(encoding="utf-8")
        .replace("n_tokens: 6", "n_tokens: 600")
        .replace("q01-sample", "q02-bad")
        .replace("number: 1", "number: 2")
    )
    write(bank_dir, "q02-bad.yaml", text)
    (msg,) = issues_of(bank_dir)
    assert msg.startswith("q02-bad.yaml:7: demo.params.n_tokens:") and "from 2 to 32" in msg


def test_unknown_parameter(bank_dir):
    write(
        bank_dir,
        "q02-bad.yaml",
        variant(
            id="q02-bad", number=2, demo={"name": "multi_head", "params": {"heads": 3, "colour": 1}}
        ),
    )
    msgs = issues_of(bank_dir)
    assert any("demo.params.heads" in m and "one of '1', '2', '4', '8'" in m for m in msgs)
    assert any("demo.params.colour: " in m and "unknown parameter" in m for m in msgs)


def test_duplicate_id(bank_dir):
    item = {
        "id": "q02-other",
        "type": "true_false",
        "prompt": {"zh": "问", "en": "Q"},
        "answer": True,
        "explanation": {"zh": "解", "en": "E"},
    }
    write(bank_dir, "q02-dup.yaml", variant(number=2, quiz=[item]))
    msgs = issues_of(bank_dir)
    assert any(
        m.startswith(
            "q02-dup.yaml:1: id: duplicate id 'q01-sample'; already used in q01-sample.yaml"
        )
        for m in msgs
    )


def test_duplicate_quiz_item_id(bank_dir):
    write(bank_dir, "q02-dup.yaml", variant(id="q02-dup", number=2))
    msgs = issues_of(bank_dir)
    assert any("q02-dup.yaml:" in m and "duplicate quiz item id 'q01-sample-tf'" in m for m in msgs)


def test_broken_yaml_syntax(bank_dir):
    write(bank_dir, "q02-bad.yaml", "id: q02-bad\nnumber: 2\ntitle: {zh: 坏, en: [unclosed\n")
    (msg,) = issues_of(bank_dir)
    assert msg.startswith("q02-bad.yaml:4: (file): YAML error")


def test_non_utf8_bytes(bank_dir):
    write(bank_dir, "q02-bad.yaml", b"id: q02-bad\ntitle: caf" + b"\xe9\n")
    (msg,) = issues_of(bank_dir)
    assert msg.startswith("q02-bad.yaml:2: (file): not valid UTF-8")


def test_empty_file(bank_dir):
    write(bank_dir, "q02-bad.yaml", "\n  \n")
    (msg,) = issues_of(bank_dir)
    assert msg.startswith("q02-bad.yaml:1: (file): file is empty")


def test_yaml_tag_cannot_construct_python_objects(bank_dir, tmp_path):
    marker = tmp_path / "pwned"
    write(
        bank_dir,
        "q02-bad.yaml",
        f'id: q02-bad\nnumber: !!python/object/apply:os.system ["touch {marker}"]\n',
    )
    (msg,) = issues_of(bank_dir)
    assert msg.startswith("q02-bad.yaml:2: (file):") and "not allowed" in msg
    assert not marker.exists()


def test_top_level_must_be_a_mapping(bank_dir):
    write(bank_dir, "q02-bad.yaml", "- just\n- a list\n")
    (msg,) = issues_of(bank_dir)
    assert "top level must be a mapping" in msg


def test_bad_quiz_item_names_index_and_field(bank_dir):
    data = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))
    data.update(id="q02-bad", number=2)
    data["quiz"] = [
        {
            "id": "q02-a",
            "type": "single",
            "prompt": {"zh": "问", "en": "Q"},
            "options": [{"zh": "甲", "en": "A"}, {"zh": "乙", "en": "B"}],
            "answer": 5,
            "explanation": {"zh": "解", "en": "E"},
        }
    ]
    write(bank_dir, "q02-bad.yaml", yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    (msg,) = issues_of(bank_dir)
    assert "q02-bad.yaml:" in msg and "quiz[0]" in msg and "not an index of the 2 options" in msg


def test_unknown_generator(bank_dir):
    text = (
        SAMPLE.read_text(encoding="utf-8")
        .replace("softmax_weight", "crystal_ball")
        .replace("q01-sample", "q02-bad")
        .replace("number: 1", "number: 2")
    )
    write(bank_dir, "q02-bad.yaml", text)
    (msg,) = issues_of(bank_dir)
    assert "quiz[1].generator: unknown generator 'crystal_ball'" in msg


def test_all_errors_are_reported_not_only_the_first(bank_dir):
    write(bank_dir, "q02-a.yaml", variant(id="q02-a", number="x", demo={"name": "nope"}))
    write(bank_dir, "q03-b.yaml", "")
    msgs = issues_of(bank_dir)
    assert len(msgs) == 3
    assert {m.split(":")[0] for m in msgs} == {"q02-a.yaml", "q03-b.yaml"}


def test_lenient_load_serves_the_valid_files(bank_dir):
    write(bank_dir, "q02-bad.yaml", "")
    bank = load_bank(bank_dir, strict=False)
    assert [q.id for q in bank.questions] == ["q01-sample"]
    assert bank.refused == ("q02-bad.yaml",) and len(bank.issues) == 1


def test_missing_directory(tmp_path):
    with pytest.raises(BankError, match="not a directory"):
        load_bank(tmp_path / "nowhere")
