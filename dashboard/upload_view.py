"""Upload an incident file: validate and enrich it, show the report, keep its rows for this session.

Accepted rows live in this session's st.session_state only (never in a cache shared between
sessions). Uploads are keyed by file name: uploading a file again, or a corrected file under
the same name, or the same content under another name, replaces its earlier rows. Every
user-supplied string (file name, values, reasons quoting values) reaches the page through
st.dataframe or st.code only, never through Markdown.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final, Literal

import geopandas as gpd
import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator
from streamlit.runtime.uploaded_file_manager import UploadedFile

from geo.cells import add_cells
from geo.enrich import enrich
from geo.i18n import format_int, text
from geo.ingest import IngestError, Notice, Problem, ValidationReport, read_incidents_bytes
from geo.layers import Layers
from geo.reason_text import localise_reason, localise_reasons

SESSION_KEY: Final = "uploaded_incidents"  # the accepted, enriched rows of every file combined
FILES_KEY: Final = "uploaded_files"  # file name -> UploadOutcome of the files kept
_LAST_KEY: Final = "upload_last"  # (widget file id, outcome) of the file in the uploader
_GENERATION_KEY: Final = "upload_generation"  # bumped to empty the uploader widget

UPLOAD_TYPES: Final = ("csv", "geojson", "json", "txt")
# st.file_uploader's unit: MiB (1024 * 1024 bytes); the same as server.maxUploadSize in
# .streamlit/config.toml, which Streamlit's upload route enforces on the server as well.
MAX_UPLOAD_MB: Final = 20
MAX_UPLOAD_BYTES: Final = (
    MAX_UPLOAD_MB * 1024 * 1024
)  # checked here too: the widget's is client-side
LARGE_FILE_BYTES: Final = 2_000_000  # larger files show a progress bar
LARGE_FILE_LINES: Final = 20_000
REPORT_ROW_LIMIT: Final = 5_000  # problems / notices listed in the page at most

Stage = Literal["reading", "validating", "enriching", "done"]
STAGE_FRACTION: Final[dict[Stage, float]] = {
    "reading": 0.05,
    "validating": 0.10,
    "enriching": 0.70,
    "done": 1.0,
}


@dataclass(frozen=True, eq=False)
class UploadOutcome:
    """What became of one uploaded file: its enriched accepted rows and report, or an error."""

    name: str  # the file name as the user's browser gave it (user text: never Markdown)
    digest: str  # SHA-256 of the bytes, hex
    incidents: gpd.GeoDataFrame | None  # accepted rows, enriched; None when unreadable
    report: ValidationReport | None  # None when unreadable
    error: str | None = None  # plain-text reason the file could not be read at all


def label(key: str, lang: str) -> str:
    """Return the upload view's label `key` in `lang` (from geo.i18n)."""
    if key == "upload_file":
        return text(key, lang, max_mb=MAX_UPLOAD_MB)
    return text(key, lang)


def is_large(data: bytes) -> bool:
    """Return whether a file is big enough to show a progress bar while it is read."""
    return len(data) > LARGE_FILE_BYTES or data.count(b"\n") > LARGE_FILE_LINES


def ingest_upload(
    data: bytes,
    name: str,
    layers: Layers,
    *,
    on_stage: Callable[[Stage], None] | None = None,
) -> UploadOutcome:
    """Read, validate and enrich uploaded bytes; an unreadable file becomes an error outcome.

    `on_stage` is called as work reaches each stage (reading → validating → enriching → done).
    """
    report_stage = on_stage or (lambda _stage: None)
    report_stage("reading")
    digest = hashlib.sha256(data).hexdigest()
    if len(data) > MAX_UPLOAD_BYTES:
        size = f"{len(data) / 1024 / 1024:.1f} MB"
        reason = f"{name}: {size} is over the {MAX_UPLOAD_MB} MB upload limit"
        return UploadOutcome(name, digest, None, None, reason)
    report_stage("validating")
    try:
        result = read_incidents_bytes(data, name, layers=layers)
    except IngestError as error:
        return UploadOutcome(name, digest, None, None, str(error))
    report_stage("enriching")
    try:
        enriched = add_cells(enrich(result.incidents, layers))
    except ValueError as error:
        return UploadOutcome(name, digest, None, None, f"{name}: {error}")
    report_stage("done")
    return UploadOutcome(name, digest, enriched, result.report)


def problems_table(
    report: ValidationReport, lang: str, limit: int = REPORT_ROW_LIMIT
) -> pd.DataFrame:
    """Return the first `limit` problems: line, feature (GeoJSON only), field, value, reason."""
    shown = report.problems[:limit]
    texts = localise_reasons([problem.reason for problem in shown], lang)
    return _entries_table(shown, texts, "col_reason", report.format == "geojson", lang)


