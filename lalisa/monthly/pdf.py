"""The monthly report as PDF (ReportLab): cover, summary, tables, charts, the completed
complaints, and the Kasat's signature block, numbered "Halaman 3 dari 12".
"""

from __future__ import annotations

import os
from collections.abc import Callable
from xml.sax.saxutils import escape  # Paragraph text is markup

from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.piecharts import Pie
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Frame,
    KeepTogether,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from lalisa.monthly import appendix, numbers, tables
from lalisa.monthly.data import MonthReport
from lalisa.reports.figures import STAGE_LABELS
from lalisa.timefmt import format_date, format_wita, to_wita

FONT, BOLD = "LalisaSans", "LalisaSans-Bold"
# Debian's fonts-dejavu-core; else the Vera fonts that ship inside ReportLab.
FONT_FILES = (
    (
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    ),
    ("Vera.ttf", "VeraBd.ttf"),
)
PAGE_W, PAGE_H = A4
MARGIN = 1.8 * cm
WIDTH = PAGE_W - 2 * MARGIN
# The list of completed complaints is an appendix on landscape pages: a note fits a line.
WIDE_W, WIDE_H = landscape(A4)
WIDE_WIDTH = WIDE_W - 2 * MARGIN
NO_PADDING = {"leftPadding": 0, "rightPadding": 0, "topPadding": 0, "bottomPadding": 0}
BLUE = colors.HexColor("#0b5cad")
LIGHT = colors.HexColor("#dcecff")
GRID = colors.HexColor("#c8d0d8")
CHART_COLORS = [
    colors.HexColor(c)
    for c in (
        "#0b5cad",
        "#e07a1f",
        "#2f9e44",
        "#c92a2a",
        "#7048e8",
        "#0c8599",
        "#e8590c",
        "#5c940d",
        "#862e9c",
        "#495057",
    )
]
CHART_BARS = 12
ROWS_PER_PAGE = 26  # about, for the progress shown while the pages are drawn


def register_fonts() -> str:
    """Register the report's fonts once; the regular font's file, for the record."""
    if FONT not in pdfmetrics.getRegisteredFontNames():
        for regular, bold in FONT_FILES:
            if os.path.isabs(regular) and not (os.path.exists(regular) and os.path.exists(bold)):
                continue
            pdfmetrics.registerFont(TTFont(FONT, regular))
            pdfmetrics.registerFont(TTFont(BOLD, bold))
            pdfmetrics.registerFontFamily(
                FONT, normal=FONT, bold=BOLD, italic=FONT, boldItalic=BOLD
            )
            break
    return pdfmetrics.getFont(FONT).face.filename


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("base", fontName=FONT, fontSize=9.5, leading=13)
    return {
        "body": base,
        "small": ParagraphStyle("small", base, fontSize=8, leading=10),
        "h1": ParagraphStyle(
            "h1",
            base,
            fontName=BOLD,
            fontSize=15,
            leading=19,
            spaceBefore=4,
            spaceAfter=8,
            textColor=BLUE,
        ),
        "h2": ParagraphStyle(
            "h2", base, fontName=BOLD, fontSize=11.5, leading=15, spaceBefore=10, spaceAfter=5
        ),
        "cover_title": ParagraphStyle(
            "cover_title",
            base,
            fontName=BOLD,
            fontSize=26,
            leading=32,
            alignment=TA_CENTER,
            textColor=BLUE,
        ),
        "cover": ParagraphStyle("cover", base, fontSize=14, leading=20, alignment=TA_CENTER),
        "cover_small": ParagraphStyle(
            "cover_small", base, fontSize=10, leading=14, alignment=TA_CENTER
        ),
        "sign": ParagraphStyle("sign", base, fontSize=10.5, leading=15),
    }


def _cell(kind: str, value) -> str:
    if kind == "mixed":
        kind, value = value
    if value is None:
        return "-"
    if kind == "int":
        return numbers.integer(value)
    if kind == "share":
        return numbers.percent(value)
    if kind == "signed":
        return ("+" if value > 0 else "") + numbers.percent(value)
    if kind == "decimal":
        return numbers.decimal(value)
    if kind == "minutes":
        return numbers.duration(value)
    return str(value)


def _table_style(*, total_row: bool, numeric_from: int) -> TableStyle:
    commands = [
        ("FONT", (0, 0), (-1, -1), FONT, 8.5),
        ("FONT", (0, 0), (-1, 0), BOLD, 8.5),
        ("BACKGROUND", (0, 0), (-1, 0), LIGHT),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, GRID),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("ALIGN", (numeric_from, 0), (-1, -1), "RIGHT"),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
    ]
    if total_row:
        commands.append(("FONT", (0, -1), (-1, -1), BOLD, 8.5))
    return TableStyle(commands)


