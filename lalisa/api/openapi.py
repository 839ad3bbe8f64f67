"""The API described as OpenAPI 3.1, by hand: small enough to keep beside the views.

Made per request: the codes and ids the API takes (categories, kecamatan, desa, teams,
outcomes) are listed as they are in the database now, so that what the document allows is
what the API accepts, and the other way round (`make test` checks both with schemathesis).
"""

from lalisa.api import limits
from lalisa.complaints.models import Category, Outcome, Priority, Status
from lalisa.monthly.period import FIRST_YEAR, this_month
from lalisa.regions.models import Desa, Kecamatan
from lalisa.teams.models import TrcTeam


def _error(description: str) -> dict:
    return {"description": description, "content": _json({"$ref": "#/components/schemas/Error"})}


def _json(schema: dict) -> dict:
    return {"application/json": {"schema": schema}}


def _query(name: str, description: str, schema: dict | None = None) -> dict:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema or {"type": "string"},
    }


def _optional(name: str, description: str, schema: dict) -> dict:
    """A list parameter that may also be given empty (`?status=`), as forms send it: the
    same as not given."""
    return _query(name, description, {"anyOf": [schema, {"const": ""}]})


TEXT = {"type": "string"}
# Text the API takes: anything but NUL, which is refused (lalisa.web.nul, the JSON parser).
NO_NUL = r"^[^\x00]*$"
INPUT = {"type": "string", "pattern": NO_NUL}
CODE = {
    "name": "code",
    "in": "path",
    "required": True,
    "description": "Kode tiket, mis. LL-2611-0042",
    "schema": INPUT,
}
DETAIL = {"description": "Aduan", "content": _json({"$ref": "#/components/schemas/Complaint"})}
REFUSALS = {
    "401": _error("Token tidak ada atau tidak berlaku"),
    "404": _error("Aduan tidak ada atau tidak boleh dilihat"),
    "403": _error("Peran tidak boleh mengambil langkah ini"),
    "409": _error("Langkah tidak boleh pada status aduan sekarang"),
    "400": _error("Masukan tidak sah"),
}
# gunicorn reads request lines up to 4094 bytes; a longer one it refuses itself, as text.
TOO_LONG = {"description": "Alamat terlalu panjang (dijawab server web sebelum API)"}
TS = {"type": ["string", "null"], "format": "date-time"}
# What a step cannot do without: some text besides spaces.
FILLED = {**INPUT, "allOf": [{"pattern": r"\S"}]}
ID = {"type": "integer", "minimum": 1, "maximum": limits.MAX_ID}


def _one_of(values: list) -> dict:
    """The values there are now (none: nothing is valid)."""
    return {"enum": values} if values else {"not": {}}


def _action(name: str, required: list[str], **fields) -> dict:
    return {
        "type": "object",
        "required": ["action", *required],
        "properties": {"action": {"const": name}, **fields},
    }


def _action_schemas(teams: list[int], outcomes: list[str]) -> list[dict]:
    return [
        _action("verify", [], reason=INPUT),
        _action("request_info", ["question"], question=FILLED),
        _action("reject", ["reason"], reason=FILLED, reason_code=INPUT),
        _action(
            "refer",
            ["agency"],
            agency={**FILLED, "maxLength": limits.AGENCY_MAX_CHARS},
            reason=INPUT,
        ),
        _action(
            "mark_duplicate",
            ["of"],
            of={**FILLED, "description": "kode tiket asal"},
            reason=INPUT,
        ),
        _action(
            "dispatch",
            ["team"],
            team={**_one_of(teams), "description": "id tim aktif dari /teams"},
            reason=INPUT,
        ),
        _action("decline", ["reason"], reason=FILLED),
        _action("accept", [], reason=INPUT),
        _action("arrive", [], reason=INPUT),
        _action(
            "complete",
            ["note", "outcome"],
            note=FILLED,
            outcome={**_one_of(outcomes), "description": "kode hasil, mis. teguran_lisan"},
            photos={"type": "array", "items": ID, "description": "id media"},
            citizen_photo={
                **ID,
                "description": "id salah satu foto laporan yang dikirim kepada pelapor",
            },
        ),
        _action("close", [], reason=INPUT),
        _action("reply", ["text"], text=FILLED),
    ]