def notices_table(
    report: ValidationReport, lang: str, limit: int = REPORT_ROW_LIMIT
) -> pd.DataFrame:
    """Return the first `limit` notices: line, feature (GeoJSON only), field, value, message."""
    shown = report.notices[:limit]
    texts = localise_reasons([notice.message for notice in shown], lang)
    return _entries_table(shown, texts, "col_message", report.format == "geojson", lang)


def _entries_table(
    entries: Sequence[Problem | Notice],
    texts: list[str],
    text_label: str,
    with_feature: bool,
    lang: str,
) -> pd.DataFrame:
    """Return report entries as columns line, feature (GeoJSON only), field, value, text."""
    columns: dict[str, pd.Series] = {
        label("col_line", lang): pd.Series([entry.line for entry in entries], dtype="Int64"),
    }
    if with_feature:
        features = [entry.feature for entry in entries]
        columns[label("col_feature", lang)] = pd.Series(features, dtype="Int64")
    columns[label("col_field", lang)] = pd.Series([e.field for e in entries], dtype="string")
    columns[label("col_value", lang)] = pd.Series([e.value for e in entries], dtype="string")
    columns[label(text_label, lang)] = pd.Series(texts, dtype="string")
    return pd.DataFrame(columns)


def keep_upload(
    kept: Mapping[str, UploadOutcome], outcome: UploadOutcome
) -> dict[str, UploadOutcome]:
    """Return the kept uploads with `outcome` added, replacing any of the same name or content."""
    if outcome.incidents is None:
        raise ValueError(f"keep_upload: {outcome.name!r} could not be read; nothing to keep")
    others = {
        name: earlier
        for name, earlier in kept.items()
        if name != outcome.name and earlier.digest != outcome.digest
    }
    return {**others, outcome.name: outcome}


def combine_uploads(kept: Mapping[str, UploadOutcome]) -> gpd.GeoDataFrame | None:
    """Return the accepted rows of every kept upload in one frame (None when there are none)."""
    frames = [outcome.incidents for outcome in kept.values() if outcome.incidents is not None]
    if not frames:
        return None
    if len(frames) == 1:
        return frames[0]
    return gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=frames[0].crs)


def session_uploads() -> gpd.GeoDataFrame | None:
    """Return this session's uploaded rows without drawing anything (None when there are none)."""
    rows = st.session_state.get(SESSION_KEY)
    return rows if isinstance(rows, gpd.GeoDataFrame) else None


def session_upload_names() -> list[str]:
    """Return the names of this session's kept uploads, printable characters only."""
    kept: Mapping[str, UploadOutcome] = st.session_state.get(FILES_KEY, {})
    return ["".join(char for char in name if char.isprintable()) or "?" for name in kept]


def session_upload_digests() -> list[str]:
    """Return the SHA-256 digests of this session's kept uploads (identifies their rows)."""
    kept: Mapping[str, UploadOutcome] = st.session_state.get(FILES_KEY, {})
    return [outcome.digest for outcome in kept.values()]


def render_report(outcome: UploadOutcome, lang: str) -> None:
    """Show what became of one file: an error, or counts, rejected rows and notices."""
    if outcome.error is not None or outcome.report is None:
        st.error(label("upload_error", lang))
        shown = localise_reason(outcome.error, lang) if outcome.error else outcome.name
        st.code(shown, language=None)  # plain text, never Markdown
        return
    report = outcome.report
    counts = st.columns(3)
    counts[0].metric(label("upload_accepted", lang), format_int(report.accepted, lang))
    counts[1].metric(label("upload_rejected", lang), format_int(report.rejected, lang))
    counts[2].metric(label("upload_total", lang), format_int(report.total, lang))
    st.subheader(label("upload_rejected_rows", lang))
    if report.problems:
        _render_capped(problems_table(report, lang), len(report.problems), lang)
    else:
        st.caption(label("upload_no_rejected", lang))
    if report.notices:
        st.subheader(label("upload_notices", lang))
        _render_capped(notices_table(report, lang), len(report.notices), lang)


