"""Q18 — text-to-spectrogram alignment: content-based vs location-sensitive attention.

A text-to-speech decoder writes one spectrogram frame per step; at step t it attends over
the N input phones. Two small attention modules (:mod:`engine.toys.tts`) were trained once
on synthesized utterances whose true alignment is known: a content-only additive one, and
the location-sensitive one of Chorowski et al. (2015) that Tacotron 2 uses, which also sees
where it attended at the previous step. Tachibana et al. (2017)'s guided-attention matrix
W_nt = 1 − exp(−(n/N − t/T)² / (2g²)) scores how diagonal an alignment is.

Shapes: T frames (decoder steps), N phones (encoder steps), M mel bands, d attention size.
"""

from __future__ import annotations

import torch

from engine.facts import fact
from engine.i18n import bi
from engine.params import seed_of
from engine.registry import ParamSpec, demo
from engine.result import Result
from engine.speech import Utterance, phone_keys, synthesize, utterance_param
from engine.toys.tts import LocationSensitiveAttention, align, decoder_queries, load


def guided_attention_weight(
    N: int, T: int, g: float, device: torch.device | None = None
) -> torch.Tensor:
    """W_nt = 1 − exp(−(n/N − t/T)² / (2g²)) (Tachibana et al. 2017).  → (T, N), rows are frames."""
    n = torch.arange(N, device=device, dtype=torch.float32) / N
    t = torch.arange(T, device=device, dtype=torch.float32) / T
    return 1.0 - torch.exp(-((n[None, :] - t[:, None]) ** 2) / (2 * g * g))


def guided_attention_loss(alpha: torch.Tensor, g: float) -> float:
    """L_att = mean_{n,t}(A_nt · W_nt): zero for a perfectly diagonal alignment.  alpha: (T, N)."""
    T, N = alpha.shape
    return float((alpha * guided_attention_weight(N, T, g, alpha.device)).mean())


def path_stats(alpha: torch.Tensor, utt: Utterance) -> dict[str, float | int]:
    """Mass on the true phone (mean over frames), backward jumps and forward jumps of the argmax path.

    alpha: (T, N). ``phones_jumped_over`` adds up, over steps, how many phones the argmax
    passes over when it moves forward by more than one.
    """
    true = utt.frame_phone().to(alpha.device)
    # repeated phones have equal keys: rounding makes their ties exact, so every machine
    # breaks them the same way (towards the first)
    peaks = alpha.round(decimals=5).argmax(1)  # (T,)
    step = peaks[1:] - peaks[:-1]
    return {
        "mass_on_true_phone": round(float(alpha[torch.arange(alpha.size(0)), true].mean()), 3),
        "backward_jumps": int((step < 0).sum()),
        "phones_jumped_over": int((step - 1).clamp_min(0).sum()),
    }


MODELS = {"content": bi("内容注意力", "content"), "location": bi("位置敏感注意力", "location")}
FACTS = {
    "g": fact("引导注意力宽度 g", "guided-attention width g"),
    "{model}_guided_loss": fact(
        "{model}：引导注意力损失 L_att", "{model}: guided-attention loss L_att", names=MODELS
    ),
    "{model}_mass_on_true_phone": fact(
        "{model}：真实音素上的权重", "{model}: mass on the true phone", names=MODELS
    ),
    "{model}_backward_jumps": fact(
        "{model}：向后跳的次数", "{model}: backward jumps", names=MODELS
    ),
    "{model}_phones_jumped_over": fact(
        "{model}：跳过的音素数", "{model}: phones jumped over", names=MODELS
    ),
}


@demo(
    "tts_alignment",
    title={
        "zh": "语音合成：文本到频谱的对齐",
        "en": "Text-to-speech: text-to-spectrogram alignment",
    },
    params=(
        utterance_param("la la land"),
        ParamSpec(
            "g",
            "float",
            0.2,
            {"zh": "引导注意力宽度 g", "en": "Guided-attention width g"},
            min=0.05,
            max=0.5,
            step=0.05,
        ),
        ParamSpec(
            "rate", "float", 1.0, {"zh": "语速", "en": "Speaking rate"}, min=0.6, max=1.6, step=0.1
        ),
        seed_of("语句", "utterance"),
    ),
    shows=(LocationSensitiveAttention, align, guided_attention_weight, guided_attention_loss),
    facts=FACTS,
)
def tts_alignment_demo(device: torch.device, text: str, g: float, rate: float, seed: int) -> Result:
    """Each decoder step (frame, query) attends over the phones (keys): content-only vs location-sensitive."""
    utt = synthesize(text, seed, rate)
    s, h = decoder_queries(utt).to(device), phone_keys(utt.phones).to(device)  # (T, M), (N, M)
    heads = [align(load(loc, device), s, h) for loc in (False, True)]
    weights = torch.stack(heads).cpu()  # (2, T, N)
    T, N = s.size(0), h.size(0)
    facts: dict[str, float | int] = {"frames": T, "phones": N, "g": g}
    for name, w in zip(("content", "location"), weights, strict=True):
        facts[f"{name}_guided_loss"] = round(guided_attention_loss(w, g), 4)
        facts.update({f"{name}_{k}": v for k, v in path_stats(w, utt).items()})
    extras = {
        "logmel": utt.logmel.numpy().copy(),
        "spans": utt.spans,
        "guided_W": guided_attention_weight(N, T, g).numpy(),  # (T, N)
    }
    return Result(
        weights,
        tuple(str(t) for t in range(T)),
        tuple(utt.phones),
        head_labels=("content-based (additive)", "location-sensitive (Chorowski 2015)"),
        facts=facts,
        extras=extras,
    )
