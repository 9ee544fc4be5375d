"""Attention Atlas — the Streamlit entry point: navigation over the pages in views/."""

from __future__ import annotations

import streamlit as st

from views import warm
from views.common import PAGES, page_title, server_threads

st.set_page_config(page_title="Attention Atlas", page_icon="🔭", layout="wide")
server_threads()  # once per process: one PyTorch thread per call, as many calls as learners
warm.start()  # once per process: every question's default pictures, in quiet moments
pages = [
    st.Page(path, title=page_title(slug), url_path=slug, default=(i == 0))
    for i, (slug, path) in enumerate(PAGES)
]
with warm.busy():
    st.navigation(pages).run()