def document() -> dict:
    categories = list(Category.objects.order_by("code").values_list("code", flat=True))
    active = list(
        Category.objects.filter(active=True).order_by("code").values_list("code", flat=True)
    )
    places = list(Kecamatan.objects.order_by("pk").values_list("pk", "name"))
    desa = list(Desa.objects.order_by("pk").values_list("pk", flat=True))
    teams = list(TrcTeam.objects.order_by("pk").values_list("pk", flat=True))
    active_teams = list(
        TrcTeam.objects.filter(active=True).order_by("pk").values_list("pk", flat=True)
    )
    outcomes = list(
        Outcome.objects.filter(active=True).order_by("code").values_list("code", flat=True)
    )
    kecamatan_ids = [pk for pk, _ in places]
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "LA-LISA API",
            "version": "1",
            "description": "Layanan Aduan onLine whatSApp, Satpol PP. Waktu dalam UTC.",
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}],
        "paths": {
            "/complaints": {
                "get": {
                    "summary": "Aduan yang boleh dilihat, terbaru dahulu, 50 per halaman",
                    "parameters": [
                        _optional("status", "Kode status", {"enum": Status.values}),
                        _optional("category", "Kode kategori", _one_of(categories)),
                        _optional(
                            "kecamatan",
                            "Id atau nama kecamatan",
                            {
                                "anyOf": [
                                    {"type": "integer", **_one_of(kecamatan_ids)},
                                    {"type": "string", **_one_of([n for _, n in places])},
                                ]
                            },
                        ),
                        _optional("team", "Id tim yang sedang ditugaskan", _one_of(teams)),
                        _optional(
                            "overdue",
                            "1 = lewat batas waktu, 0 = belum",
                            {"enum": [*limits.TRUE_WORDS, *limits.FALSE_WORDS]},
                        ),
                        _query(
                            "q",
                            "Cari pada kode, uraian, atau nomor pelapor",
                            {**INPUT, "maxLength": limits.SEARCH_MAX_CHARS},
                        ),
                        _optional(
                            "page",
                            "Nomor halaman (kosong: 1; di luar yang ada: 404)",
                            {"type": "integer", "minimum": 1, "maximum": limits.MAX_ID},
                        ),
                    ],
                    "responses": {
                        "200": {
                            "description": "Satu halaman",
                            "content": _json({"$ref": "#/components/schemas/Page"}),
                        },
                        "400": REFUSALS["400"],
                        "401": REFUSALS["401"],
                        "403": _error("Peran tidak melihat aduan"),
                        "404": _error("Halaman tidak ada"),
                        "414": TOO_LONG,
                    },
                }
            },
            "/complaints/{code}": {
                "parameters": [CODE],
                "get": {
                    "summary": "Satu aduan dengan riwayat, pesan, media dan langkah yang boleh",
                    "responses": {
                        "200": DETAIL,
                        "401": REFUSALS["401"],
                        "404": REFUSALS["404"],
                    },
                },
                "patch": {
                    "summary": "Koreksi kategori, prioritas atau lokasi (admin)",
                    "requestBody": {
                        "required": True,
                        "content": _json(_correction(active, kecamatan_ids, desa)),
                    },
                    "responses": {"200": DETAIL, **REFUSALS},
                },
            },
            "/complaints/{code}/actions": {
                "parameters": [CODE],
                "post": {
                    "summary": "Satu langkah alur (lihat available_steps) atau balasan ke pelapor",
                    "requestBody": {
                        "required": True,
                        "content": _json({"oneOf": _action_schemas(active_teams, outcomes)}),
                    },
                    "responses": {"200": DETAIL, **REFUSALS},
                },
            },
            "/media/{id}": {
                "parameters": [
                    {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}
                ],
                "get": {
                    "summary": "Berkas media aduan",
                    "responses": {
                        "200": {
                            "description": "Berkasnya: foto, suara dan video yang terverifikasi "
                            "dari isinya tampil langsung; berkas lain diunduh sebagai "
                            "application/octet-stream",
                            "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
                        },
                        "401": REFUSALS["401"],
                        "404": _error("Media tidak ada atau tidak boleh dilihat"),
                    },
                },
            },
            "/teams": {
                "get": {
                    "summary": "Tim TRC, posnya, kecamatan yang dicakup dan anggotanya",
                    "responses": {
                        "200": {
                            "description": "Daftar tim",
                            "content": _json(
                                {
                                    "type": "object",
                                    "properties": {
                                        "results": {
                                            "type": "array",
                                            "items": {"$ref": "#/components/schemas/Team"},
                                        }
                                    },
                                }
                            ),
                        },
                        "401": REFUSALS["401"],
                        "403": _error("Peran tidak melihat tim"),
                    },
                }
            },
            "/reports/monthly": {
                "get": {
                    "summary": "Laporan bulanan (admin, Kabid, pimpinan): PDF, Excel atau CSV",
                    "description": "Bulan menurut WITA. Identitas pelapor hanya untuk aduan "
                    "biasa; anonim ditulis «Anonim», rahasia «Rahasia» tanpa alamat. CSV: UTF-8 "
                    "dengan BOM, pemisah titik koma, desimal koma.",
                    "parameters": [
                        {
                            **_query(
                                "year",
                                "Tahun, mis. 2026",
                                {
                                    "type": "integer",
                                    "minimum": FIRST_YEAR,
                                    "maximum": this_month()[0],
                                },
                            ),
                            "required": True,
                        },
                        {
                            **_query(
                                "month",
                                "Bulan 1-12",
                                {"type": "integer", "minimum": 1, "maximum": 12},
                            ),
                            "required": True,
                        },
                        _query(
                            "format",
                            "Format berkas (bawaan pdf)",
                            {"enum": ["pdf", "xlsx", "csv"]},
                        ),
                    ],
                    "responses": {
                        "200": {
                            "description": "Berkasnya, dengan Content-Disposition "
                            "laporan-bulanan-TTTT-BB.<format>",
                            "content": {
                                mime: {"schema": {"type": "string", "format": "binary"}}
                                for mime in (
                                    "application/pdf",
                                    "application/vnd.openxmlformats-officedocument."
                                    "spreadsheetml.sheet",
                                    "text/csv",
                                )
                            },
                        },
                        "400": _error("Tahun, bulan atau format tidak sah"),
                        "401": REFUSALS["401"],
                        "403": _error("Peran tidak melihat laporan"),
                        "404": _error("Bulan itu belum dimulai"),
                        "414": TOO_LONG,
                    },
                }
            },
            "/openapi.json": {
                "get": {
                    "summary": "Dokumen ini",
                    "security": [],
                    "responses": {"200": {"description": "OpenAPI 3.1"}},
                }
            },
        },
        "components": {
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": (
                        "Token dari `lalisa apitoken`. Berakhir bila dicabut, bila masa "
                        "berlakunya habis, atau bila sandi pemiliknya diubah. Token "
                        "`--scope read` hanya membaca: POST dan PATCH dijawab 403."
                    ),
                }
            },
            "schemas": _schemas(),
        },
    }


