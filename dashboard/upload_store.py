"""Save an uploaded file's accepted rows into the store, when the setting allows it."""

from __future__ import annotations

from typing import Final

import streamlit as st

from dashboard.upload_view import UploadOutcome
from geo.i18n import format_int, text
from geo.store import IngestRecord, StoreError, default_store_url, open_store

SAVED_KEY: Final = "hito.upload.saved"  # session_state: (file digest, record or None, error)


def render_save_to_store(outcome: UploadOutcome, lang: str) -> None:
    """Offer to save the accepted rows of `outcome`; say what the last save did."""
    if outcome.incidents is None or outcome.report is None or outcome.incidents.empty:
        return
    rows = format_int(len(outcome.incidents), lang)
    st.button(
        text("upload_save", lang, rows=rows), key=f"hito.upload.save.{outcome.digest[:16]}",
        on_click=_save, args=(outcome,),
    )  # fmt: skip
    saved = st.session_state.get(SAVED_KEY)
    if saved is None or saved[0] != outcome.digest:
        return
    _, record, error = saved
    if record is not None:
        st.success(_saved_text(record, lang))  # numbers only: no user text
    else:
        st.error(text("upload_save_failed", lang))
        st.code(error, language=None)  # plain text, never Markdown


def save_to_store(outcome: UploadOutcome) -> IngestRecord:
    """Ingest the accepted rows of `outcome` into the app's store; return the record."""
    if outcome.incidents is None or outcome.report is None:
        raise ValueError(f"{outcome.name}: the file could not be read; nothing to save")
    store = open_store(default_store_url())
    try:
        return store.ingest(
            outcome.incidents, file_name=outcome.name, file_sha256=outcome.digest,
            source_format=outcome.report.format, rejected=outcome.report.rejected,
        )  # fmt: skip
    finally:
        store.close()


def _save(outcome: UploadOutcome) -> None:
    """Button callback: save, and keep the result for the next run to show."""
    try:
        st.session_state[SAVED_KEY] = (outcome.digest, save_to_store(outcome), None)
    except (StoreError, ValueError) as error:
        st.session_state[SAVED_KEY] = (outcome.digest, None, str(error))


def _saved_text(record: IngestRecord, lang: str) -> str:
    return text(
        "upload_saved", lang, added=format_int(record.added, lang),
        skipped=format_int(record.skipped, lang), conflicts=format_int(record.conflicts, lang),
    )  # fmt: skip
