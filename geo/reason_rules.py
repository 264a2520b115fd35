"""The Spanish for every reason, notice and file error geo.ingest writes, as regex rules."""

from __future__ import annotations

from typing import Final

from geo.reason_patterns import BYTE, Rule, each, lookup, quoted_list, rule, sub_rules

# --- sub-tables (parts of a reason) -------------------------------------------------------------

SIDES: Final = {"Chilean side": "lado chileno", "Peruvian side": "lado peruano",
                "local zone": "zona local"}  # fmt: skip
MONTHS: Final = dict(zip(
    ("January", "February", "March", "April", "May", "June", "July", "August", "September",
     "October", "November", "December"),
    ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre",
     "octubre", "noviembre", "diciembre"), strict=True,
))  # fmt: skip
FILE_KINDS: Final = {
    "a PNG image": "una imagen PNG",
    "a JPEG image": "una imagen JPEG",
    "a GIF image": "una imagen GIF",
    "a PDF document": "un documento PDF",
    "a ZIP archive (an Excel .xlsx workbook, a .kmz or a zipped shapefile?)":
        "un archivo ZIP (¿un libro de Excel .xlsx, un .kmz o un shapefile comprimido?)",
    "a gzip-compressed file": "un archivo comprimido con gzip",
    "an SQLite database (a GeoPackage?)": "una base de datos SQLite (¿un GeoPackage?)",
    "an old Excel .xls or other Office document":
        "un archivo antiguo de Excel .xls u otro documento de Office",
    "an ESRI shapefile (.shp)": "un shapefile de ESRI (.shp)",
    "binary data (it contains NUL bytes)": "datos binarios (contiene bytes NUL)",
    "HTML or XML (a KML file or a web page?)": "HTML o XML (¿un archivo KML o una página web?)",
}  # fmt: skip
OS_ERRORS: Final = {"No such file or directory": "no existe el archivo o directorio",
                    "Is a directory": "es un directorio",
                    "Permission denied": "permiso denegado"}  # fmt: skip
