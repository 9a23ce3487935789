"""Add an uploaded document to the index, refusing anything that is not a readable budget table.

An upload is checked before it touches the index: size (``settings.max_upload_mb``),
type by content (:func:`~index.readers.detect_format`, not the name), and a full
read and parse. Only then is it stored under ``settings.uploads_dir`` as
``<sanitized stem>-<content hash><suffix>`` (never over an existing file) and the
index rebuilt through :func:`qa.build.build`, which re-embeds only new text. A
file that fails any step leaves the index as it was. Uploaded files are only
read, never executed.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from index.build import BuildReport
from index.errors import BudgetIndexError, UnreadableDocumentError
from index.parse import parse_file
from index.readers import detect_format
from index.schema import ParsedDocument

from ..build import build
from ..export import safe_stem
from .errors import UploadRejectedError
from .service import Service, index_sources

logger = logging.getLogger(__name__)

# suffix of the uploaded name -> formats its content may have
ACCEPTED = {
    ".txt": ("text",),
    ".tsv": ("text",),
    ".csv": ("text",),
    ".pdf": ("pdf",),
    ".xlsx": ("xlsx",),
    ".xls": ("xls", "html", "xlsx"),
    ".docx": ("docx",),
    ".html": ("html",),
    ".htm": ("html",),
}
# content format -> suffix of the stored file (text keeps its own suffix)
STORED_SUFFIX = {"pdf": ".pdf", "xlsx": ".xlsx", "xls": ".xls", "docx": ".docx", "html": ".html"}

Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class UploadResult:
    """A document added to the index."""

    doc: str
    path: Path
    region: str | None
    year: int | None
    projects: int
    indicators: int
    warnings: tuple[str, ...]
    report: BuildReport


def _reject(name: str, reason: str, zh: str) -> UploadRejectedError:
    return UploadRejectedError(f"{name}: {reason}", f"文件“{name}”未添加：{zh}")


def _read_checked(path: Path, name: str, max_mb: int) -> bytes:
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise _reject(name, f"cannot open: {exc.strerror}", "无法打开上传的文件。") from exc
    if size > max_mb * 1024 * 1024:
        raise _reject(
            name, f"{size} bytes, over the {max_mb} MB limit", f"文件超过 {max_mb} MB 上限。"
        )
    if size == 0:
        raise _reject(name, "empty file", "文件是空的。")
    return path.read_bytes()


def stored_name(name: str, data: bytes) -> str:
    """The file name an upload is stored under: sanitized stem, content hash, suffix by content."""
    suffix = Path(name).suffix.lower()
    accepted = ACCEPTED.get(suffix)
    if accepted is None:
        kinds = "、".join(s.lstrip(".") for s in ACCEPTED)
        raise _reject(
            name, f"unsupported suffix {suffix!r}", f"不支持的文件类型，请上传 {kinds} 文件。"
        )
    try:
        fmt = detect_format(data, name)
    except UnreadableDocumentError as exc:
        raise _reject(name, exc.reason, "文件已损坏或不是支持的格式。") from exc
    if fmt not in accepted:
        raise _reject(
            name, f"content is {fmt}, not {suffix}", f"文件内容（{fmt}）与扩展名 {suffix} 不符。"
        )
    digest = hashlib.sha256(data).hexdigest()
    stem = safe_stem(Path(name).stem, 60, default="document")
    return f"{stem}-{digest[:12]}{STORED_SUFFIX.get(fmt, suffix)}"


def check_upload(service: Service, upload: str | Path) -> tuple[Path, ParsedDocument]:
    """Check an uploaded file and parse it from a staging copy; returns (staged path, parsed)."""
    upload = Path(upload)
    name = upload.name
    settings = service.settings
    data = _read_checked(upload, name, settings.max_upload_mb)
    digest = hashlib.sha256(data).hexdigest()
    known = service.engine.store.meta.get("documents", {})
    same = next((doc for doc, sha in known.items() if sha == digest), None)
    if same:
        raise _reject(name, f"same content as {same}", f"与已索引的文档 {same} 内容相同。")
    target_name = stored_name(name, data)
    staging = settings.data_dir / "upload-staging" / digest[:16]
    staging.mkdir(parents=True, exist_ok=True)
    staged = staging / target_name
    staged.write_bytes(data)
    try:
        parsed = parse_file(staged)
    except UnreadableDocumentError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise _reject(name, exc.reason, f"无法读取（{exc.reason}）。") from exc
    if not (parsed.projects or parsed.department_indicators or parsed.facts):
        shutil.rmtree(staging, ignore_errors=True)
        raise _reject(
            name,
            "no performance-target or budget tables found",
            "没有找到绩效目标表或预算表，请确认文件内容。",
        )
    return staged, parsed


def _place(staged: Path, directory: Path) -> Path:
    """Move the staged file into the uploads folder without replacing anything there."""
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / staged.name
    try:
        os.link(staged, target)  # fails if the target exists: nothing is overwritten
    except FileExistsError as exc:
        raise _reject(staged.name, "already uploaded", "该文件已上传过。") from exc
    os.chmod(target, 0o644)
    shutil.rmtree(staged.parent, ignore_errors=True)
    return target


def add_document(
    service: Service, upload: str | Path, progress: Progress | None = None
) -> UploadResult:
    """Check, store and index one uploaded file, then reload the engine.

    Raises :class:`UploadRejectedError` (with a Chinese ``zh`` message) when the file
    is refused; the index is then unchanged.
    """
    report = progress or (lambda fraction, desc: None)
    report(0.05, "检查文件")
    staged, parsed = check_upload(service, upload)
    report(0.2, "重建索引")
    settings = service.settings
    with service.lock:
        target = _place(staged, settings.uploads_dir)
        try:
            result = build(settings, index_sources(settings), progress=True)
        except (BudgetIndexError, OSError) as exc:
            target.unlink(missing_ok=True)
            logger.exception("rebuild after upload of %s failed", target.name)
            raise _reject(
                Path(upload).name, f"rebuild failed: {exc}", "重建索引失败，索引保持不变。"
            ) from exc
        if any(Path(f.path).name == target.name for f in result.failures):
            target.unlink(missing_ok=True)
            raise _reject(Path(upload).name, "unreadable at build time", "建索引时无法读取该文件。")
        report(0.95, "加载新索引")
        service.engine.reload()
    document = parsed.document
    return UploadResult(
        doc=document.doc,
        path=target,
        region=document.region,
        year=document.year,
        projects=len(parsed.projects),
        indicators=len(parsed.indicator_rows) + len(parsed.department_indicators),
        warnings=tuple(str(w) for w in parsed.warnings),
        report=result,
    )
