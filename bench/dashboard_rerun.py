"""Benchmark the dashboard's server-side rerun after a filter change (AppTest); print JSON lines."""

from __future__ import annotations

import json
import statistics
import time
from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = Path(__file__).resolve().parents[1] / "dashboard" / "app.py"
CHOICES: tuple[list[str], ...] = (["chacalluta"], ["santa-rosa"], [])
ANALYST: dict[str, object] = {
    "is_logged_in": True, "email": "bench@example.org", "email_verified": True
}  # fmt: skip
AUTH_SECRETS: dict[str, str] = {
    "redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "bench-only",
    "client_id": "hito-bench", "client_secret": "bench-only",
    "server_metadata_url": "https://idp.invalid/.well-known/openid-configuration",
}  # fmt: skip


def main(runs: int = 7) -> None:
    """Time `runs` crossing-filter changes on the bundled demo data, as an analyst (every
    row; the public sees the privacy gate's few), and print the median."""
    app = AppTest.from_file(str(APP), default_timeout=180)
    app.secrets["auth"] = AUTH_SECRETS  # Streamlit's OIDC configured; never contacted
    app.secrets["hito"] = {"analysts": [ANALYST["email"]]}
    app.user = ANALYST
    began = time.perf_counter()
    app.run()
    first_s = time.perf_counter() - began
    timings = []
    for index in range(runs):
        crossing = next(
            box for box in app.multiselect if str(box.key).startswith("hito.w.crossing")
        )
        crossing.set_value(CHOICES[index % len(CHOICES)])
        began = time.perf_counter()
        app.run()
        timings.append(time.perf_counter() - began)
        if app.exception:
            raise RuntimeError(app.exception[0].value)
    print(json.dumps({"name": "dashboard first run", "n": 5000, "seconds": round(first_s, 3)}))
    print(
        json.dumps(
            {
                "name": "filter change to rendered page (server side)",
                "n": 5000,
                "runs": runs,
                "median_s": round(statistics.median(timings), 3),
                "max_s": round(max(timings), 3),
            }
        )
    )


if __name__ == "__main__":
    main()
