"""Add an uploaded document to the index, refusing anything that is not a readable budget table.

An upload goes through named stages (:data:`qa.ui.indexer.STAGES`) while questions go on
being answered from the live index:

- 读取 (here, in the request): size (``settings.max_upload_mb``), type by content
  (:func:`~index.readers.detect_format`, not the name), same content as an indexed or waiting
  document; then a staging copy under ``<data_dir>/upload-staging/``;
- 解析 (in the index worker, :mod:`qa.ui.worker`): a full read and parse of that copy
  (:func:`check_upload`); only then is it stored under ``settings.uploads_dir`` as
  ``<sanitized stem>-<content hash><suffix>`` (never over an existing file);
- 向量化 n/N, 写入: the new index version is built beside the live one, loaded, and switched to.

The truth after a crash: staging copies are removed at start (an upload refused or cut off
before it was stored leaves nothing); a stored upload not yet in the index is listed in 文档 as
待索引 and is added by a background build at start (:func:`qa.ui.service.open_service`). A
file refused at any step leaves the index as it was. Uploaded files are only read.
"""

from __future__ import annotations

import hashlib
import logging
import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from index.build import BuildReport, corpus_files
from index.errors import DocumentTooLargeError, UnreadableDocumentError
from index.parse import FileFailure, parse_file
from index.readers import detect_format
from index.schema import ParsedDocument

from ..export import safe_stem
from . import views
from .errors import UploadRejectedError
from .indexer import IndexJob, StagedUpload
from .service import Service, index_sources, staging_dir

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
PENDING = "待索引"

ProgressCallback = Callable[[float, str], None]


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


def _same_content(service: Service, digest: str) -> str | None:
    """An indexed or waiting document with this content (its name), else None."""
    known = service.engine.store.meta.get("documents", {})
    same = next((doc for doc, sha in known.items() if sha == digest), None)
    waiting = service.settings.uploads_dir
    if same is None and waiting.is_dir():
        same = next((p.name for p in waiting.iterdir() if f"-{digest[:12]}." in p.name), None)
    return same


def stage_upload(service: Service, upload: str | Path) -> StagedUpload:
    """读取: check an uploaded file's size, type and content, and copy it to the staging folder."""
    upload = Path(upload)
    name = upload.name
    settings = service.settings
    data = _read_checked(upload, name, settings.max_upload_mb)
    digest = hashlib.sha256(data).hexdigest()
    same = _same_content(service, digest)
    if same:
        raise _reject(name, f"same content as {same}", f"与已有的文档 {same} 内容相同。")
    staging = staging_dir(settings) / f"{digest[:16]}-{uuid.uuid4().hex[:8]}"
    staging.mkdir(parents=True, exist_ok=True)
    staged = staging / stored_name(name, data)
    staged.write_bytes(data)
    return StagedUpload(staged, name)


def check_upload(staged: Path, name: str) -> ParsedDocument:
    """解析: read and parse a staged upload fully; refuses it when nothing can be indexed.

    Messages name the file as it was uploaded (``name``), not its staged copy.
    """
    try:
        parsed = parse_file(staged)
    except DocumentTooLargeError as exc:
        raise _reject(name, exc.reason, exc.renamed(name)) from exc
    except UnreadableDocumentError as exc:
        reason = exc.reason.replace(staged.name, name)
        raise _reject(name, reason, f"无法读取（{reason}）。") from exc
    if not (parsed.projects or parsed.department_indicators or parsed.facts):
        raise _reject(
            name,
            "no performance-target or budget tables found",
            "没有找到绩效目标表或预算表，请确认文件内容。",
        )
    return parsed


def place_upload(staged: Path, directory: Path, name: str | None = None) -> Path:
    """Store a checked upload in the uploads folder without replacing anything there."""
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / staged.name
    try:
        os.link(staged, target)  # fails if the target exists: nothing is overwritten
    except FileExistsError as exc:
        raise _reject(name or staged.name, "already uploaded", "该文件已上传过。") from exc
    os.chmod(target, 0o644)
    return target


def summary(parsed: ParsedDocument, path: Path) -> dict:
    """What the worker tells the server about a stored upload (JSON)."""
    document = parsed.document
    return {
        "doc": document.doc,
        "path": str(path),
        "region": document.region,
        "year": document.year,
        "projects": len(parsed.projects),
        "indicators": len(parsed.indicator_rows) + len(parsed.department_indicators),
        "warnings": [str(w) for w in parsed.warnings],
    }


def start_upload(service: Service, upload: str | Path) -> IndexJob:
    """Check the upload (读取) and queue it for the index worker; follow the returned job.

    Raises :class:`UploadRejectedError` at once when the file is refused by the first checks.
    """
    return service.indexer.submit(stage_upload(service, upload))


def upload_result(service: Service, job: IndexJob) -> UploadResult:
    """The finished job's document (raises the refusal or failure that ended the job)."""
    placed, built = job.result()
    failures = [
        FileFailure(f["path"], UnreadableDocumentError(f["path"], f["error"]))
        for f in built["failures"]
    ]
    report = BuildReport(
        index_dir=service.settings.resolved_index_dir,
        **{k: built[k] for k in ("documents", "projects", "indicators", "chunks", "embedded")},
        cached=built["cached"],
        seconds=built["seconds"],
        failures=failures,
    )
    return UploadResult(
        doc=placed["doc"],
        path=Path(placed["path"]),
        region=placed["region"],
        year=placed["year"],
        projects=placed["projects"],
        indicators=placed["indicators"],
        warnings=tuple(placed["warnings"]),
        report=report,
    )


def add_document(
    service: Service, upload: str | Path, progress: ProgressCallback | None = None
) -> UploadResult:
    """Check, store and index one uploaded file; returns when the new index is live.

    ``progress(fraction, text)`` follows the stages (``向量化 120/466（62%）``). Raises
    :class:`UploadRejectedError` (with a Chinese ``zh`` message) when the file is refused;
    the index is then unchanged.
    """
    job = start_upload(service, upload)
    for step in job.updates():
        if progress:
            progress(step.fraction, step.text)
    return upload_result(service, job)


# --- the documents list: indexed, and waiting -------------------------------------------------


def pending_files(service: Service) -> list[str]:
    """Source files not yet in the live index (stored uploads waiting for their build)."""
    store = service.engine.store
    failed = {Path(f.get("path", "")).name for f in store.meta.get("failures", [])}
    known = set(store.documents) | failed
    return [p.name for p in corpus_files(index_sources(service.settings)) if p.name not in known]


def documents_view(service: Service) -> views.DocumentsView:
    """The indexed documents, then the stored uploads still waiting (marked 待索引)."""
    view = views.documents(service.engine)
    waiting = pending_files(service)
    if not waiting:
        return view
    rows = tuple(
        dict.fromkeys(views.DOCUMENT_COLUMNS, "")
        | {"文档": name, "地区": PENDING, "内容": f"{PENDING}：正在加入索引，完成后可检索"}
        for name in waiting
    )
    return replace(view, table=view.table + rows)
