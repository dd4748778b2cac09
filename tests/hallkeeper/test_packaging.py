"""The service as a wheel installs it: no repository checkout around it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# What a wheel is built from; the checkout's other folders (tests, .venv, data) are left out.
SOURCES = (
    "pyproject.toml",
    "README.md",
    "config",
    "hallkeeper",
    "hallbase",
    "attendance",
    "kiosk",
    "devices",
)


def _run(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=240)


def test_installed_wheel_finds_its_default_hall(tmp_path: Path) -> None:
    """`pip install` of the wheel, then `hallkeeper config check` from another directory."""
    source = tmp_path / "src"
    source.mkdir()
    for name in (*SOURCES, "attendance_engine"):
        path = ROOT / name
        if path.is_dir():
            shutil.copytree(
                path,
                source / name,
                symlinks=True,
                ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
            )
        else:
            shutil.copy2(path, source / name)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HALLKEEPER_", "PYTHON"))}
    wheels = tmp_path / "wheels"
    built = _run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
         "--quiet", "-w", str(wheels), str(source)],
        tmp_path, env,
    )  # fmt: skip
    assert built.returncode == 0, built.stderr
    (wheel,) = wheels.glob("hallkeeper-*.whl")
    # A fresh environment whose dependencies come from this one's site-packages (a plain path,
    # so this environment's editable install of the checkout is not seen there).
    target = tmp_path / "venv"
    venv.create(target, with_pip=False)
    python = target / "bin" / "python"
    purelib = _run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        tmp_path, env,
    ).stdout.strip()  # fmt: skip
    (Path(purelib) / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    installed = _run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps",
         "--quiet", str(wheel)],
        tmp_path, env,
    )  # fmt: skip
    assert installed.returncode == 0, installed.stderr
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    show = "import hallkeeper; print(hallkeeper.__file__)"
    where = _run([str(python), "-c", show], elsewhere, env)
    assert where.stdout.startswith(str(target)), where.stdout + where.stderr
    checked = _run([str(target / "bin" / "hallkeeper"), "config", "check"], elsewhere, env)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "OK - 示范市政务服务中心" in checked.stdout
    assert str(target) in checked.stdout  # the installed copy, not a checkout's
