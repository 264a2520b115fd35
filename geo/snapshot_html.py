"""Render a folium map as one self-contained HTML page: vendored assets inline, caption on top.

The page opens from disk with no network at all: every script and style folium links to
(already pointed at the vendored copies by geo.maps_folium) is copied into the page, the
images its CSS names become data: URIs, tile layers are left out, and Leaflet's
attribution prefix is plain text instead of a link. A page that would still name a host
raises ValueError instead of being written.
"""

from __future__ import annotations

import base64
import html
import json
import mimetypes
import re
from collections.abc import Callable
from pathlib import Path
from typing import Final

import folium
from branca.element import MacroElement
from folium.template import Template

from geo.caption import SnapshotCaption
from geo.maps_folium import CDN_TO_VENDOR

DEFAULT_VENDOR_DIR: Final = Path(__file__).resolve().parents[1] / "dashboard" / "static" / "vendor"
VENDORED_FILES: Final[tuple[str, ...]] = tuple(
    path for path in CDN_TO_VENDOR.values() if path is not None
)
ATTRIBUTION_PREFIX: Final = "Leaflet"  # Leaflet's own prefix is a link to leafletjs.com

_SCRIPT_LINK: Final = re.compile(r'<script\b[^>]*?\bsrc="(?P<url>[^"]*)"[^>]*>\s*</script>')
_STYLE_LINK: Final = re.compile(r'<link\b[^>]*?\bhref="(?P<url>[^"]*)"[^>]*?/?>')
_CSS_URL: Final = re.compile(r"""url\(\s*(?P<quote>["']?)(?P<url>[^"')]*)(?P=quote)\s*\)""")
_ANY_HOST: Final = re.compile(r"""https?://[^\s"'<>\\]+|(?:src|href)\s*=\s*["']?//|url\(\s*["']?//""")
_LOCAL_CSS_URL: Final = ("data:", "#")  # CSS urls that fetch nothing

CAPTION_STYLE: Final = """
<style>
    html, body { height: 100%; }
    body { display: flex; flex-direction: column; }
    .folium-map { flex: 1 1 auto; min-height: 0; height: auto !important; }
    .hito-caption { flex: none; font: 13px/1.4 sans-serif; color: #111;
        padding: 6px 10px; border-bottom: 1px solid #bbb; background: #fff; }
    .hito-caption h1 { font-size: 16px; margin: 0 0 2px; }
    .hito-caption p { margin: 0; }
    .hito-synthetic { background: #c62828; color: #fff; font-weight: bold;
        letter-spacing: 0.04em; padding: 3px 10px; margin: -6px -10px 4px; }
</style>
"""


def standalone_html(
    figure: folium.Map, caption: SnapshotCaption, vendor_dir: Path = DEFAULT_VENDOR_DIR
) -> str:
    """Return `figure` as one HTML page that draws offline, with `caption` above the map.

    `figure` is a geo.maps_folium.folium_map built with any asset_base: each script and
    style it links must end with a path of CDN_TO_VENDOR found under `vendor_dir`. The
    figure is consumed (its tile layers are removed and it is rendered). Every caption
    string is HTML-escaped; a synthetic caption gets its first line as a red banner.
    Raises ValueError naming the asset when a linked file is missing or not vendored,
    and naming the URL when the page would still reach a host.
    """
    _drop_tile_layers(figure)
    _plain_attribution_prefix(figure)
    page = figure.get_root().render()
    _check_names_no_host(page)
    page = _insert_once(page, "<head>", f"<head>\n<title>{html.escape(caption.title)}</title>")
    page = _insert_once(page, "<body>", f"<body>\n{caption_panel(caption)}")
    page = _insert_once(page, "</head>", f"{CAPTION_STYLE}</head>")
    return _inline_assets(page, Path(vendor_dir))


def caption_panel(caption: SnapshotCaption) -> str:
    """Return the caption as an HTML block: banner (when synthetic), title, one <p> per line."""
    lines = caption.lines()
    parts = ['<div id="hito-caption" class="hito-caption">']
    if caption.synthetic and lines:
        banner, *lines = lines
        parts.append(f'<div class="hito-synthetic" role="alert">{html.escape(banner)}</div>')
    parts.append(f"<h1>{html.escape(caption.title)}</h1>")
    parts.extend(f"<p>{html.escape(line)}</p>" for line in lines)
    parts.append("</div>")
    return "\n".join(parts)