def render_upload(
    layers: Layers,
    lang: str,
    offer_save: Callable[[UploadOutcome, str], None] | None = None,
) -> gpd.GeoDataFrame | None:
    """Draw the uploader and report; return this session's accepted, enriched uploaded rows.

    `offer_save(outcome, lang)`, when given, draws under the report a way to keep the rows
    beyond the session (dashboard.upload_store).
    """
    generation = int(st.session_state.get(_GENERATION_KEY, 0))
    st.html(f"<style>{uploader_css(lang)}</style>")  # constant text only, no user input
    uploaded = st.file_uploader(
        label("upload_file", lang),
        type=list(UPLOAD_TYPES),
        key=f"upload_file_{generation}",
        help=label("upload_help", lang),
        max_upload_size=MAX_UPLOAD_MB,
    )
    if uploaded is not None:
        outcome = _outcome_for(uploaded, layers, lang)
        render_report(outcome, lang)
        if offer_save is not None:
            offer_save(outcome, lang)
    kept: dict[str, UploadOutcome] = st.session_state.get(FILES_KEY, {})
    if kept:
        _render_kept(kept, lang)
    return session_uploads()


def uploader_css(lang: str) -> str:
    """Return CSS that writes the uploader's button and size line in `lang` (Streamlit's
    own are English only)."""
    button = css_string(label("upload_button", lang))
    types = ", ".join(kind.upper() for kind in UPLOAD_TYPES)
    limit = css_string(text("upload_limit", lang, max_mb=MAX_UPLOAD_MB, types=types))
    zone = '[data-testid="stFileUploaderDropzone"]'
    return (
        f'{zone} button [data-testid="stMarkdownContainer"] p {{font-size: 0}}\n'
        f'{zone} button [data-testid="stMarkdownContainer"] p::after '
        f"{{content: {button}; font-size: 0.875rem}}\n"
        f'{zone} [data-testid="stFileUploaderDropzoneInstructions"] span {{font-size: 0}}\n'
        f'{zone} [data-testid="stFileUploaderDropzoneInstructions"] span::after '
        f"{{content: {limit}; font-size: 0.875rem}}\n"
    )


def css_string(value: str) -> str:
    """Quote `value` as a CSS string (backslash, quotes and line breaks escaped)."""
    escaped = "".join(
        f"\\{ord(char):x} " if char in '\\"\'<>\n\r' else char for char in value
    )
    return f'"{escaped}"'


def _outcome_for(uploaded: UploadedFile, layers: Layers, lang: str) -> UploadOutcome:
    """Return the outcome of the file in the uploader, reading it only the first time it is seen."""
    last = st.session_state.get(_LAST_KEY)
    if last is not None and last[0] == uploaded.file_id:
        outcome: UploadOutcome = last[1]
        return outcome
    data = uploaded.getvalue()
    bar = st.progress(0.0, text=label("upload_stage_reading", lang)) if is_large(data) else None
    outcome = ingest_upload(data, uploaded.name, layers, on_stage=_stage_shower(bar, lang))
    if bar is not None and outcome.error is not None:
        bar.empty()  # the error replaces a bar stopped half-way
    st.session_state[_LAST_KEY] = (uploaded.file_id, outcome)
    if outcome.incidents is not None:
        kept = keep_upload(st.session_state.get(FILES_KEY, {}), outcome)
        st.session_state[FILES_KEY] = kept
        st.session_state[SESSION_KEY] = combine_uploads(kept)
    return outcome


def _stage_shower(bar: DeltaGenerator | None, lang: str) -> Callable[[Stage], None] | None:
    """Return a callback moving `bar` to each stage (None when there is no bar)."""
    if bar is None:
        return None

    def show(stage: Stage) -> None:
        bar.progress(STAGE_FRACTION[stage], text=label(f"upload_stage_{stage}", lang))

    return show


def _render_capped(table: pd.DataFrame, total: int, lang: str) -> None:
    st.dataframe(table, hide_index=True)
    if total > len(table):
        note = label("upload_first_rows", lang)
        st.caption(note.format(shown=format_int(len(table), lang), total=format_int(total, lang)))


def _render_kept(kept: Mapping[str, UploadOutcome], lang: str) -> None:
    st.subheader(label("upload_session_files", lang))
    listing = pd.DataFrame(
        {
            label("col_file", lang): pd.Series(list(kept), dtype="string"),
            label("col_rows", lang): pd.Series(
                [0 if o.incidents is None else len(o.incidents) for o in kept.values()],
                dtype="Int64",
            ),
        }
    )
    st.dataframe(listing, hide_index=True)
    st.button(label("upload_remove", lang), key="upload_remove", on_click=_forget_uploads)


def _forget_uploads() -> None:
    """Drop this session's uploaded rows and empty the uploader (a button callback)."""
    for key in (SESSION_KEY, FILES_KEY, _LAST_KEY):
        st.session_state.pop(key, None)
    st.session_state[_GENERATION_KEY] = int(st.session_state.get(_GENERATION_KEY, 0)) + 1
