"""Q16 — attention in a dialogue system: which earlier turn does a reply answer?

A response-selection model reads a multi-turn history and a candidate reply. Each turn becomes
one vector (its words averaged, plus who spoke and how many turns ago); the reply's vector is
the query of an attention over the turns, and the attended context decides whether the reply
fits the conversation. Trained once (:mod:`engine.toys.dialogue`) on dialogues sampled from the bundled
``engine/data/dialogue.tsv``: a fitting reply continues a topic of the history, a wrong one
does not — so the model has to look back to the right turn, however long ago it was.

Shapes: N dialogues, T turns, W words per turn, d model size.
"""

from __future__ import annotations

import torch

from engine.facts import fact
from engine.registry import ParamSpec, demo
from engine.result import Result
from engine.toys import manifest
from engine.toys.dialogue import ResponseSelector, encode_turns, load, turn_attention

SCENARIOS = {
    "weekend → tennis": (0, "good luck in the tennis tournament on sunday"),
    "weekend → cake": (0, "save me a slice of that cake please"),
    "trip → rome": (1, "rome is beautiful you will love the old streets"),
    "trip → storm": (1, "i hope the storm passes before morning"),
    "trip → football (off topic)": (1, "that match was amazing what a goal"),
}
HISTORIES = (
    (
        "i heard there might be snow this weekend",
        "i baked a chocolate cake this afternoon",
        "our tennis club has a tournament on sunday",
        "my boss moved the meeting to friday",
        "i bought tickets for the jazz concert",
    ),
    (
        "we are flying to rome next month",
        "i have a big deadline at the office tomorrow",
        "the forecast says a storm is coming tonight",
        "i started learning the guitar last month",
    ),
)


FACTS = {
    "reply": fact("候选回复", "reply"),
    "p_fits": fact("P(回复合适)", "P(the reply fits)"),
    "top_turn": fact("权重最高的一轮", "top-weighted turn"),
    "heldout_accuracy": fact("留出对话准确率", "held-out accuracy"),
    "heldout_top_turn_on_topic": fact(
        "留出对话：最高权重的一轮与回复同话题", "held-out: top turn on the reply's topic"
    ),
}


@demo(
    "dialogue_attention",
    title={"zh": "对话系统中的注意力：回复关注哪一轮", "en": "Attention over a dialogue history"},
    params=(
        ParamSpec(
            "scenario",
            "choice",
            next(iter(SCENARIOS)),
            {"zh": "对话与候选回复", "en": "Dialogue and reply"},
            choices=tuple(SCENARIOS),
        ),
    ),
    shows=(turn_attention, ResponseSelector.forward),
    facts=FACTS,
)
def dialogue_attention_demo(device: torch.device, scenario: str) -> Result:
    """Turn-level weights of the reply over the history, and whether the model thinks it fits."""
    history_index, reply = SCENARIOS[scenario]
    history = list(HISTORIES[history_index])
    model, vocab = load(device)
    turns = encode_turns([history], vocab).to(device)  # (1, T, W)
    logit, alpha = model(turns, encode_turns([[reply]], vocab)[:, 0].to(device))
    speakers = ["A" if (len(history) - 1 - t) % 2 == 0 else "B" for t in range(len(history))]
    scores = manifest("dialogue").metrics
    facts = {
        "reply": reply,
        "p_fits": round(torch.sigmoid(logit)[0].item(), 4),
        "top_turn": history[int(alpha[0].argmax())],
        "heldout_accuracy": round(scores["accuracy"], 3),
        "heldout_top_turn_on_topic": round(scores["top_turn_on_topic"], 3),
    }
    keys = tuple(f"{s}: {h}" for s, h in zip(speakers, history, strict=True))
    extras = {"history": history, "speakers": speakers, "reply": reply, "p_fits": facts["p_fits"]}
    return Result(
        alpha.unsqueeze(0).cpu(),
        ("B: " + reply,),
        keys,
        facts=facts,
        extras=extras,
    )
