"""Word the folium map (via geo.i18n), escape text for it, and draw its legend control."""

from __future__ import annotations

import html
import json
import re
from typing import Any, Final

from branca.element import MacroElement
from folium.template import Template

from geo import i18n

# Map words not (yet) in geo.i18n; every other label comes from geo.i18n.text.
EXTRA_TEXT: Final[dict[str, dict[str, str]]] = {
    "legend_layers": {"es": "Capas", "en": "Layers"},
    "unlisted_category": {"es": "Fuera del vocabulario", "en": "Outside the vocabulary"},
}
# Browser code shared by the incident layers' popups: append "label: value" to `box`, both
# as text nodes (never HTML), so a popup shows data exactly and runs none of it.
POPUP_LINE_JS: Final = """
            function line(box, label, value) {
                var row = document.createElement("div");
                var key = document.createElement("b");
                key.textContent = label + ": ";
                row.appendChild(key);
                row.appendChild(document.createTextNode(value));
                box.appendChild(row);
            }
"""
HEX_COLOUR: Final = re.compile(r"#[0-9a-fA-F]{6}")
LEGEND_SHAPES: Final[tuple[str, ...]] = ("dot", "fill", "line", "ring")

# Characters that could end a script, open a tag or start JS interpolation, as JSON escapes.
# folium (branca) compiles every element's rendered script as a Jinja2 template once more
# when the page is rendered, so "{" and "}" are escaped too: user text such as
# "{{ lipsum.__globals__ }}" must never reach Jinja as a template (server-side injection).
_JSON_ESCAPES: Final[dict[str, str]] = {
    "<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "'": "\\u0027", "`": "\\u0060", "$": "\\u0024",
    "{": "\\u007b", "}": "\\u007d",
}  # fmt: skip
_JSON_UNSAFE: Final = re.compile("[<>&'`$]")
_JSON_STRING: Final = re.compile(r'"(?:[^"\\]|\\.)*"')  # one string token of json.dumps output
_BRACE: Final = re.compile("[{}]")


def map_text(key: str, lang: str) -> str:
    """Return the map label `key` in `lang` (geo.i18n's label, or one of EXTRA_TEXT)."""
    i18n.check_lang(lang)
    return EXTRA_TEXT[key][lang] if key in EXTRA_TEXT else i18n.text(key, lang)


def category_label(category: str, lang: str) -> str:
    """Return the display name of `category` in `lang` (the raw value outside the vocabulary)."""
    if category in i18n.CATEGORY_LABELS:
        return i18n.category_label(category, lang)
    i18n.check_lang(lang)
    return category


def safe_json(value: Any) -> str:
    """Return `value` as JSON that is inert anywhere in HTML or JS (script, attribute, template).

    `<`, `>`, `&`, `'`, backtick, `$`, `{` and `}` become \\u escapes, so no `</script>`, tag,
    `${…}`, template-literal break or Jinja `{{…}}` can appear; the browser still reads the
    exact original strings.
    """
    text = json.dumps(value, ensure_ascii=True, allow_nan=False)
    text = _JSON_STRING.sub(lambda token: _BRACE.sub(_escape, token.group()), text)
    return _JSON_UNSAFE.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    return _JSON_ESCAPES[match.group()]


def safe_html_text(text: str) -> str:
    """Escape `text` for HTML that folium puts inside a JS template literal (Tooltip, Popup).

    html.escape handles tags and quotes; backtick, `$` and backslash become character
    references so the literal can neither end early, interpolate `${…}` nor swallow an escape.
    """
    escaped = html.escape(str(text), quote=True)
    escaped = escaped.replace("`", "&#96;").replace("$", "&#36;").replace("\\", "&#92;")
    return escaped.replace("{", "&#123;").replace("}", "&#125;")  # never a Jinja template


class MapLegend(MacroElement):
    """A collapsible Leaflet control listing colours and symbols, built with textContent only.

    `sections` is a list of (title, items) with items (label, hex colour, shape); shape is one
    of LEGEND_SHAPES. The control starts folded on screens narrower than 480 px.
    """

    _template = Template(
        """
        {% macro header(this, kwargs) %}
        <style>
            .leaflet-container { background: #ffffff; }
            .hito-legend { background: rgba(255,255,255,0.92); padding: 4px 8px;
                border-radius: 4px; box-shadow: 0 1px 4px rgba(0,0,0,0.35);
                font: 12px/1.45 sans-serif; max-height: 45vh; overflow-y: auto; }
            .hito-legend summary { cursor: pointer; font-weight: bold; }
            .hito-legend h4 { margin: 4px 0 2px; font-size: 12px; }
            .hito-legend-row { white-space: nowrap; }
            .hito-swatch { display: inline-block; width: 11px; height: 11px;
                margin-right: 5px; vertical-align: -1px; }
            .hito-swatch-dot { border-radius: 50%; border: 1px solid #333; }
            .hito-swatch-ring { border-radius: 50%; border: 2px solid #000;
                background: #fff !important; width: 9px; height: 9px; }
            .hito-swatch-fill { border: 1px solid #555; opacity: 0.8; }
            .hito-swatch-line { height: 3px; vertical-align: 3px; }
            .hito-crossing-label { position: absolute; left: 0; white-space: nowrap;
                font: bold 12px/1.2 sans-serif; color: #000; padding: 1px 4px;
                background: rgba(255,255,255,0.85); border-radius: 3px; }
            .hito-label-above { transform: translate(-50%, calc(-100% - 9px)); }
            .hito-label-below { transform: translate(-50%, 9px); }
        </style>
        {% endmacro %}

        {% macro script(this, kwargs) %}
        (function (map, spec) {
            var legend = L.control({position: "bottomleft"});
            legend.onAdd = function () {
                var box = L.DomUtil.create("details", "hito-legend");
                box.open = map.getSize().x >= 480;
                L.DomUtil.create("summary", "", box).textContent = spec.title;
                spec.sections.forEach(function (section) {
                    L.DomUtil.create("h4", "", box).textContent = section.title;
                    section.items.forEach(function (item) {
                        var row = L.DomUtil.create("div", "hito-legend-row", box);
                        var swatch = L.DomUtil.create(
                            "span", "hito-swatch hito-swatch-" + item.shape, row);
                        swatch.style.background = item.colour;
                        row.appendChild(document.createTextNode(item.label));
                    });
                });
                L.DomEvent.disableClickPropagation(box);
                L.DomEvent.disableScrollPropagation(box);
                return box;
            };
            legend.addTo(map);
        })({{ this._parent.get_name() }}, {{ this.spec_json }});
        {% endmacro %}
        """
    )

    def __init__(
        self, title: str, sections: list[tuple[str, list[tuple[str, str, str]]]]
    ) -> None:
        super().__init__()
        self._name = "MapLegend"
        self.spec_json = safe_json({"title": title, "sections": _sections_spec(sections)})


def _sections_spec(
    sections: list[tuple[str, list[tuple[str, str, str]]]],
) -> list[dict[str, Any]]:
    spec = []
    for title, items in sections:
        for label, colour, shape in items:
            if not HEX_COLOUR.fullmatch(colour):
                raise ValueError(f"legend item {label!r}: colour {colour!r} is not #rrggbb")
            if shape not in LEGEND_SHAPES:
                raise ValueError(f"legend item {label!r}: shape {shape!r} not in {LEGEND_SHAPES}")
        rows = [{"label": text, "colour": colour, "shape": shape} for text, colour, shape in items]
        spec.append({"title": title, "items": rows})
    return spec
