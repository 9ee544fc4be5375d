"""Attention Atlas — the Streamlit entry point: navigation over the pages in views/."""

from __future__ import annotations

import streamlit as st

from views.common import PAGES, page_title

st.set_page_config(page_title="Attention Atlas", page_icon="🔭", layout="wide")
pages = [
    st.Page(path, title=page_title(slug), url_path=slug, default=(i == 0))
    for i, (slug, path) in enumerate(PAGES)
]
st.navigation(pages).run()
