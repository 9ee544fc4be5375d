"""Replay the Dockerfile's build steps in a fresh venv, start its CMD, and smoke-test it in Chromium.

No Docker engine runs on the test machines, so this performs what the image build would:
ARG/ENV/WORKDIR/COPY/RUN in order, with the image's paths mapped into a temporary folder.
System-level steps (apt-get, useradd) are not replayed; `make test` installs the same font.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest
from dockerfile_parse import DockerfileParser

from .conftest import ROOT, start_app, wait_for_app

pytestmark = [pytest.mark.browser, pytest.mark.slow]
SYSTEM_STEPS = ("apt-get", "useradd")
# The image pulls CPU torch from PyTorch's index; here only the package registries are reachable,
# where `torch==2.13.0` resolves to the same CPU build.
ARG_OVERRIDES = {"TORCH_INDEX": ""}
# pip byte-compiles every module it installs (torch has thousands); that only spares a first
# import some time, so the replay skips it: the same files are installed.
REPLAY_ENV = {"PIP_NO_COMPILE": "1"}


def replay(tmp: Path) -> tuple[dict[str, str], list[str], Path, list[str]]:
    """Run the build steps; return (environment, CMD, working dir, skipped steps)."""
    parsed = DockerfileParser(path=str(ROOT / "Dockerfile"))
    image_root = tmp / "image"
    paths = {"/app": image_root / "app", "/data": image_root / "data", "/tmp": tmp}
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    bin_dir = tmp / "venv" / "bin"
    venv.create(tmp / "venv", with_pip=True)
    env["PATH"] = f"{bin_dir}:{env['PATH']}"
    env.update(REPLAY_ENV)
    workdir, skipped, cmd = image_root, [], []

    image_paths = re.compile(r"(?<![\w./])(" + "|".join(map(re.escape, paths)) + r")(?=/|\b|$)")

    def mapped(text: str) -> str:
        """Image paths (/app, /data, /tmp) replaced by their local folders, in one pass."""
        return image_paths.sub(lambda m: str(paths[m.group(1)]), text)

    for step in parsed.structure:
        kind, value = step["instruction"], step["value"]
        if kind == "ARG":
            name, _, default = value.partition("=")
            env[name] = ARG_OVERRIDES.get(name, default)
        elif kind == "ENV":
            for name, val in re.findall(r"(\w+)=(\S+)", value):
                env[name] = mapped(val)
        elif kind == "WORKDIR":
            workdir = Path(mapped(value))
            workdir.mkdir(parents=True, exist_ok=True)
        elif kind == "COPY":
            *sources, dest = value.split()
            target = Path(mapped(dest)) if dest.startswith("/") else workdir / dest
            for src in sources:
                if (ROOT / src).is_dir():
                    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info")
                    shutil.copytree(ROOT / src, target, dirs_exist_ok=True, ignore=ignore)
                else:
                    target.mkdir(parents=True, exist_ok=True)
                    shutil.copy(ROOT / src, target)
        elif kind == "RUN":
            if value.lstrip().startswith(SYSTEM_STEPS):
                skipped.append(value.split()[0])
                continue
            subprocess.run(
                ["bash", "-ec", mapped(value)], cwd=workdir, env=env, check=True, timeout=900
            )
        elif kind == "CMD":
            cmd = json.loads(value)
    return env, cmd, workdir, skipped


def test_image_build_steps_and_cmd_serve_the_app(tmp_path, browser, artifacts):
    env, cmd, workdir, skipped = replay(tmp_path)
    assert skipped == ["apt-get", "useradd"]
    assert Path(env["ATLAS_DATA_DIR"]).parent == tmp_path / "image"
    exe = shutil.which(cmd[0], path=env["PATH"])
    assert exe and exe.startswith(str(tmp_path)), "CMD must run from the image's own environment"
    # the CMD, with its port/address flags replaced by a free loopback port
    base_cmd = [exe] + [
        a for a in cmd[1:] if not a.startswith(("--server.port", "--server.address"))
    ]
    proc, base = start_app(env, cwd=workdir, command=base_cmd)
    try:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(f"{base}/?q=3&lang=en")
        wait_for_app(page)
        assert page.get_by_role("heading", name="Q3.").first.is_visible()
        page.locator('[data-testid="stImage"] img').first.wait_for(state="visible")
        page.screenshot(path=str(artifacts / "docker-replay.png"))
        page.close()
    finally:
        proc.terminate()
        proc.wait(timeout=15)
    assert sys.executable not in exe