REQUIRED_COLUMNS: Final = (
    rule(r"a time column \((?P<names>[^()]*)\)", "una columna de fecha y hora ({names})"),
    rule(r"a location: lat and lon \((?P<lat>[^()]*), (?P<lon>[^()]*)\) or coordinates",
          "una ubicación: lat y lon ({lat}, {lon}) o coordinates"),
    rule(r"a category column \((?P<names>[^()]*)\)", "una columna de categoría ({names})"),
)  # fmt: skip
OR_ALIASES: Final = rule(r"(?P<name>\w+) \(or (?P<aliases>[^()]*)\)", "{name} (o {aliases})")
DATE_DETAILS: Final = (
    rule(r"month (?P<month>\d+)", "mes {month}"),
    rule(r"year (?P<year>-?\d+) \(dates from (?P<first>\d+) to (?P<last>\d+) are accepted\)",
          "año {year} (se aceptan fechas de {first} a {last})"),
    rule(r"day (?P<day>\d+) \((?P<month>) (?P<year>\d+) has (?P<days>\d+) days\)",
          "día {day} ({month} de {year} tiene {days} días)", month=MONTHS),
)  # fmt: skip
READ_AS: Final = {
    "": "",
    " read day-first (dd/mm/yyyy)": " leída con el día primero (dd/mm/yyyy)",
    " read month-first (mm/dd/yyyy, as MMP writes it)":
        " leída con el mes primero (mm/dd/yyyy, como la escribe MMP)",
    " read as yyyy/mm/dd": " leída como yyyy/mm/dd",
}  # fmt: skip
# Texts the ingest writes without any value in them: English -> Spanish.
FIXED: Final[dict[str, str]] = {
    "file is UTF-16 text (it has a UTF-16 byte-order mark)":
        "el archivo es texto UTF-16 (tiene una marca de orden de bytes UTF-16)",
    "no event_id_cnty or iso3 column: ids are event_id_no_cnty without a country prefix":
        "no hay columna event_id_cnty ni iso3: los ids son event_id_no_cnty sin prefijo de país",
    "negative: a count of people must be 0 or more":
        "negativo: la cantidad de personas debe ser 0 o más",
    "not a whole number of people": "no es un número entero de personas",
    "not a number: write the count of people in digits (e.g. 12)":
        "no es un número: escriba la cantidad de personas en cifras (p. ej., 12)",
    "not a yes/no value (use true/false, yes/no, sí/no or 1/0)":
        "no es un valor sí/no (use true/false, yes/no, sí/no o 1/0)",
    "not 'lat, lon', WKT 'POINT (lon lat)' or a degrees-minutes-seconds pair":
        "no es 'lat, lon', WKT 'POINT (lon lat)' ni un par en grados-minutos-segundos",
    "not a finite number": "no es un número finito",
    "probable swap of latitude and longitude: swapped, the point would be inside the area; fix "
    "the file (values are never swapped automatically)":
        "probable inversión de latitud y longitud: intercambiadas, el punto quedaría dentro del "
        "área; corrija el archivo (los valores nunca se intercambian automáticamente)",
    "latitude out of range (must be between -90 and 90)":
        "latitud fuera de rango (debe estar entre -90 y 90)",
    "longitude out of range (must be between -180 and 180)":
        "longitud fuera de rango (debe estar entre -180 y 180)",
    "not a number or degrees-minutes-seconds": "no es un número ni grados-minutos-segundos",
    "only the last of degrees, minutes, seconds may have decimals":
        "solo el último de grados, minutos y segundos puede tener decimales",
    "minutes and seconds must be below 60": "los minutos y los segundos deben ser menores que 60",
    "two hemisphere letters for one value": "dos letras de hemisferio para un solo valor",
    "both a sign and a hemisphere letter": "tiene a la vez signo y letra de hemisferio",
    "not a valid date and time": "no es una fecha y hora válida",
    "not a valid time of day": "no es una hora del día válida",
    "not a GeoJSON Feature": "no es una Feature de GeoJSON",
    "geometry is null: a Point is required": "la geometría es nula: se requiere un Point",
    "geometry must be a GeoJSON object": "la geometría debe ser un objeto GeoJSON",
    "Point coordinates must be [longitude, latitude]":
        "las coordenadas del Point deben ser [longitud, latitud]",
    "Point coordinates must be numbers": "las coordenadas del Point deben ser números",
    "properties must be a JSON object": "properties debe ser un objeto JSON",
}  # fmt: skip
# json's own messages (JSONDecodeError.msg) and the GeoJSON scanner's, after "not valid JSON".
JSON_MESSAGES: Final = {
    "Expecting value": "se esperaba un valor",
    "Expecting property name enclosed in double quotes":
        "se esperaba un nombre de propiedad entre comillas dobles",
    "expected a property name in double quotes":
        "se esperaba un nombre de propiedad entre comillas dobles",
    "Unterminated string starting at": "texto entre comillas sin cerrar",
    "Invalid control character at": "carácter de control no válido",
    "Invalid \\escape": "secuencia de escape \\ no válida",
    "Invalid \\uXXXX escape": "secuencia de escape \\uXXXX no válida",
    "Extra data": "hay datos de más después del valor",
    "extra data after the top-level object": "hay datos de más después del objeto principal",
}  # fmt: skip
JSON_ERRORS: Final = (
    rule(r"(?P<message>)", "{message}", message=JSON_MESSAGES),
    rule(r"Expecting (?P<mark>'.') delimiter", "se esperaba el delimitador {mark}"),
    rule(r"expected (?P<marks>.+)", "se esperaba {marks}", marks=quoted_list(" or ", " o ")),
)  # fmt: skip
WHAT: Final = {"columns": "las columnas", "properties": "las propiedades"}
MORE: Final = sub_rules(rule(r" and (?P<n>\d+) more", " y {n} más"))
LINES: Final = {"line": "la línea", "lines": "las líneas"}

# --- every reason, notice and file error of geo.ingest --------------------------------------------

