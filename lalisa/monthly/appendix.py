"""The monthly report's appendix: every complaint completed in the month, on landscape pages.

A busy month completes thousands. ReportLab's Table draws each cell as a text object of its
own (tens of microseconds a cell, most of the report's time at 8,000 rows); here a row is
wrapped once, its height known before the page is laid out, and drawn as a few literal
content-stream operators placed by one transformation, so a row costs about what reading
it does.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Callable, Iterable, Sequence

from reportlab.lib.rl_accel import escapePDF, fp_str
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import Flowable

from lalisa.monthly.data import CompletedRow
from lalisa.timefmt import to_wita

HEADERS = ("Kode tiket", "Selesai", "Kategori", "Kecamatan", "Tim", "Hasil", "Catatan")
SIZE = 7.0
LEADING = 8.5
PAD_X, PAD_Y = 3.0, 1.5
MAX_LINES = 8  # a longer note is cut with "…": the Excel file has it whole


def _wrapper(font_name: str, width: float) -> Callable[[str], tuple[str, ...]]:
    font = pdfmetrics.getFont(font_name)

    def wrap(text: str) -> tuple[str, ...]:
        flat = " ".join(text.split())  # a note's own line breaks and tabs
        if not flat:
            return ()
        if font.stringWidth(flat, SIZE) <= width:
            return (flat,)
        lines = tuple(simpleSplit(flat, font_name, SIZE, width))
        if len(lines) > MAX_LINES:
            lines = (*lines[: MAX_LINES - 1], lines[MAX_LINES - 1] + " …")
        return lines

    return wrap


# Stands for the regular font's first subset in a row's operators until the document, which
# names its fonts, is known; printable ASCII sits at its own code in that subset.
PLACEHOLDER = "/LalisaRowFont"
ASCII = frozenset(range(32, 127))


class Layout:
    """The rows wrapped into their columns, each as position-free PDF operators that end by
    moving down to the next row's top; a page joins them."""

    def __init__(self, font: str, bold: str, widths: Sequence[float], grid, header_fill):
        self.font, self.bold = font, bold
        self.widths = list(widths)
        self.width = sum(widths)
        self.x = [0.0, *itertools.accumulate(self.widths)][:-1]
        self.grid, self.header_fill = grid, header_fill
        self.header_height = 2 * PAD_Y + LEADING
        self.cells: list[tuple[tuple[str, ...], ...]] = []
        self.ops: list[str | None] = []  # None: not ASCII, its operators made when drawn
        self.tops = [0.0]  # tops[i]: how far row i starts below the first row's top
        self._wrap = [_wrapper(font, w - 2 * PAD_X) for w in self.widths]
        # Where each line of each column starts, relative to the row's top.
        self._at = [
            [
                f"1 0 0 1 {fp_str(x + PAD_X)} {fp_str(-(PAD_Y + SIZE + i * LEADING))} Tm"
                for i in range(MAX_LINES)
            ]
            for x in self.x
        ]
        self._known: list[dict[str, tuple[tuple[str, ...], str | None]]] = [
            {} for _ in self.widths
        ]
        self._head = f"BT {PLACEHOLDER} {fp_str(SIZE)} Tf "
        # After a row of n lines: the line under it, and the move to the next row's top.
        self._tail = [self._end(2 * PAD_Y + n * LEADING) for n in range(MAX_LINES + 1)]
        self._doc = None
        self._ascii_ok = False
        self._encoded: dict[tuple[str, str], str] = {}

    def add(self, row: CompletedRow) -> None:
        done = to_wita(row.done_at)
        time = f"{done.day:02d}/{done.month:02d} {done.hour:02d}.{done.minute:02d}"
        cells = [(row.code,), (time,)]
        texts = [self._ops(0, cells[0]), self._ops(1, cells[1])]
        wrapped = (row.category, row.kecamatan, row.team, row.outcome, row.note)
        for col, text in enumerate(wrapped, 2):
            lines, ops = self._known[col].get(text) or self._cell(col, text)
            cells.append(lines)
            texts.append(ops)
        lines = max(1, *map(len, cells))
        self.cells.append(cells)
        self.tops.append(self.tops[-1] + 2 * PAD_Y + lines * LEADING)
        self.ops.append(
            None if None in texts else f"{self._head}{' '.join(texts)}{self._tail[lines]}"
        )

    def _ops(self, col: int, lines: tuple[str, ...]) -> str | None:
        """A cell's operators when its text is printable ASCII; None otherwise."""
        at, ops = self._at[col], []
        for i, line in enumerate(lines):
            if not (line.isascii() and line.isprintable()):
                return None
            ops.append(f"{at[i]} ({escapePDF(line.encode())}) Tj")
        return " ".join(ops)

    def _cell(self, col: int, text: str) -> tuple[tuple[str, ...], str | None]:
        """A wrapped cell's lines and operators, kept for the next row with the same text."""
        lines = self._wrap[col](text)
        cell = (lines, self._ops(col, lines))
        known = self._known[col]
        if len(known) < 4096:  # categories, places, teams and outcomes repeat; notes seldom
            known[text] = cell
        return cell

    def add_all(self, rows: Iterable[CompletedRow], tick: Callable[[int], None]) -> int:
        count = 0
        for count, row in enumerate(rows, 1):
            self.add(row)
            if count % 500 == 0:
                tick(count)
        return count

    def block(self) -> RowBlock:
        return RowBlock(self, 0, len(self.cells))

    # -- drawing --

    def _text(self, canv, font_name: str, text: str) -> str:
        """`(…) Tj` operators for text in a TrueType font, with the subset each part is in."""
        key = (font_name, text)
        ops = self._encoded.get(key)
        if ops is None:
            font = pdfmetrics.getFont(font_name)
            size = fp_str(SIZE)
            ops = " ".join(
                f"{font.getSubsetInternalName(subset, canv._doc)} {size} Tf ({escapePDF(part)}) Tj"
                for subset, part in font.splitString(text, canv._doc)
            )
            self._encoded[key] = ops
        return ops

    def _row_ops(self, canv, font_name: str, cells, height: float) -> str:
        """Any row's operators, made with the document's own font subsets."""
        ops = ["BT"]
        for at, lines in zip(self._at, cells, strict=True):
            for i, line in enumerate(lines):
                ops.append(at[i])
                ops.append(self._text(canv, font_name, line))
        ops.append(self._end(height))
        return " ".join(ops)

    def _end(self, height: float) -> str:
        h = fp_str(-height)
        return f" ET 0 {h} m {fp_str(self.width)} {h} l S 1 0 0 1 0 {h} cm"

    def _ascii_ready(self, canv) -> bool:
        """Whether printable ASCII is at its own code in the font's first subset here."""
        font = pdfmetrics.getFont(self.font)
        font.getSubsetInternalName(0, canv._doc)
        assignments = font.state[canv._doc].assignments
        return all(assignments.get(code) == code for code in ASCII)

    def draw(self, canv, start: int, end: int, height: float) -> None:
        """Rows [start, end) under the header, the block's bottom at y = 0."""
        if canv._doc is not self._doc:  # the font's subsets are the document's own
            self._doc, self._encoded = canv._doc, {}
            self._ascii_ok = self._ascii_ready(canv)
        grid, fill = self.grid, self.header_fill
        w = fp_str(self.width)
        hh = self.header_height
        rows = []
        for i in range(start, end):
            ops = self.ops[i] if self._ascii_ok else None
            if ops is None:
                row_height = self.tops[i + 1] - self.tops[i]
                ops = self._row_ops(canv, self.font, self.cells[i], row_height)
            rows.append(ops)
        regular = pdfmetrics.getFont(self.font).getSubsetInternalName(0, canv._doc)
        out = [
            f"q {fp_str(fill.red, fill.green, fill.blue)} rg "
            f"0 {fp_str(height - hh)} {w} {fp_str(hh)} re f Q",
            f"q 0 g {fp_str(grid.red, grid.green, grid.blue)} RG 0.3 w",
            f"1 0 0 1 0 {fp_str(height)} cm",
            self._row_ops(canv, self.bold, [(h,) for h in HEADERS], hh),
            "\n".join(rows).replace(PLACEHOLDER, regular),
            "Q",
        ]
        canv.addLiteral("\n".join(out))


class RowBlock(Flowable):
    """Rows [start, end) of a Layout with the header above them; splits at a page's end."""

    def __init__(self, layout: Layout, start: int, end: int):
        super().__init__()
        self.layout, self.start, self.end = layout, start, end

    def _height(self) -> float:
        layout = self.layout
        return layout.header_height + layout.tops[self.end] - layout.tops[self.start]

    def wrap(self, avail_width, avail_height):
        self.width, self.height = self.layout.width, self._height()
        return self.width, self.height

    def split(self, avail_width, avail_height):
        layout = self.layout
        room = avail_height - layout.header_height
        # The last row whose bottom is within the room.
        fit = bisect.bisect_right(
            layout.tops, layout.tops[self.start] + room, self.start + 1, self.end + 1
        )
        fit -= 1
        if fit <= self.start:
            return []  # not even one row: the next page
        return [RowBlock(layout, self.start, fit), RowBlock(layout, fit, self.end)]

    def draw(self):
        self.layout.draw(self.canv, self.start, self.end, self.height)
