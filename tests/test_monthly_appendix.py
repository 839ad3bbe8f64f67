"""The monthly report's appendix drawn row by row: awkward text, long notes, page breaks."""

import datetime as dt
import io

from pypdf import PdfReader
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import cm
from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate

from lalisa.monthly import appendix, pdf
from lalisa.monthly.data import CompletedRow
from lalisa.timefmt import WITA


def row(n: int, note: str = "Pelanggar diberi teguran lisan.", **kw) -> CompletedRow:
    done = dt.datetime(2026, 10, 1 + n % 28, 23, 5, tzinfo=WITA)
    values = {
        "code": f"LL-2610-{n:04d}",
        "received_at": done - dt.timedelta(hours=3),
        "done_at": done.astimezone(dt.UTC),
        "category": "Pelanggaran Perda/Perkada lain",
        "kecamatan": "Paringin Selatan",
        "team": "TRC Pos Pasar Paringin",
        "outcome": "Teguran lisan",
        "note": note,
    }
    return CompletedRow(**(values | kw))


def render(rows) -> list[str]:
    pdf.register_fonts()
    widths = [w * cm for w in pdf.COMPLETED_WIDTHS]
    widths.append(pdf.WIDE_WIDTH - sum(widths))
    layout = appendix.Layout(pdf.FONT, pdf.BOLD, widths, grid=pdf.GRID, header_fill=pdf.LIGHT)
    ticks = []
    assert layout.add_all(rows, ticks.append) == len(rows)
    out = io.BytesIO()
    doc = BaseDocTemplate(out, pagesize=landscape(A4))
    frame = Frame(pdf.MARGIN, pdf.MARGIN, pdf.WIDE_WIDTH, pdf.WIDE_H - 2 * pdf.MARGIN)
    doc.addPageTemplates([PageTemplate("wide", [frame], pagesize=landscape(A4))])
    doc.build([layout.block()])
    return [page.extract_text() for page in PdfReader(io.BytesIO(out.getvalue())).pages]


def test_every_row_once_and_the_header_on_every_page():
    pages = render([row(n) for n in range(1, 201)])
    assert len(pages) > 3
    text = "\n".join(pages)
    for n in range(1, 201):
        assert text.count(f"LL-2610-{n:04d}") == 1
    assert all(page.startswith("Kode tiket Selesai Kategori") for page in pages)
    # Done at 23.05 WITA, stored as 15.05 UTC: the list shows WITA.
    assert "02/10 23.05" in text and "15.05" not in text


def test_text_outside_ascii_and_pdf_syntax_come_through():
    notes = [
        "Warga (RT 03) minta ditertibkan \\ segera",
        "Kafé ditutup — pemilik setuju ✓",
        "Pedagang\tpindah\nke lokasi baru",
    ]
    pages = render([row(n, note) for n, note in enumerate(notes, 1)])
    text = " ".join(" ".join(pages).split())
    assert "Warga (RT 03) minta ditertibkan \\ segera" in text
    assert "Kafé ditutup — pemilik setuju ✓" in text
    assert "Pedagang pindah ke lokasi baru" in text


def test_a_long_note_is_cut_and_says_so():
    words = [f"kata{i}" for i in range(400)]
    pages = render([row(1, " ".join(words)), row(2)])
    text = " ".join(pages)
    assert "kata0 " in text and "…" in text
    assert "kata399" not in text
    assert "LL-2610-0002" in text  # the row after it is still there
