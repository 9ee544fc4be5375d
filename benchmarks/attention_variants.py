"""``atlas bench attention``: time, peak memory and error of each attention variant vs length.

Variants (see :mod:`engine.efficient`): full (teaching), sliding window and strided sparse
(blocked kernels), low rank (Linformer, segment-mean E = F), fused
``F.scaled_dot_product_attention``. Error is the largest absolute difference from full
attention on the same inputs. Peak memory is measured on CUDA; elsewhere it is the size of
the score matrix the variant materialises, computed from the shapes (0 for the fused kernel),
and CPU timings run on one thread so that a busy machine does not distort them.
"""

from __future__ import annotations

import torch

from engine.devices import resolve_device
from engine.efficient import measure_variants

LENGTHS = (256, 512, 1024, 2048, 4096)
QUICK_LENGTHS = (256, 512, 1024)


def run(device: str = "cpu", quick: bool = False) -> list[dict]:
    """Rows ``{variant, n, median_ms, peak_mib, max_abs_err, memory}`` for every variant and length.

    Window and stride grow as √n (the Sparse Transformer's choice), rank stays 64.
    """
    dev = resolve_device(device)
    rows = []
    for n in QUICK_LENGTHS if quick else LENGTHS:
        side = max(2, round(n**0.5))
        with torch.inference_mode():
            rows += measure_variants(
                n, dev, window=side, stride=side, rank=64, repeats=3 if quick else 5
            )
    return rows


if __name__ == "__main__":
    for row in run(quick=True):
        print(row)
