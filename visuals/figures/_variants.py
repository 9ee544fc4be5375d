"""Names of the attention variants the cost figures compare, keyed by the engine's variant id."""

from __future__ import annotations

from engine.i18n import Text

VARIANT_NAMES: dict[str, Text] = {
    "MHA": {"zh": "MHA 多头", "en": "MHA"},
    "GQA": {"zh": "GQA 分组查询", "en": "GQA"},
    "MQA": {"zh": "MQA 多查询", "en": "MQA"},
    "sliding window": {"zh": "滑动窗口", "en": "sliding window"},
    "low rank": {"zh": "低秩", "en": "low rank"},
    "additive": {"zh": "加性", "en": "additive"},
    "full": {"zh": "完整注意力", "en": "full"},
    "sliding_window": {"zh": "滑动窗口", "en": "sliding window"},
    "strided": {"zh": "跨步稀疏", "en": "strided sparse"},
    "low_rank": {"zh": "低秩 Linformer", "en": "low rank (Linformer)"},
    "fused": {"zh": "融合内核 F.sdpa", "en": "fused F.sdpa"},
}