def _column_widths(data: list[list[str]], size: float = 8.5) -> list[float]:
    """Figures as wide as their widest cell; the first (label) column takes what is left."""
    pad = 12
    rest = [
        max(pdfmetrics.stringWidth(str(row[col]), BOLD, size) for row in data) + pad
        for col in range(1, len(data[0]))
    ]
    first = max(WIDTH - sum(rest), 4 * cm)
    scale = min(1.0, (WIDTH - first) / sum(rest)) if rest else 1.0
    return [first] + [w * scale for w in rest]


def summary_table(table: tables.Table) -> Table:
    data = [[header for header, _ in table.columns]]
    for values in table.rows:
        data.append([_cell(kind, v) for (_, kind), v in zip(table.columns, values, strict=True)])
    widths = _column_widths(data)
    total_row = bool(table.rows) and table.rows[-1][0] == "Jumlah"
    out = Table(data, colWidths=widths, repeatRows=1)
    out.setStyle(_table_style(total_row=total_row, numeric_from=1))
    return out


# --- charts -------------------------------------------------------------------------------


def _int_label(value) -> str:
    return numbers.integer(int(value))


def _axis_step(top: int) -> int:
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000):
        if top / step <= 6:
            return step
    return max(1, int(top // 5))


def bar_chart(title: str, rows: list[tuple[str, int]], *, horizontal: bool = True) -> Drawing:
    """Counts by label (the first CHART_BARS); the value axis starts at 0."""
    if len(rows) > CHART_BARS:
        title += f" ({CHART_BARS} terbanyak)"
        rows = sorted(rows, key=lambda row: -row[1])[:CHART_BARS]
    labels = [label if len(label) <= 28 else label[:27] + "…" for label, _ in rows]
    values = [n for _, n in rows]
    top = max(values, default=0) or 1
    if horizontal:
        height = 40 + 16 * max(len(rows), 1)
        drawing = Drawing(WIDTH, height + 20)
        chart = HorizontalBarChart()
        chart.x, chart.y, chart.width, chart.height = 150, 15, WIDTH - 190, height - 20
        # Largest on top: ReportLab draws the first category at the bottom.
        chart.data = [list(reversed(values))]
        chart.categoryAxis.categoryNames = list(reversed(labels))
    else:
        rotate = len(labels) > 6
        drawing = Drawing(WIDTH, 210 if rotate else 180)
        chart = VerticalBarChart()
        chart.x, chart.width, chart.height = 40, WIDTH - 60, 130
        chart.y = 55 if rotate else 25
        chart.data = [values]
        chart.categoryAxis.categoryNames = labels
        if rotate:
            chart.categoryAxis.labels.angle = 30
            chart.categoryAxis.labels.boxAnchor = "ne"
    # Room past the longest bar for its label.
    step = _axis_step(top * 1.15)
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = (int(top * 1.15) // step + 1) * step
    chart.valueAxis.valueStep = step
    chart.valueAxis.labelTextFormat = _int_label
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = 7
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 7
    chart.bars[0].fillColor = BLUE
    chart.bars[0].strokeColor = None
    chart.barLabelFormat = _int_label
    chart.barLabels.fontName = FONT
    chart.barLabels.fontSize = 6.5
    chart.barLabels.nudge = 7
    drawing.add(chart)
    drawing.add(String(0, drawing.height - 10, title, fontName=BOLD, fontSize=9.5))
    return drawing


def pie_chart(title: str, rows: list[tuple[str, int]]) -> Drawing:
    rows = [(label, n) for label, n in rows if n > 0][:10]
    total = sum(n for _, n in rows)
    drawing = Drawing(WIDTH, 190)
    drawing.add(String(0, 180, title, fontName=BOLD, fontSize=9.5))
    pie = Pie()
    pie.x, pie.y, pie.width, pie.height = 20, 10, 150, 150
    pie.data = [n for _, n in rows]
    pie.labels = None
    pie.slices.strokeColor = colors.white
    for i in range(len(rows)):
        pie.slices[i].fillColor = CHART_COLORS[i % len(CHART_COLORS)]
    drawing.add(pie)
    legend = Legend()
    legend.x, legend.y = 200, 160
    legend.fontName, legend.fontSize = FONT, 8
    legend.alignment = "right"
    legend.columnMaximum = 10
    legend.deltay = 13
    legend.colorNamePairs = [
        (
            CHART_COLORS[i % len(CHART_COLORS)],
            f"{label}: {numbers.integer(n)} ({numbers.percent(n / total)})",
        )
        for i, (label, n) in enumerate(rows)
    ]
    drawing.add(legend)
    return drawing


# --- pages --------------------------------------------------------------------------------


class NumberedCanvas(canvas.Canvas):
    """Draws "Halaman N dari M" once the page count is known (pages kept until save)."""

    footer_left = ""
    on_page: Callable[[int], None] | None = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._pages = []

    def showPage(self):  # noqa: N802 - ReportLab's name
        self._pages.append(dict(self.__dict__))
        if self.on_page:
            self.on_page(len(self._pages))
        self._startPage()

    def save(self):
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            if self._pageNumber > 1:  # the cover carries no footer
                self.setFont(FONT, 7.5)
                self.setFillColor(colors.HexColor("#5b6570"))
                self.drawString(MARGIN, 1.0 * cm, self.footer_left)
                self.drawRightString(
                    self._pagesize[0] - MARGIN,
                    1.0 * cm,
                    f"Halaman {numbers.integer(self._pageNumber)} dari {numbers.integer(total)}",
                )
            super().showPage()
        super().save()


def _cover(report: MonthReport, st) -> list:
    profile = report.profile
    return [
        Spacer(1, 5 * cm),
        Paragraph("Laporan Bulanan La-Lisa", st["cover_title"]),
        Spacer(1, 0.6 * cm),
        Paragraph("Layanan Aduan onLine whatSApp", st["cover"]),
        Paragraph(escape(f"{profile.service_name} — {profile.agency_name}"), st["cover"]),
        Spacer(1, 2.5 * cm),
        Paragraph(f"Bulan {report.label}", st["cover_title"]),
        Spacer(1, 0.4 * cm),
        Paragraph(
            f"Periode {format_date(report.first_day)} – {format_date(report.last_day)} (WITA)",
            st["cover_small"],
        ),
        Spacer(1, 6 * cm),
        Paragraph(escape(profile.address), st["cover_small"]),
        Paragraph(f"Dibuat {format_wita(report.generated_at)}", st["cover_small"]),
        PageBreak(),
    ]


def _opening(report: MonthReport, st) -> list:
    s = report.summary
    before = report.previous_month_received
    sla_parts = [
        f"{label.lower()} {numbers.percent(s.sla[stage].share)}"
        for stage, label in STAGE_LABELS.items()
        if s.sla[stage].measured
    ]
    text = (
        f"Selama {report.label} La-Lisa menerima <b>{numbers.integer(s.received)}</b> aduan "
        f"(bulan sebelumnya {numbers.integer(before)}; "
        f"{numbers.change(s.received, before)}). "
        f"Dari aduan bulan ini, {numbers.integer(s.handled)} telah selesai ditangani. "
    )
    verify, finish = s.durations["verify"], s.durations["finish"]
    if verify.count:
        text += f"Median waktu sampai verifikasi {numbers.duration(verify.median_minutes)}"
        if finish.count:
            text += f", sampai selesai {numbers.duration(finish.median_minutes)}"
        text += ". "
    if sla_parts:
        text += "Tepat waktu menurut SLA: " + ", ".join(sla_parts) + ". "
    if s.ratings.count:
        text += (
            f"{numbers.integer(s.ratings.count)} penilaian warga, rata-rata "
            f"{numbers.decimal(s.ratings.average)} dari 5; "
            f"{numbers.percent(s.ratings.satisfied_share)} puas (nilai 4–5)."
        )
    return [Paragraph("Ringkasan", st["h1"]), Paragraph(text, st["body"]), Spacer(1, 6)]


def _summary_sections(report: MonthReport, st) -> list:
    s = report.summary
    by = {t.key: t for t in tables.summary_tables(report)}
    story = []

    def section(key: str, chart=None):
        table = by[key]
        parts = [Paragraph(table.title, st["h2"])]
        if chart is not None:
            parts += [chart, Spacer(1, 4)]
        story.append(KeepTogether([*parts, summary_table(table)]))

    def counts(rows):
        return [(r.label, r.n) for r in rows]

    section("key")
    section("stages")
    story.append(PageBreak())
    section("category", bar_chart("Jumlah aduan per kategori", counts(s.by_category)))
    section("kecamatan", bar_chart("Jumlah aduan per kecamatan", counts(s.by_kecamatan)))
    section("status")
    outcome_chart = (
        pie_chart("Sebaran hasil penanganan", counts(s.by_outcome))
        if any(r.n for r in s.by_outcome)
        else None
    )
    section("outcome", outcome_chart)
    team_rows = [(t.name, t.dispatches) for t in s.by_team]
    section("teams", bar_chart("Penugasan per tim TRC", team_rows) if team_rows else None)
    rating_rows = [(f"{i} bintang", n) for i, n in enumerate(s.ratings.distribution, 1)]
    section(
        "ratings",
        bar_chart("Sebaran penilaian warga", rating_rows, horizontal=False)
        if s.ratings.count
        else None,
    )
    return story


COMPLETED_WIDTHS = [2.2, 1.7, 3.7, 2.5, 3.4, 4.4]  # cm; the note takes the rest


def _completed(report: MonthReport, st, tick: Callable[[int], None]) -> list:
    story = [
        NextPageTemplate("wide"),
        PageBreak(),
        Paragraph(f"Lampiran: aduan yang selesai ditangani pada {report.label}", st["h1"]),
        Paragraph(
            "Menurut waktu selesai (WITA), dengan hasil penanganan dan catatan tim.",
            st["small"],
        ),
        Spacer(1, 4),
    ]
    widths = [w * cm for w in COMPLETED_WIDTHS]
    widths.append(WIDE_WIDTH - sum(widths))
    layout = appendix.Layout(FONT, BOLD, widths, grid=GRID, header_fill=LIGHT)
    count = layout.add_all(report.completed_rows(), tick)
    if count == 0:
        story.append(Paragraph("Tidak ada aduan yang selesai ditangani bulan ini.", st["body"]))
    else:
        story.append(layout.block())
        story.append(Spacer(1, 4))
        story.append(
            Paragraph(f"Jumlah: {numbers.integer(count)} aduan selesai ditangani.", st["small"])
        )
    return story


def _regency(agency_name: str) -> str:
    """`Kabupaten Balangan` from `Satpol PP Kabupaten Balangan`."""
    for prefix in ("Satpol PP ", "Satuan Polisi Pamong Praja "):
        if agency_name.startswith(prefix):
            return agency_name[len(prefix) :]
    return agency_name


def _signature(report: MonthReport, st) -> list:
    profile = report.profile
    place = profile.signing_place.strip() or "Paringin"
    today = to_wita(report.generated_at).date()
    # Blank dotted lines until the superadmin fills in the Kasat's name and NIP.
    name = profile.head_name.strip() or "." * 45
    nip = profile.head_nip.strip() or "." * 38
    lines = [
        f"{place}, {format_date(today)}",
        "Kepala Satuan Polisi Pamong Praja",
        f"{_regency(profile.agency_name)},",
    ]
    block = [Paragraph(escape(line), st["sign"]) for line in lines]
    block += [
        Spacer(1, 2.2 * cm),
        Paragraph(escape(name), st["sign"]),
        Paragraph(escape(f"NIP. {nip}"), st["sign"]),
    ]
    table = Table([["", block]], colWidths=[WIDTH * 0.5, WIDTH * 0.5])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return [Spacer(1, 1 * cm), KeepTogether([table])]


def write_pdf(report: MonthReport, out, progress: Callable[[int], None] | None = None) -> None:
    """Write the PDF to a binary file-like `out`; `progress(percent)` now and then."""
    register_fonts()
    report_progress = progress or (lambda _p: None)
    st = _styles()
    completed_total = max(report.completed().count(), 1)
    story = _cover(report, st) + _opening(report, st) + _summary_sections(report, st)
    story += _signature(report, st)
    report_progress(10)
    story += _completed(report, st, lambda n: report_progress(10 + 30 * n // completed_total))
    report_progress(40)

    expected_pages = 8 + completed_total // ROWS_PER_PAGE
    canvas_class = type(
        "ReportCanvas",
        (NumberedCanvas,),
        {
            "footer_left": f"Laporan Bulanan La-Lisa · {report.label} · "
            f"{report.profile.agency_name}",
            "on_page": staticmethod(
                lambda n: report_progress(min(98, 40 + 58 * n // expected_pages))
            ),
        },
    )
    doc = BaseDocTemplate(
        out,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=f"Laporan Bulanan La-Lisa {report.label}",
        author=report.profile.agency_name,
        subject=f"Laporan bulanan layanan aduan {report.profile.service_name}",
        creator="LA-LISA",
    )
    doc.addPageTemplates(
        [
            PageTemplate(
                "tall",
                [Frame(MARGIN, MARGIN, WIDTH, PAGE_H - 2 * MARGIN, id="tall", **NO_PADDING)],
                pagesize=A4,
            ),
            PageTemplate(
                "wide",
                [Frame(MARGIN, MARGIN, WIDE_WIDTH, WIDE_H - 2 * MARGIN, id="wide", **NO_PADDING)],
                pagesize=landscape(A4),
            ),
        ]
    )
    doc.build(story, canvasmaker=canvas_class)
