"""Helpers for the app tests: a private copy of the session index; the real app on loopback."""

from __future__ import annotations

import contextlib
import importlib.util
import os
import shutil
import socket
import sys
from dataclasses import replace
from pathlib import Path

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
ARTIFACTS = ROOT / "test-artifacts"
SEED_LIKE_REGION = "某某区"


def load_app_module():
    """``app.py`` as a module (it sits beside the packages, not in them)."""
    if "budgetqa_app" in sys.modules:
        return sys.modules["budgetqa_app"]
    spec = importlib.util.spec_from_file_location("budgetqa_app", ROOT / "app.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["budgetqa_app"] = module
    spec.loader.exec_module(module)
    return module


def isolated_engine(engine, directory: Path):
    """An engine over a copy of ``engine``'s index in its own data dir (uploads go there)."""
    from qa.engine import Engine

    settings = replace(engine.settings, data_dir=directory, index_dir=None)
    shutil.copytree(engine.settings.resolved_index_dir, settings.resolved_index_dir)
    return Engine.open(settings)


def seed_like_document(directory: Path, projects: int = 2) -> Path:
    """The first project tables of the 西青区 seed, moved to 某某区 (a new document to upload)."""
    lines = (CORPUS / "003_8982ce709c15bf44.txt").read_text(encoding="utf-8").splitlines()
    titles = [i for i, line in enumerate(lines) if line.strip() == "项目支出绩效目标表"]
    end = titles[projects] if len(titles) > projects else len(lines)
    text = "\n".join(lines[:end]).replace("天津市西青区", SEED_LIKE_REGION).replace("西青", "某某")
    path = directory / "某某区司法局 绩效目标表.txt"
    path.write_text(text + "\n", encoding="utf-8")
    return path


def free_port() -> int:
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def serve(service):
    """Serve the real app over ``service`` on a free loopback port; yields its URL."""
    app = load_app_module()
    settings = replace(service.settings, host="127.0.0.1", port=free_port())
    demo = app.build_app(service)
    _, url, _ = app.launch(demo, settings, prevent_thread_lock=True, quiet=True)
    try:
        yield url.rstrip("/")
    finally:
        demo.close()