# --- the map before rendering ---------------------------------------------------------------


def _drop_tile_layers(figure: folium.Map) -> None:
    """Remove tile layers: each would fetch images from a tile server when picked."""
    children = figure._children
    for name in [name for name, child in children.items() if isinstance(child, folium.TileLayer)]:
        del children[name]


def _plain_attribution_prefix(figure: folium.Map) -> None:
    _PlainAttributionPrefix().add_to(figure)


class _PlainAttributionPrefix(MacroElement):
    """Set Leaflet's attribution prefix to plain text (it is a link to leafletjs.com)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        if ({{ this._parent.get_name() }}.attributionControl) {
            {{ this._parent.get_name() }}.attributionControl.setPrefix({{ this.prefix }});
        }
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "PlainAttributionPrefix"
        self.prefix = json.dumps(ATTRIBUTION_PREFIX)


# --- the rendered page ----------------------------------------------------------------------


def _check_names_no_host(page: str) -> None:
    """Raise ValueError if the page (before the vendored files go in) names any host."""
    found = _ANY_HOST.search(page)
    if found:
        raise ValueError(f"standalone_html: the map still names a host: {found.group()!r}")


def _insert_once(page: str, marker: str, replacement: str) -> str:
    if page.count(marker) != 1:
        raise ValueError(f"standalone_html: expected one {marker} in folium's page")
    return page.replace(marker, replacement, 1)


def _inline_assets(page: str, vendor_dir: Path) -> str:
    """Replace each vendored <script src> and stylesheet <link href> by the file's content."""
    page = _replace_tags(page, _SCRIPT_LINK, vendor_dir, _script_tag)
    return _replace_tags(page, _STYLE_LINK, vendor_dir, _style_tag)


def _replace_tags(
    page: str, tag: re.Pattern[str], vendor_dir: Path, inline: Callable[[Path, Path], str]
) -> str:
    def replace(match: re.Match[str]) -> str:
        path = _vendored_path(match.group("url"), match.group(), vendor_dir)
        return inline(path, vendor_dir)

    return tag.sub(replace, page)


def _vendored_path(url: str, tag: str, vendor_dir: Path) -> Path:
    """Return the vendored file a linked URL stands for (ValueError if none or missing)."""
    relative = next((name for name in VENDORED_FILES if url.endswith("/" + name)), None)
    if relative is None:
        raise ValueError(f"standalone_html: {tag} links {url!r}, which is not a vendored asset")
    path = vendor_dir / relative
    if not path.is_file():
        raise ValueError(f"standalone_html: vendored asset {relative} is missing: {path}")
    return path


def _script_tag(path: Path, _vendor_dir: Path) -> str:
    code = path.read_text(encoding="utf-8").replace("</script", "<\\/script")
    return f"<script>/* {path.parent.name}/{path.name} */\n{code}\n</script>"


def _style_tag(path: Path, vendor_dir: Path) -> str:
    css = path.read_text(encoding="utf-8").replace("</style", "<\\/style")
    css = _CSS_URL.sub(lambda match: _css_url(match, path, vendor_dir), css)
    return f"<style>/* {path.parent.name}/{path.name} */\n{css}\n</style>"


def _css_url(match: re.Match[str], css_path: Path, vendor_dir: Path) -> str:
    """Return url(data:…) for a CSS url naming a vendored file; leave data: and #… as they are."""
    url = match.group("url").strip()
    if url.startswith(_LOCAL_CSS_URL):
        return match.group()
    target = (css_path.parent / url).resolve()
    if "://" in url or url.startswith("//") or not target.is_relative_to(vendor_dir.resolve()):
        raise ValueError(f"standalone_html: {css_path.name} names {url!r}, outside {vendor_dir}")
    if not target.is_file():
        raise ValueError(f"standalone_html: {css_path.name} names {url!r}, missing: {target}")
    mime = mimetypes.guess_type(target.name)[0]
    if mime is None:
        raise ValueError(f"standalone_html: {css_path.name} names {url!r} of unknown type")
    data = base64.b64encode(target.read_bytes()).decode("ascii")
    return f'url("data:{mime};base64,{data}")'
