"""Benchmark data files: pinned by sha256, read from a local path or downloaded once into a cache."""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from nl2code.errors import DatasetError

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class DataFile:
    """A canonical data file. `sha256` empty: nl2code has no pin for it (the file could not be
    fetched where nl2code was built); the digest of the first download is recorded beside the
    cached copy and every later use is checked against it."""

    filename: str
    url: str
    sha256: str


def read_jsonl(path: Path) -> list[dict]:
    """Records of a JSON-lines file (gzip when it ends in .gz); a bad line is named."""
    import gzip
    import json

    opener = gzip.open if path.suffix == ".gz" else open
    records = []
    with opener(path, "rt", encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise DatasetError(f"{path}:{number}: not valid JSON ({exc.msg}); pass an unmodified {path.name}") from exc
    return records


def read_json_list(path: Path, what: str, fix: str) -> list:
    """The list a JSON file holds (of records, of problems: `what`); invalid JSON or another shape
    is a DatasetError naming the file (and the line) and ending with `fix`."""
    import json

    try:
        records = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise DatasetError(f"{path}:{exc.lineno}: not valid JSON ({exc.msg}); {fix}") from exc
    if not isinstance(records, list):
        raise DatasetError(f"{path}: expected a JSON list of {what}; {fix}")
    return records


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def cache_dir() -> Path:
    base = os.environ.get("NL2CODE_CACHE") or os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "nl2code")
    return Path(base) / "data"


def download_url(spec: DataFile) -> str:
    """The canonical URL, or the same file name under NL2CODE_DATA_MIRROR (a mirror or a test server)."""
    mirror = os.environ.get("NL2CODE_DATA_MIRROR")
    return f"{mirror.rstrip('/')}/{spec.filename}" if mirror else spec.url


def resolve(spec: DataFile, dataset: str | os.PathLike | None, *, flag: str = "--dataset") -> tuple[Path, str]:
    """Return (path, sha256) of the data: the user's file, else the verified cached download."""
    if dataset is not None:
        path = Path(dataset)
        if not path.is_file():
            raise DatasetError(f"{path}: no such file (given with {flag}); pass the path of a copy of {spec.filename}")
        digest = sha256_file(path)
        if spec.sha256 and digest != spec.sha256:
            log.warning("%s: sha256 %s differs from the pinned %s of %s; its own hash is recorded", path, digest, spec.sha256, spec.filename)
        return path, digest
    path = cache_dir() / spec.filename
    if not spec.sha256:
        return _unpinned(spec, path)
    if path.is_file() and sha256_file(path) == spec.sha256:
        return path, spec.sha256
    return download(spec, path), spec.sha256


def recorded_digest_path(path: Path) -> Path:
    return path.with_name(path.name + ".sha256")


def _unpinned(spec: DataFile, path: Path) -> tuple[Path, str]:
    """A file without a pin: verified against the digest recorded at its first download."""
    record = recorded_digest_path(path)
    if path.is_file() and record.is_file():
        recorded = record.read_text().strip()
        digest = sha256_file(path)
        if digest != recorded:
            raise DatasetError(
                f"{path}: sha256 {digest} differs from {recorded}, recorded when it was downloaded from {spec.url}; "
                f"the cached copy changed: delete {path} and {record} to download it again, or pass a copy with --dataset PATH"
            )
        return path, digest
    download(spec, path)
    digest = sha256_file(path)
    record.write_text(digest + "\n")
    log.warning("%s has no sha256 pinned in nl2code; recorded %s from this first download (%s): compare it with the "
                "publisher's, later uses are checked against it", spec.filename, digest, spec.url)
    return path, digest


def download(spec: DataFile, path: Path) -> Path:
    url = download_url(spec)
    path.parent.mkdir(parents=True, exist_ok=True)
    log.info("downloading %s from %s", spec.filename, url)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{spec.filename}.")
    digest = hashlib.sha256()
    try:
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=60) as response:
            for block in iter(lambda: response.read(1 << 20), b""):
                digest.update(block)
                out.write(block)
        if spec.sha256 and digest.hexdigest() != spec.sha256:
            raise DatasetError(
                f"{url}: downloaded sha256 {digest.hexdigest()} does not match the pinned {spec.sha256}; "
                f"the file changed upstream or the download was corrupted. Pass a verified copy with --dataset PATH"
            )
        os.replace(tmp, path)
    except (urllib.error.URLError, OSError) as exc:
        raise DatasetError(
            f"cannot download {spec.filename} from {url} ({exc}); without network access pass a local copy with --dataset PATH"
        ) from exc
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path
