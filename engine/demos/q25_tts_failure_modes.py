"""Q25 — TTS alignment failures (repeating, skipping, stuck) and forward attention.

Three mechanisms align the same spectrogram frames (queries) to the same phones (keys):
the content-based and location-sensitive attention trained in Q18, and forward attention
(Zhang et al. 2018), which only lets probability mass stay on a phone or move to the next:

    α̂_t(n) = (α_{t−1}(n) + α_{t−1}(n−1)) · y_t(n),   α_t = α̂_t / Σ_n α̂_t(n)

where y_t is the content-based attention of step t. Each scenario provokes one failure:
repeated syllables (content attention jumps back: the voice would repeat), similar phones
further on (it jumps ahead: words would be skipped), and one outlier phone encoding, as an
unseen symbol would give (location-sensitive attention overstays: the voice gets stuck).

Shapes: T frames, N phones, M mel bands.
"""

from __future__ import annotations

import torch

from engine.facts import fact
from engine.i18n import bi
from engine.params import seed_of
from engine.registry import ParamSpec, demo
from engine.result import Result
from engine.speech import Utterance, phone_keys, synthesize
from engine.toys.tts import align, decoder_queries, load

SCENARIOS = {  # failure → (utterance, index of the outlier phone or −1)
    "repeating": ("la la land", -1),
    "skipping": ("she sells sea shells", -1),
    "stuck": ("hello world", 3),
}
OUTLIER_SCALE = 8.0  # ‖h_n‖ of the outlier phone, times the others'


# α̂_t(n) = (α_{t−1}(n) + α_{t−1}(n−1)) · y_t(n),  α_t = α̂_t / Σ α̂_t,  α_{−1} = one-hot(0)
def forward_attention(y: torch.Tensor) -> torch.Tensor:
    """Forward attention over content attention ``y``: mass stays or moves one phone on.  (T, N) → (T, N)."""
    T, N = y.shape
    alpha = torch.zeros(N, device=y.device, dtype=y.dtype)
    alpha[0] = 1.0
    rows = []
    for t in range(T):
        moved = torch.cat([alpha.new_zeros(1), alpha[:-1]])  # α_{t−1}(n−1)
        a_hat = (alpha + moved) * y[t]
        alpha = a_hat / a_hat.sum().clamp_min(torch.finfo(y.dtype).tiny)
        rows.append(alpha)
    return torch.stack(rows)


def failure_counts(alpha: torch.Tensor, utt: Utterance) -> dict[str, int]:
    """Read the argmax path p_t of an alignment (T, N) for the three failures.

    repeats: steps with p_t ≤ p_{t−1} − 2 (back by a syllable or more); skipped: phones never
    the argmax; overstay: the longest run on one phone minus that phone's true duration;
    behind: frames whose argmax lags the true phone by two or more.
    """
    p = alpha.round(decimals=5).argmax(1).cpu()  # exact ties between repeated phones: the first
    true = utt.frame_phone()
    runs = torch.unique_consecutive(p, return_counts=True)  # (phones, lengths) of each run
    dur = torch.tensor([b - a for a, b in utt.spans])
    return {
        "repeats": int((p[1:] <= p[:-1] - 2).sum()),
        "skipped_phones": len(utt.phones) - int(torch.unique(p).numel()),
        "overstay_frames": max(0, int((runs[1] - dur[runs[0]]).max())),
        "frames_behind": int((true - p >= 2).sum()),
    }


MODELS = {
    "content": bi("内容注意力", "content"),
    "location": bi("位置敏感注意力", "location"),
    "forward": bi("前向注意力", "forward"),
}
FACTS = {
    "text": fact("语句", "utterance"),
    "{model}_repeats": fact("{model}：重复", "{model}: repeats", names=MODELS),
    "{model}_skipped_phones": fact("{model}：跳过的音素", "{model}: skipped phones", names=MODELS),
    "{model}_overstay_frames": fact(
        "{model}：停留过久的帧", "{model}: frames stuck too long", names=MODELS
    ),
    "{model}_frames_behind": fact("{model}：落后的帧", "{model}: frames behind", names=MODELS),
}


@demo(
    "tts_failure_modes",
    title={
        "zh": "TTS 对齐失败：重复、跳词、卡住",
        "en": "TTS alignment failures: repeating, skipping, stuck",
    },
    params=(
        ParamSpec(
            "failure",
            "choice",
            "repeating",
            {"zh": "失败类型", "en": "Failure"},
            choices=tuple(SCENARIOS),
        ),
        ParamSpec(
            "rate", "float", 1.0, {"zh": "语速", "en": "Speaking rate"}, min=0.6, max=1.6, step=0.1
        ),
        seed_of("语句", "utterance"),
    ),
    shows=(forward_attention, failure_counts),
    facts=FACTS,
)
def tts_failure_modes_demo(device: torch.device, failure: str, rate: float, seed: int) -> Result:
    """Content-based, location-sensitive and forward attention on one scenario, with failure counts."""
    text, outlier = SCENARIOS[failure]
    utt = synthesize(text, seed, rate)
    s, h = decoder_queries(utt).to(device), phone_keys(utt.phones).to(device)  # (T, M), (N, M)
    if outlier >= 0:
        h = h.clone()
        h[outlier] = h[outlier] * OUTLIER_SCALE
    y = align(load(False, device), s, h)  # content-based
    loc = align(load(True, device), s, h)
    weights = torch.stack([y, loc, forward_attention(y)]).cpu()  # (3, T, N)
    facts: dict[str, int | str] = {"frames": s.size(0), "phones": h.size(0), "text": text}
    for name, w in zip(("content", "location", "forward"), weights, strict=True):
        facts.update({f"{name}_{k}": v for k, v in failure_counts(w, utt).items()})
    return Result(
        weights,
        tuple(str(t) for t in range(s.size(0))),
        tuple(utt.phones),
        head_labels=("content-based", "location-sensitive", "forward attention (Zhang 2018)"),
        facts=facts,
        extras={
            "logmel": utt.logmel.numpy().copy(),
            "spans": utt.spans,
            "failure": failure,
            "outlier": outlier,
        },
    )
