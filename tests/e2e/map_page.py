"""A one-map Streamlit page for the browser tests: folium_map on the demo data, via map_view.

Query parameters: heat=1 shows the heat map; payload=1 puts script-injection payloads into the
first incidents' category, crossing and local time. The page prints the view it keeps.
"""

from __future__ import annotations

import streamlit as st

from dashboard import data
from dashboard.map_view import render_folium_map
from geo.maps import incident_points
from geo.maps_folium import folium_map

ZONE = "America/Santiago"
PAYLOADS = (
    "<img src=x onerror=alert(1)>",
    "${alert(1)}",
    "`+alert(1)+`",
    "</script><script>alert(1)</script>",
)

st.set_page_config(page_title="Hito map test", layout="wide")
layers = data.bundled_layers()
incidents, _ = data.bundled_incidents()
points = incident_points(incidents, ZONE)
if st.query_params.get("payload") == "1":
    for row, payload in enumerate(PAYLOADS):
        points.loc[row, ["category", "crossing"]] = payload
        points.loc[row, "local_time"] = f"{payload} ({ZONE})"
view = st.session_state.setdefault("view", ((-18.3, -70.3), 10))
figure = folium_map(
    layers,
    data.bundled_countries(),
    points,
    lang="es",
    center=view[0],
    zoom=view[1],
    heat=st.query_params.get("heat") == "1",
    asset_base="/app/static/vendor",
)
moved = render_folium_map(figure, key="map", height=600)
if moved is not None:
    st.session_state["view"] = moved
    view = moved
st.text(f"view: {view[0][0]:.5f} {view[0][1]:.5f} zoom {view[1]}")
