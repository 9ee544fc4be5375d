"""The images the vision demos share (Q10, Q21): matplotlib's sample photograph or a drawn scene."""

from __future__ import annotations

import functools
import importlib.util
from pathlib import Path

import numpy as np
import torch

SIDE = 128  # images are resized to SIDE × SIDE


def sample_image_path() -> Path | None:
    """Where matplotlib keeps its sample photograph, found without importing matplotlib."""
    spec = importlib.util.find_spec("matplotlib")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = (
        Path(spec.submodule_search_locations[0]) / "mpl-data" / "sample_data" / "grace_hopper.jpg"
    )
    return path if path.is_file() else None


def synthetic_scene(side: int = SIDE) -> np.ndarray:
    """A drawn scene — sky, sun, hills, a house with a red roof — as (side, side, 3) floats in [0, 1]."""
    y, x = np.mgrid[0:side, 0:side] / side
    img = np.stack([0.45 + 0.3 * y, 0.65 + 0.2 * y, 0.95 - 0.1 * y], -1)  # sky gradient
    img[(x - 0.8) ** 2 + (y - 0.2) ** 2 < 0.01] = (1.0, 0.85, 0.2)  # sun
    hill = y > 0.62 + 0.08 * np.sin(6 * x)
    img[hill] = np.stack(
        [0.2 + 0.1 * np.sin(40 * x), 0.55 + 0.1 * np.sin(37 * y), 0.2 + 0 * x], -1
    )[hill]
    img[(x > 0.2) & (x < 0.45) & (y > 0.5) & (y < 0.75)] = (0.9, 0.85, 0.7)  # wall
    img[(y > 0.35) & (y <= 0.5) & (np.abs(x - 0.325) < (y - 0.35) * 1.2)] = (0.75, 0.1, 0.1)  # roof
    img[(x > 0.29) & (x < 0.36) & (y > 0.62) & (y < 0.75)] = (0.35, 0.2, 0.1)  # door
    return img.astype(np.float32)


@functools.cache
def load_image(name: str) -> np.ndarray:
    """The chosen image as (SIDE, SIDE, 3) float32 in [0, 1]; read-only, cached.

    ``grace_hopper``: the top square of matplotlib's 600 × 512 sample photograph, decoded
    with Pillow (matplotlib's own image dependency), area-downsampled. Falls back to the
    synthesized scene when either is missing.
    """
    path = sample_image_path() if name == "grace_hopper" else None
    img = synthetic_scene()
    if path is not None:
        try:
            from PIL import Image  # matplotlib's JPEG decoder; imported only here

            with Image.open(path) as im:
                rgb = np.asarray(im.convert("RGB"), dtype=np.float32) / 255.0  # (600, 512, 3)
            square = torch.tensor(rgb[: rgb.shape[1]]).permute(2, 0, 1)  # (3, 512, 512)
            img = torch.nn.functional.adaptive_avg_pool2d(square, SIDE).permute(1, 2, 0).numpy()
        except (ImportError, OSError):
            pass
    img.setflags(write=False)
    return img
