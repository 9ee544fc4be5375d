"""The reference for the class benchmark: a bare Streamlit app, one 8×8 heatmap per slider step.

What any Streamlit app pays for a slider step on this machine; the benchmark reports the
Atlas's timings as ratios to this app's, measured in the same run.
"""

from __future__ import annotations

import io

import numpy as np
import streamlit as st
from matplotlib.figure import Figure

from views.runlog import timed_run

with timed_run():  # the same per-run timing line as the app's (ATLAS_RUN_LOG=1)
    value = st.slider("Seed", 0, 100, 0)
    w = np.random.default_rng(value).random((8, 8))
    fig = Figure(figsize=(4, 4))
    ax = fig.add_subplot()
    ax.imshow(w, cmap="viridis")
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    st.image(buf.getvalue())
