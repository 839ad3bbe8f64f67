"""The API described as OpenAPI 3.1, by hand: small enough to keep beside the views."""

from lalisa.complaints.models import Priority, Status


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


CODE = {
    "name": "code",
    "in": "path",
    "required": True,
    "description": "Kode tiket, mis. LL-2611-0042",
    "schema": {"type": "string"},
}
DETAIL = {"description": "Aduan", "content": _json({"$ref": "#/components/schemas/Complaint"})}
REFUSALS = {
    "401": _error("Token tidak ada atau tidak berlaku"),
    "404": _error("Aduan tidak ada atau tidak boleh dilihat"),
    "403": _error("Peran tidak boleh mengambil langkah ini"),
    "409": _error("Langkah tidak boleh pada status aduan sekarang"),
    "400": _error("Masukan tidak sah"),
}
TS = {"type": ["string", "null"], "format": "date-time"}
TEXT = {"type": "string"}


def _action(name: str, required: list[str], **fields) -> dict:
    return {
        "type": "object",
        "required": ["action", *required],
        "properties": {"action": {"const": name}, **fields},
    }


ACTION_SCHEMAS = [
    _action("verify", [], reason=TEXT),
    _action("request_info", ["question"], question=TEXT),
    _action("reject", ["reason"], reason=TEXT, reason_code=TEXT),
    _action("refer", ["agency"], agency=TEXT, reason=TEXT),
    _action("mark_duplicate", ["of"], of={"type": "string", "description": "kode tiket asal"}),
    _action("dispatch", ["team"], team={"type": "integer", "description": "id dari /teams"}),
    _action("decline", ["reason"], reason=TEXT),
    _action("accept", [], reason=TEXT),
    _action("arrive", [], reason=TEXT),
    _action(
        "complete",
        ["note", "outcome"],
        note=TEXT,
        outcome={"type": "string", "description": "kode hasil, mis. teguran_lisan"},
        photos={"type": "array", "items": {"type": "integer"}, "description": "id media"},
        citizen_photo={
            "type": "integer",
            "description": "id salah satu foto laporan yang dikirim kepada pelapor",
        },
    ),
    _action("close", [], reason=TEXT),
    _action("reply", ["text"], text=TEXT),
]


def document() -> dict:
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
                        _query("status", "Kode status", {"enum": Status.values}),
                        _query("category", "Kode kategori"),
                        _query("kecamatan", "Id atau nama kecamatan"),
                        _query("team", "Id tim yang sedang ditugaskan", {"type": "integer"}),
                        _query("overdue", "1 = lewat batas waktu, 0 = belum", {"type": "string"}),
                        _query("q", "Cari pada kode, uraian, atau nomor pelapor"),
                        _query("page", "Nomor halaman", {"type": "integer", "minimum": 1}),
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
                        "content": _json({"$ref": "#/components/schemas/Correction"}),
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
                        "content": _json({"oneOf": ACTION_SCHEMAS}),
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
                            **_query("year", "Tahun, mis. 2026", {"type": "integer"}),
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
                        "400": _error(
                            "Tahun, bulan atau format tidak sah, atau bulan belum dimulai"
                        ),
                        "401": REFUSALS["401"],
                        "403": _error("Peran tidak melihat laporan"),
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
        "Correction": {
            "type": "object",
            "properties": {
                "category": {"type": "string", "description": "kode kategori"},
                "priority": {"enum": Priority.values},
                "reason": TEXT,
                "location": {
                    "type": "object",
                    "properties": {
                        "lat": {"type": ["number", "null"]},
                        "lng": {"type": ["number", "null"]},
                        "address": TEXT,
                        "kecamatan": {"type": "integer"},
                        "desa": {"type": ["integer", "null"]},
                    },
                },
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
