"""Tests of the demo q29_space_time_attention: the engine code against trusted references and its behaviour."""

from __future__ import annotations

import pytest
import torch
from torch.nn import functional as F

from engine.demos import q29_space_time_attention as q29
from engine.registry import run_demo


def test_divided_attention_matches_masked_torch() -> None:
    """Temporal step = full attention over all T·P tokens with a same-place mask; spatial = same-frame mask."""
    T, P = 4, 36
    x = q29.embed_video(q29.synthetic_video(T, "diagonal", 2), 2)  # (T, P, d)
    _, w_time, w_space = q29.divided_attention(x, residual=True)
    a_time, a_space = q29.as_token_matrices(w_time, w_space)
    t, p = torch.arange(T).repeat_interleave(P), torch.arange(P).repeat(T)  # token i = t·P + p
    flat = x.reshape(T * P, -1)
    ref_time = F.scaled_dot_product_attention(
        flat, flat, torch.eye(T * P), attn_mask=p[:, None] == p[None, :]
    )
    assert torch.allclose(a_time, ref_time, atol=1e-6)
    out_t = F.scaled_dot_product_attention(flat, flat, flat, attn_mask=p[:, None] == p[None, :])
    x2 = flat + out_t
    ref_space = F.scaled_dot_product_attention(
        x2, x2, torch.eye(T * P), attn_mask=t[:, None] == t[None, :]
    )
    assert torch.allclose(a_space, ref_space, atol=1e-5)


@pytest.mark.parametrize("path", ["horizontal", "vertical", "diagonal"])
@pytest.mark.parametrize("query_frame", [0, 5])
def test_attention_of_the_square_follows_it(path: str, query_frame: int) -> None:
    r = run_demo("space_time_attention", {"path": path, "query_frame": query_frame, "frames": 8})
    P, G = 36, q29.GRID
    for head in (2, 3):  # divided (space · time) and joint
        row = r.weights[head, r.extras["query"]].reshape(8, P)
        argmax = [divmod(int(row[t].argmax()), G) for t in range(8)]
        assert argmax == [q29.object_cell(t, path) for t in range(8)]


def test_space_time_costs() -> None:
    f = run_demo("space_time_attention", {"frames": 10}).facts
    assert f["scores_joint"] == 360**2
    assert f["scores_divided"] == 10 * 36 * 36 + 36 * 100