DECODING: Final = (
    rule(rf"not valid UTF-8 \(byte (?P<byte>{BYTE})\); the rest of the file is UTF-8"
          r"(?P<where>(?: \(on line \d+ of this record\))?)",
          "no es UTF-8 válido (byte {byte}); el resto del archivo es UTF-8{where}",
          where=sub_rules(rule(r" \(on line (?P<line>\d+) of this record\)",
                                 " (en la línea {line} de este registro)"))),
    rule(rf"not valid UTF-8 \(byte (?P<byte>{BYTE})\) outside any feature: read as U\+FFFD",
          "no es UTF-8 válido (byte {byte}), fuera de toda entidad: se leyó como U+FFFD"),
    rule(rf"the header is not valid UTF-8 \(byte (?P<byte>{BYTE})\): read with U\+FFFD",
          "el encabezado no es UTF-8 válido (byte {byte}): se leyó con U+FFFD"),
    rule(rf"file is not valid UTF-8 \(first bad byte (?P<byte>{BYTE}) on line (?P<line>\d+)\) "
          r"and holds no multi-byte UTF-8: read as (?P<encoding>.+)",
          "el archivo no es UTF-8 válido (primer byte inválido {byte} en la línea {line}) y no "
          "contiene UTF-8 multibyte: se leyó como {encoding}"),
    rule(r"file is UTF-8 but (?P<n>\d+) line\(s\) hold bytes that are not \(first: line "
          rf"(?P<line>\d+), byte (?P<byte>{BYTE})\): their rows are rejected; save the file as "
          "UTF-8",
          "el archivo es UTF-8, pero {n} {n|línea contiene|líneas contienen} bytes que no lo son "
          "(la primera: línea {line}, byte {byte}): {n|su fila se rechaza|sus filas se rechazan}; "
          "guarde el archivo como UTF-8"),
    rule(r"the name ends in (?P<suffix>.*) but the content is (?P<kind>CSV|GeoJSON): read as "
          r"(?P<read>CSV|GeoJSON)",
          "el nombre termina en {suffix}, pero el contenido es {kind}: se leyó como {read}"),
    rule(r"read the Excel 'sep=(?P<sep>.)' line", "se leyó la línea de Excel 'sep={sep}'"),
)  # fmt: skip
ROWS_AND_COLUMNS: Final = (
    rule(r"expected (?P<want>\d+) fields, found (?P<found>\d+)",
          "se {want|esperaba|esperaban} {want} {want|campo|campos} y hay {found}"),
    rule(r"(?P<what>) not used: (?P<names>.*)", "{what} no usadas: {names}",
          what={"columns": "columnas", "properties": "propiedades"}),
    rule(r"(?P<file>.*): (?P<what>) (?P<names>.+) both give (?P<field>.+); keep one",
          "{file}: {what} {names} dan el mismo campo {field}; conserve solo una",
          what=WHAT, names=quoted_list(" and ", " y ")),
    rule(r"(?P<what>) (?P<names>.+) both give (?P<field>.+); keep one",
          "{what} {names} dan el mismo campo {field}; conserve solo una",
          what=WHAT, names=quoted_list(" and ", " y ")),
    rule(r"(?P<file>.*): both lat/lon and (?P<name>.+) give the location; keep one",
          "{file}: lat/lon y {name} dan la ubicación a la vez; conserve solo una"),
    rule(r"(?P<file>.*): missing required (?P<what>): (?P<missing>.+?) \(found: (?P<found>.*)\)",
          "{file}: faltan {what} obligatorias: {missing} (encontradas: {found})",
          what={"columns": "columnas", "properties": "propiedades"},
          missing=each("; ", *REQUIRED_COLUMNS), found={"none": "ninguna"}),
    rule(r"(?P<file>.*): ACLED export without required columns: (?P<names>.+)",
          "{file}: exportación de ACLED sin las columnas obligatorias: {names}",
          names=each(", ", OR_ALIASES)),
    rule(r"(?P<file>.*): IOM MMP export without required columns: (?P<names>.+)",
          "{file}: exportación de IOM MMP sin las columnas obligatorias: {names}"),
)  # fmt: skip
SOURCES: Final = (
    rule(r"not an ACLED event type this reader maps \(see (?P<table>[\w.]+)\)",
          "no es un tipo de evento de ACLED que este lector sepa asignar (ver {table})"),
    rule(r"categories mapped from (?P<column>\w+) by the declared table: (?P<pairs>.+)",
          "categorías asignadas desde {column} según la tabla declarada: {pairs}"),
    rule(r"(?P<n>\d+) violent events \(e\.g\. (?P<example>.+)\) with fatalities above 0: "
          "death_or_injury",
          "{n} {n|evento violento|eventos violentos} (p. ej., {example}) con víctimas mortales "
          "(fatalities mayor que 0): death_or_injury"),
    rule(r"(?P<n>\d+) violent events \(e\.g\. (?P<example>.+)\) without fatalities: other",
          "{n} {n|evento violento|eventos violentos} (p. ej., {example}) sin víctimas mortales: "
          "other"),
    rule(r"(?P<n>\d+) rows have time_precision 2 \(week only\): their date is ACLED's estimate "
          "within that week",
          "{n} {n|fila tiene|filas tienen} time_precision 2 (solo la semana): su fecha es una "
          "estimación de ACLED dentro de esa semana"),
    rule(r"(?P<n>\d+) rows have time_precision 3 \(month only\): their date is ACLED's estimate",
          "{n} {n|fila tiene|filas tienen} time_precision 3 (solo el mes): su fecha es una "
          "estimación de ACLED"),
    rule(r"(?P<n>\d+) rows have geo_precision 2 \(near a town\): their point is that town, not "
          "the exact place",
          "{n} {n|fila tiene|filas tienen} geo_precision 2 (cerca de una localidad): su punto es "
          "esa localidad, no el lugar exacto"),
    rule(r"(?P<n>\d+) rows have geo_precision 3 \(region only\): their point is a regional "
          "centroid, not the place",
          "{n} {n|fila tiene|filas tienen} geo_precision 3 (solo la región): su punto es un "
          "centroide regional, no el lugar"),
    rule(r"(?P<n>\d+) rows with 0 fatalities: people_count left empty \(unknown\), as ACLED "
          "counts deaths, not the people involved",
          "{n} {n|fila|filas} con 0 fatalities: people_count queda vacío (desconocido), porque "
          "ACLED cuenta muertes, no las personas involucradas"),
    rule(r"(?P<n>\d+) rows: category death_or_injury \(every MMP record is a death or a "
          r"disappearance\)",
          "{n} {n|fila|filas}: categoría death_or_injury (cada registro de MMP es una muerte o "
          "una desaparición)"),
    rule(r"(?P<n>\d+) rows: people_count is (?P<column>.+) \(the dead and missing; survivors "
          r"are not counted\)",
          "{n} {n|fila|filas}: people_count es {column} (muertos y desaparecidos; no se cuentan "
          "los sobrevivientes)"),
)  # fmt: skip
IDS_AND_FIELDS: Final = (
    rule(r"(?P<n>\d+) rows had no incident id: each got a stable hash of its fields \(sha1, 16 "
          r"hex characters\)",
          "{n} {n|fila no tenía|filas no tenían} id de incidente: {n|recibió|cada una recibió} "
          "un hash estable de sus campos (sha1, 16 caracteres hexadecimales)"),
    rule(r"duplicate incident_id: also on (?P<where>) (?P<lines>\d+(?:, \d+)*)"
          r"(?P<more>(?: and \d+ more)?)",
          "incident_id duplicado: también en {where} {lines}{more}", where=LINES, more=MORE),
    rule(r"duplicate row: the same fields \(same generated id\) also on (?P<where>) "
          r"(?P<lines>\d+(?:, \d+)*)(?P<more>(?: and \d+ more)?)",
          "fila duplicada: los mismos campos (mismo id generado) también en {where} "
          "{lines}{more}", where=LINES, more=MORE),
    rule(r"unknown category \(expected one of (?P<known>.+) or an alias\)",
          "categoría desconocida (se espera una de {known} o un alias)"),
    rule(r"empty: (?P<what>) is required", "vacío: {what} es obligatoria",
          what={"a category": "la categoría", "a latitude": "la latitud",
                "a longitude": "la longitud", "a location": "la ubicación",
                "a date (and time)": "la fecha (y hora)"}),
    rule(r"unknown crossing \(known: (?P<known>.*)\)",
          "paso fronterizo desconocido (conocidos: {known})"),
    rule(r"looks like a thousands separator: write (?P<number>\d+)",
          "parece un separador de miles: escriba {number}"),
    rule(r"unknown nationality (?P<token>.+) \(use ISO 3166-1 alpha-3 codes like VEN\)",
          "nacionalidad desconocida {token} (use códigos ISO 3166-1 alfa-3, como VEN)"),
    rule(r"(?P<n>\d+) rows say the nationalities are mixed \(e\.g\. (?P<example>.+)\) without "
          "naming them: read as no nationalities",
          "{n} {n|fila dice|filas dicen} que las nacionalidades son mixtas (p. ej., {example}) "
          "sin nombrarlas: {n|quedó|quedaron} sin nacionalidades"),
    rule(r"(?P<n>\d+) rows give the nationality as unknown \(e\.g\. (?P<example>.+)\): read as "
          "UNK",
          "{n} {n|fila da|filas dan} la nacionalidad como desconocida (p. ej., {example}): se "
          "{n|leyó|leyeron} como UNK"),
    rule(r"(?P<n>\d+) rows name a nationality more than once \(e\.g\. (?P<example>.+)\): kept "
          "once",
          "{n} {n|fila nombra|filas nombran} una nacionalidad más de una vez (p. ej., {example}): "
          "se conservó una sola vez"),
)  # fmt: skip
COORDINATES: Final = (
    rule(r"outside the (?P<area>.+) area \(bbox (?P<box>.+) as lon/lat\)",
          "fuera del área {area} (bbox {box} como lon/lat)"),
    rule(r"(?P<n>\d+) values with a decimal comma read with a decimal point",
          "{n} {n|valor con coma decimal se leyó|valores con coma decimal se leyeron} con punto "
          "decimal"),
    rule(r"(?P<n>\d+) values in degrees-minutes-seconds converted to decimal degrees",
          "{n} {n|valor|valores} en grados-minutos-segundos {n|convertido|convertidos} a grados "
          "decimales"),
    rule(r"(?P<n>\d+) values read as 'latitude, longitude' \(in that order\)",
          "{n} {n|valor leído|valores leídos} como 'latitude, longitude' (latitud, longitud, en "
          "ese orden)"),
    rule(r"(?P<n>\d+) values read as WKT 'POINT \(longitude latitude\)'",
          "{n} {n|valor leído|valores leídos} como WKT 'POINT (longitude latitude)' (longitud "
          "latitud)"),
    rule(r"hemisphere letter belongs to a (?P<found>), not a (?P<axis>)",
          "la letra de hemisferio corresponde a una {found}, no a una {axis}",
          found={"latitude": "latitud", "longitude": "longitud"},
          axis={"latitude": "latitud", "longitude": "longitud"}),
)  # fmt: skip
TIMES: Final = (
    rule(r"not a date this reader knows: use ISO 8601 \(2026-03-05T14:00:00-03:00\), "
          r"(?P<slash>), or a month name \(5 de marzo de 2026, 16 May 2025\)",
          "no es una fecha que este lector reconozca: use ISO 8601 (2026-03-05T14:00:00-03:00), "
          "{slash} o un nombre de mes (5 de marzo de 2026, 16 May 2025)",
          slash={text: text for text in ("dd/mm/yyyy [hh:mm]", "mm/dd/yyyy (MMP)")}),
    rule(r"(?P<n>\d+) dates read day-first \(dd/mm/yyyy: 05/03/2026 is 5 March\)",
          "{n} {n|fecha leída|fechas leídas} con el día primero (dd/mm/yyyy: 05/03/2026 es el 5 "
          "de marzo)"),
    rule(r"(?P<n>\d+) dates read month-first \(mm/dd/yyyy\), as IOM Missing Migrants exports "
          "write them",
          "{n} {n|fecha leída|fechas leídas} con el mes primero (mm/dd/yyyy), como las escriben "
          "las exportaciones de IOM Missing Migrants"),
    rule(r"local time (?P<when>[\d-]+ [\d:]+) does not exist in (?P<zone>\S+) \(clocks jump "
          r"forward that night\): add a UTC offset",
          "la hora local {when} no existe en {zone} (esa noche se adelantan los relojes): agregue "
          "la diferencia con UTC"),
    rule(r"local time (?P<when>[\d-]+ [\d:]+) happens twice in (?P<zone>\S+) \(clocks go back "
          r"that night\): add a UTC offset to say which",
          "la hora local {when} ocurre dos veces en {zone} (esa noche se atrasan los relojes): "
          "agregue la diferencia con UTC para indicar cuál"),
    rule(r"(?P<n>\d+) times had no UTC offset and were read as local time of their place: "
          r"(?P<zones>.+)",
          "{n} {n|hora no tenía|horas no tenían} diferencia con UTC y se {n|leyó|leyeron} como "
          "hora local de su lugar: {zones}",
          zones=each(", ", rule(r"(?P<n>\d+) in (?P<zone>\S+) \((?P<side>)\)",
                                  "{n} en {zone} ({side})", side=SIDES))),
    rule(r"(?P<n>\d+) values are dates without a time of day: placed at 12:00 local time so "
          "the day reads the same in every display zone",
          "{n} {n|valor es una fecha|valores son fechas} sin hora del día: se {n|ubicó|ubicaron} "
          "a las 12:00 hora local para que el día se lea igual en toda zona horaria de "
          "visualización"),
    rule(r"unknown month name (?P<name>.+)", "nombre de mes desconocido {name}"),
    rule(r"not a valid calendar date(?P<how>): (?P<detail>.+)",
          "no es una fecha de calendario válida{how}: {detail}",
          how=READ_AS, detail=sub_rules(*DATE_DETAILS)),
    rule(r"weekday (?P<weekday>.+) does not match the date \(read month-first, as MMP writes "
          r"it\)",
          "el día de la semana {weekday} no coincide con la fecha (leída con el mes primero, "
          "como la escribe MMP)"),
)  # fmt: skip
GEOJSON: Final = (
    rule(r"coordinates are in (?P<crs>.+) \(the file's crs member\), not WGS 84 "
          r"longitude/latitude \(EPSG:4326\): reproject the file; it is not reprojected on import",
          "las coordenadas están en {crs} (según el miembro crs del archivo), no en "
          "longitud/latitud WGS 84 (EPSG:4326): reproyecte el archivo; no se reproyecta al "
          "importarlo"),
    rule(r"geometry type (?P<kind>.+): only Point is accepted",
          "tipo de geometría {kind}: solo se acepta Point"),
    rule(r"(?P<n>\d+) points had a third \(elevation\) coordinate: ignored",
          "{n} {n|punto tenía|puntos tenían} una tercera coordenada (elevación): se "
          "{n|ignoró|ignoraron}"),
)  # fmt: skip
FILE_ERRORS: Final = (
    # geo.ingest.limits: refusals before or while parsing
    rule(r"(?P<file>.+): reading took longer than (?P<limit>[\d.]+) s, the limit per file "
         r"\((?P<elapsed>[\d.]+) s when (?P<stage>\w+) ended\): split the file into smaller ones",
         "{file}: la lectura tardó más de {limit} s, el límite por archivo ({elapsed} s al "
         "terminar la etapa {stage}): divida el archivo en otros más pequeños"),
    rule(r"(?P<file>.+) holds (?P<rows>[\d,]+) rows, over the limit of (?P<limit>[\d,]+) rows "
         r"per file: split it into smaller files",
         "{file} tiene {rows} filas, más que el límite de {limit} filas por archivo: divídalo "
         "en archivos más pequeños"),
    rule(r"(?P<file>.+): line (?P<line>\d+): holds a NUL byte \(U\+0000\): a text file holds "
         r"none; is it binary data or UTF-16 text without a byte-order mark\?",
         "{file}: línea {line}: contiene un byte NUL (U+0000), que un archivo de texto no "
         "tiene: ¿son datos binarios o texto UTF-16 sin marca de orden de bytes?"),
    rule(r"(?P<file>.+): line (?P<line>\d+): the header has (?P<columns>[\d,]+) columns, over "
         r"the limit of (?P<limit>[\d,]+) columns: not a table of incident reports",
         "{file}: línea {line}: el encabezado tiene {columns} columnas, más que el límite de "
         "{limit}: no es una tabla de reportes de incidentes"),
    rule(r"(?P<file>.+): line (?P<line>\d+): (?P<length>[\d,]+) bytes long, over the limit of "
         r"(?P<limit>[\d,]+) bytes per line: not a row of a table of incident reports",
         "{file}: línea {line}: {length} bytes, más que el límite de {limit} bytes por línea: "
         "no es una fila de una tabla de reportes de incidentes"),
    rule(r"(?P<file>.+): line (?P<line>\d+): arrays and objects nested (?P<depth>[\d,]+) deep, "
         r"over the limit of (?P<limit>\d+) levels: not GeoJSON incident reports",
         "{file}: línea {line}: listas y objetos anidados {depth} niveles, más que el límite de "
         "{limit}: no son reportes de incidentes en GeoJSON"),
    rule(r"(?P<file>.+): line (?P<line>\d+): a text holds the NUL character \(\\u0000\): "
         r"databases cut or refuse text at it",
         "{file}: línea {line}: un texto contiene el carácter NUL (\\u0000): las bases de "
         "datos cortan o rechazan el texto en él"),
    rule(r"(?P<file>.+): line (?P<line>\d+): a number with more than (?P<limit>[\d,]+) digits, "
         r"over the limit for one number",
         "{file}: línea {line}: un número con más de {limit} dígitos, más que el límite para "
         "un número"),
    rule(r"(?P<file>.+): cannot open: (?P<why>.*)", "{file}: no se puede abrir: {why}",
          why=lookup(OS_ERRORS)),
    rule(r"(?P<file>.+) holds only an Excel 'sep=(?P<sep>.)' line",
          "{file} solo contiene una línea de Excel 'sep={sep}'"),
    rule(r"cannot load the reference layers: (?P<error>.*)",
          "no se pueden cargar las capas de referencia: {error}"),
    rule(r"(?P<file>.+) is empty", "{file} está vacío"),
    rule(r"(?P<file>.+) looks like (?P<kind>), not CSV or GeoJSON",
          "{file} parece {kind}, no CSV ni GeoJSON", kind=FILE_KINDS),
    rule(r"(?P<file>.+) has a header but no rows", "{file} tiene encabezado pero ninguna fila"),
    rule(r"(?P<file>.+): line (?P<line>\d+): cannot split the CSV: (?P<error>.*)",
          "{file}: línea {line}: no se puede dividir el CSV: {error}",
          error=sub_rules(rule(r"field larger than field limit \((?P<limit>\d+)\)",
                                 "un campo supera el límite de {limit} caracteres"))),
    rule(r"(?P<file>.+) has no features", "{file} no tiene entidades (features)"),
    rule(r"(?P<file>.+): not valid JSON at line (?P<line>\d+), column (?P<column>\d+): "
          r"(?P<error>.*)",
          "{file}: JSON no válido en la línea {line}, columna {column}: {error}",
          error=sub_rules(*JSON_ERRORS)),
    rule(r"(?P<file>.+) is JSON \((?P<kind>\w+)\) but not a GeoJSON FeatureCollection object",
          "{file} es JSON ({kind}), pero no un objeto FeatureCollection de GeoJSON"),
    rule(r"(?P<file>.+) is JSON of type (?P<kind>.+), not a GeoJSON FeatureCollection \(wrap "
          r"single features in a FeatureCollection\)",
          "{file} es JSON de tipo {kind}, no una FeatureCollection de GeoJSON (ponga las Features "
          "sueltas dentro de una FeatureCollection)"),
    rule(r"(?P<file>.+) is a FeatureCollection without a features array",
          "{file} es una FeatureCollection sin el arreglo features"),
    rule(r"(?P<file>.+): no feature has the required properties: (?P<wanted>.+)",
          "{file}: ninguna entidad tiene las propiedades obligatorias: {wanted}",
          wanted=each("; ", OR_ALIASES)),
)  # fmt: skip
RULES: Final[tuple[Rule, ...]] = (
    *DECODING, *ROWS_AND_COLUMNS, *SOURCES, *IDS_AND_FIELDS, *COORDINATES, *TIMES, *GEOJSON,
    *FILE_ERRORS,
)  # fmt: skip
