"""``atlas bench model``: the engine's plain-PyTorch BERT forward vs ``transformers``' BertModel.

Both run all-MiniLM-L6-v2 on the same 20-token sentence and both return every layer's
attention probabilities and hidden states (``transformers`` with eager attention and
``output_attentions=True``, the only way it gives the probabilities). Time is the median of
many runs after warm-up; the ratio is engine / transformers (below 1 = the engine is faster).

Peak memory is what one forward pass allocates on top of the weights: on CUDA the allocator's
own peak (``torch.cuda.max_memory_allocated``); on every device also the peak of live tensor
bytes seen by a ``TorchDispatchMode`` that counts each op's outputs until they are freed
(``tracemalloc`` cannot see PyTorch's allocations, which bypass Python's allocator).
``transformers`` is a test dependency: without it only the engine's numbers are reported.
"""

from __future__ import annotations

import contextlib
import statistics
import weakref
from collections.abc import Callable, Iterator
from typing import Any

import torch
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils._pytree import tree_leaves

from engine.bert import bert_forward, load_bert, model_dir
from engine.devices import resolve_device, serve_threads, synchronize, timed
from engine.tokenize import encode

SENTENCE = "The quick brown fox jumps over the lazy dog while the cat sleeps on a warm mat."
N_TOKENS = 20


class LiveTensorPeak(TorchDispatchMode):
    """Peak bytes of tensor storage created inside the mode and still referenced (views shared)."""

    def __init__(self) -> None:
        super().__init__()
        self.live = self.peak = 0
        self.refs: dict[int, tuple[int, int]] = {}  # storage pointer → (tensors alive, bytes)

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        given = {_storage(t) for t in tree_leaves((args, kwargs)) if isinstance(t, torch.Tensor)}
        for t in tree_leaves(out):
            if isinstance(t, torch.Tensor) and t.device.type != "meta":
                self._track(t, given)
        return out

    def _track(self, t: torch.Tensor, given: set[int]) -> None:
        ptr, nbytes = _storage(t), t.untyped_storage().nbytes()
        if ptr in given and ptr not in self.refs:
            return  # a view (W.T, …) of a tensor made before the mode, such as a weight: no new memory
        count, size = self.refs.get(ptr, (0, nbytes))
        if count == 0:
            self.live += size
            self.peak = max(self.peak, self.live)
        self.refs[ptr] = (count + 1, size)
        weakref.finalize(t, self._release, ptr)

    def _release(self, ptr: int) -> None:
        count, size = self.refs[ptr]
        if count == 1:
            del self.refs[ptr]
            self.live -= size
        else:
            self.refs[ptr] = (count - 1, size)


def _storage(t: torch.Tensor) -> int:
    return t.untyped_storage().data_ptr()


def median_ms(
    fns: dict[str, Callable[[], Any]], device: torch.device, repeats: int, warmup: int = 5
) -> dict[str, float]:
    """Median wall time (ms) of each function over ``repeats`` runs after ``warmup``.

    The functions take turns, so load from other processes falls on each alike.
    """
    for fn in fns.values():
        for _ in range(warmup):
            fn()
    times: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            times[name].append(timed(fn, device)[1])
    return {name: round(statistics.median(t), 3) for name, t in times.items()}


def peak_mib(fn: Callable[[], Any], device: torch.device) -> dict[str, float]:
    """MiB one call of ``fn`` allocates at its peak: live tensors, and on CUDA the allocator's peak."""
    with LiveTensorPeak() as mode:
        out = fn()
    del out
    found = {"peak_live_tensors_mib": round(mode.peak / 2**20, 3)}
    if device.type == "cuda":
        synchronize(device)
        base = torch.cuda.memory_allocated(device)
        torch.cuda.reset_peak_memory_stats(device)
        out = fn()
        synchronize(device)
        found["peak_cuda_allocated_mib"] = round(
            (torch.cuda.max_memory_allocated(device) - base) / 2**20, 3
        )
        del out
    return found


@contextlib.contextmanager
def threads(n: int) -> Iterator[None]:
    """PyTorch's intra-op thread count set to ``n`` inside the block, restored after it."""
    before = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def _reference(device: torch.device):
    """transformers' BertModel with eager attention, or None when the library is absent."""
    try:
        from transformers import BertModel
        from transformers.utils import logging
    except ImportError:
        return None
    logging.set_verbosity_error()
    logging.disable_progress_bar()
    model = BertModel.from_pretrained(
        str(model_dir()), attn_implementation="eager", add_pooling_layer=False
    )
    return model.eval().to(device)


def run(device: str = "cpu", repeats: int | None = None) -> dict:
    """Median forward time (ms) of the engine and of transformers, their ratio, the largest
    difference of their outputs, and peak memory.

    Timed at the thread count the app serves the lab with (:func:`engine.devices.serve_threads`,
    one by default), and on a CPU also at PyTorch's own default (every core): ``by_threads``.
    """
    dev = resolve_device(device)
    default_threads = torch.get_num_threads()
    served = serve_threads()
    torch.set_num_threads(default_threads)
    repeats = repeats or (200 if dev.type == "cuda" else 100)
    bert = load_bert(device=dev)
    enc = encode(bert.tokenizer, SENTENCE)
    assert len(enc) == N_TOKENS, f"the benchmark sentence must be {N_TOKENS} tokens, got {len(enc)}"
    ids = torch.tensor([enc.ids], device=dev)
    types = torch.zeros_like(ids)

    def ours() -> Any:
        with torch.inference_mode():
            return bert_forward(bert, ids, types)

    row: dict[str, Any] = {
        "device": str(dev), "tokens": N_TOKENS, "repeats": repeats, "threads": served,
    }  # fmt: skip
    model = _reference(dev)
    if model is None:
        with threads(served):
            row["engine_ms"] = median_ms({"engine": ours}, dev, repeats)["engine"]
        row["engine_memory"] = peak_mib(ours, dev)
        row["transformers"] = "not installed (pip install transformers to compare)"
        return row

    def theirs() -> Any:
        with torch.inference_mode():
            return model(
                input_ids=ids,
                token_type_ids=types,
                output_attentions=True,
                output_hidden_states=True,
            )

    a, b = ours(), theirs()
    row["max_abs_diff"] = {
        "attentions": float((a.attentions - torch.stack(b.attentions)).abs().max()),
        "hidden_states": float((a.hidden_states - torch.stack(b.hidden_states)).abs().max()),
    }
    counts = [served] if dev.type != "cpu" else sorted({served, default_threads})
    row["by_threads"] = {}
    for n in counts:
        with threads(n):
            ms = median_ms({"engine": ours, "transformers": theirs}, dev, repeats)
        row["by_threads"][n] = {**ms, "ratio": round(ms["engine"] / ms["transformers"], 3)}
    at = row["by_threads"][served]
    row["engine_ms"], row["transformers_ms"] = at["engine"], at["transformers"]
    row["ratio_engine_over_transformers"] = round(at["engine"] / at["transformers"], 3)
    row["engine_memory"] = peak_mib(ours, dev)
    row["transformers_memory"] = peak_mib(theirs, dev)
    return row


if __name__ == "__main__":
    print(run())