def _correction(categories: list[str], kecamatan: list[int], desa: list[int]) -> dict:
    """PATCH's body: at least one of category, priority, location; lat and lng together."""
    return {
        "type": "object",
        "additionalProperties": False,
        "anyOf": [{"required": [name]} for name in ("category", "priority", "location")],
        "properties": {
            "category": {**_one_of(categories), "description": "kode kategori aktif"},
            "priority": {"enum": Priority.values},
            "reason": INPUT,
            "location": {
                "type": "object",
                "additionalProperties": False,
                "minProperties": 1,
                "dependentRequired": {"lat": ["lng"], "lng": ["lat"]},
                "properties": {
                    "lat": {"type": ["number", "null"], "minimum": -90, "maximum": 90},
                    "lng": {"type": ["number", "null"], "minimum": -180, "maximum": 180},
                    "address": {**INPUT, "maxLength": limits.ADDRESS_MAX_CHARS},
                    "kecamatan": {"type": "integer", **_one_of(kecamatan)},
                    "desa": {"anyOf": [{"type": "integer", **_one_of(desa)}, {"type": "null"}]},
                },
            },
        },
    }


def _schemas() -> dict:
    place = {
        "type": ["object", "null"],
        "properties": {"id": {"type": "integer"}, "name": TEXT},
    }
    summary = {
        "code": TEXT,
        "status": {"enum": Status.values},
        "status_label": TEXT,
        "category": {"type": "object", "properties": {"code": TEXT, "name": TEXT}},
        "priority": {"enum": Priority.values},
        "confidentiality": {"enum": ["biasa", "anonim", "rahasia"]},
        "description": TEXT,
        "kecamatan": place,
        "received_at": TS,
        "due_at": TS,
        "overdue": {"type": "boolean"},
        "url": TEXT,
    }
    return {
        "Error": {"type": "object", "required": ["error"], "properties": {"error": TEXT}},
        "Summary": {"type": "object", "properties": summary},
        "Page": {
            "type": "object",
            "properties": {
                "count": {"type": "integer"},
                "page": {"type": "integer"},
                "pages": {"type": "integer"},
                "results": {"type": "array", "items": {"$ref": "#/components/schemas/Summary"}},
            },
        },
        "Complaint": {
            "type": "object",
            "properties": {
                **summary,
                "location": {
                    "type": "object",
                    "properties": {
                        "lat": {"type": ["number", "null"]},
                        "lng": {"type": ["number", "null"]},
                        "address": {"type": ["string", "null"]},
                        "withheld": {
                            "type": "boolean",
                            "description": "Alamat dan titik aduan rahasia tidak ditampilkan "
                            "(null) bagi yang tidak menanganinya",
                        },
                        "kecamatan": place,
                        "desa": place,
                    },
                },
                "reporter": {
                    "type": ["object", "null"],
                    "description": "Hanya bagi yang boleh melihat identitas pelapor",
                    "properties": {"name": TEXT, "phone": {"type": ["string", "null"]}},
                },
                "reporter_label": TEXT,
                "team": place,
                "timeline": {"type": "array", "items": {"type": "object"}},
                "messages": {"type": "array", "items": {"type": "object"}},
                "media": {"type": "array", "items": {"type": "object"}},
                "available_steps": {"type": "array", "items": TEXT},
            },
        },
        "Team": {
            "type": "object",
            "properties": {
                "id": {"type": "integer"},
                "name": TEXT,
                "active": {"type": "boolean"},
                "post": {
                    "type": "object",
                    "properties": {
                        "name": TEXT,
                        "lat": {"type": "number"},
                        "lng": {"type": "number"},
                    },
                },
                "kecamatan": {"type": "array", "items": place},
                "members": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "name": TEXT,
                            "username": TEXT,
                            "whatsapp": {
                                "type": ["string", "null"],
                                "description": "TRC melihat nomor tim sendiri saja",
                            },
                        },
                    },
                },
            },
        },
    }
