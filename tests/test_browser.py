"""The whole flow in a real browser (Playwright driving Debian's Chromium) against a real
`lalisa demo` — web server, worker, Graph API emulator and phone simulator:

a citizen files a complaint on the simulator; the admin verifies it in the browser; the
Kabid dispatches from the simulator as the Kabid's phone; the TRC officer accepts, arrives and
finishes as a TRC phone; the citizen gets the result and rates; the admin sees the closed
complaint with its whole timeline. A screenshot of each screen goes to SHOTS.
"""

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from lalisa.monthly.numbers import month_label
from lalisa.monthly.period import default_month

SHOTS = Path(os.environ.get("LALISA_SCREENSHOTS", "var/screenshots"))
PASSWORD = "uji-browser-12345"
CODE = re.compile(r"LL-\d{4}-\d{4,}")
CHECK = re.compile(r"Kode cek:\W*([A-Z0-9]{4})")

pytestmark = pytest.mark.browser
# What the first test leaves for the next: the ticket it closed.
FLOW: dict[str, str] = {}
PHONE = {"width": 412, "height": 915}
DESK = {"width": 1280, "height": 900}


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """`lalisa demo` on a free port with its own data directory; stopped with SIGTERM."""
    data = tmp_path_factory.mktemp("demo")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("WHATSAPP_", "LALISA_", "DJANGO_")) and k != "DATABASE_URL"
    }
    # No tile server: the machine is offline, and the map must show its pins without one.
    env.update(LALISA_DATA_DIR=str(data), LALISA_DEMO_PASSWORD=PASSWORD, LALISA_MAP_TILES="")
    lalisa = Path(sys.executable).with_name("lalisa")
    log = (data / "demo.log").open("w")
    process = subprocess.Popen(  # noqa: S603  (our own console script)
        [str(lalisa), "demo", "--port", str(port)],
        cwd=data,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError((data / "demo.log").read_text()[-3000:])
        try:
            if httpx.get(f"{base}/masuk/", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    else:
        raise AssertionError("the demo did not start in 3 minutes")
    yield base
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
    log.close()


class Phone:
    """The simulator page, played by a person."""

    def __init__(self, page, base: str):
        self.page = page
        page.set_viewport_size({"width": 412, "height": 860})
        page.goto(f"{base}/simulator/")

    def be(self, name: str, phone: str) -> None:
        page = self.page
        if not page.locator("#sheet-who").is_visible():
            page.click("#btn-who")
        form = page.locator("#who-form")
        form.locator("input[name=name]").fill(name)
        form.locator("input[name=phone]").fill(phone)
        form.locator("button[type=submit]").click()
        page.locator("#sheet-who").wait_for(state="hidden")

    def bubbles(self):
        return self.page.locator("#chat .msg.out, #chat .out")

    def wait_for_text(self, text: str, timeout: float = 30_000) -> None:
        self.page.locator("#chat").get_by_text(text, exact=False).last.wait_for(timeout=timeout)

    def say(self, text: str) -> None:
        self.page.fill("#text", text)
        self.page.click("#btn-send")

    def tap(self, title: str) -> None:
        self.page.locator("#chat .actions button", has_text=title).last.click()

    def pick(self, button: str, row: str) -> None:
        self.tap(button)
        self.page.locator("#list-rows .row-pick", has_text=row).first.click()
        self.page.click("#list-send")

    def location(self, lat: str, lng: str) -> None:
        self.tap("Kirim lokasi")
        form = self.page.locator("#latlng-form")
        form.locator("input[name=lat]").fill(lat)
        form.locator("input[name=lng]").fill(lng)
        form.locator("button[type=submit]").click()

    def shot(self, name: str) -> None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=False)


def log_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/masuk/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit], form input[type=submit]").first.click()
    page.wait_for_url(re.compile(r"/$"))


def test_a_complaint_from_the_citizen_s_phone_to_the_closed_timeline(demo, browser):
    # The admin's inbox is open before the complaint comes; its own clock, run forward
    # below, drives the page's polling.
    desk = browser.new_page(viewport={"width": 1280, "height": 900})
    desk.clock.install()
    log_in(desk, demo, "demo-admin")
    assert desk.locator("#live-badge").is_hidden()

    citizen = Phone(browser.new_page(), demo)
    citizen.be("Siti Aminah", "081234509999")
    citizen.say("p min")
    citizen.wait_for_text("Selamat datang")
    citizen.shot("01-warga-salam")
    citizen.pick("Pilih layanan", "Buat aduan")
    citizen.wait_for_text("Aduan Anda tentang apa")
    citizen.pick("Pilih kategori", "PKL di tempat terlarang")
    citizen.wait_for_text("Ceritakan singkat")
    citizen.say("Pedagang berjualan di trotoar depan Pasar Paringin, pejalan kaki turun ke jalan")
    citizen.wait_for_text("titik lokasi")
    citizen.location("-2.3321", "115.4654")
    citizen.wait_for_text("Ada foto kejadian")
    citizen.tap("Lewati")
    citizen.wait_for_text("Bagaimana identitas Anda")
    citizen.tap("Biasa")
    citizen.wait_for_text("Periksa aduan Anda")
    citizen.shot("02-warga-ringkasan")
    citizen.tap("Kirim")
    citizen.wait_for_text("nomor tiket")
    citizen.shot("03-warga-tiket")
    chat = citizen.page.locator("#chat").inner_text()
    ticket = CODE.findall(chat)[-1]
    FLOW["ticket"] = ticket
    # The check part the public lookup asks for comes with the code.
    FLOW["check"] = CHECK.findall(chat)[-1]

    # The inbox's badge tells the admin without a reload, at its next poll.
    desk.clock.run_for("00:21")
    badge = desk.locator("#live-badge")
    badge.wait_for(state="visible")
    assert re.fullmatch(r"\d+ aduan/pesan baru", badge.inner_text())
    SHOTS.mkdir(parents=True, exist_ok=True)
    desk.screenshot(path=str(SHOTS / "03b-admin-kotak-masuk.png"))
    badge.click()
    desk.get_by_text(ticket).first.wait_for()

    # The admin, at her desk, verifies it.
    desk.goto(f"{demo}/aduan/{ticket}/")
    desk.get_by_text(ticket).first.wait_for()
    desk.screenshot(path=str(SHOTS / "04-admin-aduan.png"), full_page=True)
    desk.get_by_role("button", name=re.compile(r"^Verifikasi")).first.click()
    desk.get_by_text("Diverifikasi").first.wait_for()

    # The Kabid decides on his phone: the suggested team, one tap.
    kabid = Phone(browser.new_page(), demo)
    kabid.be("Ahmad Rifani", "0811000002")
    kabid.say("menu")
    kabid.wait_for_text("menunggu keputusan", timeout=90_000)
    kabid.pick("Lihat aduan", ticket)
    kabid.wait_for_text("Disarankan")
    kabid.shot("05-kabid-keputusan")
    suggested = kabid.page.locator("#chat .actions").last.locator("button").first
    suggested.click()
    kabid.wait_for_text("ditugaskan untuk")

    # The TRC officer of that team: accept, arrive, report.
    team = re.search(r"Tim (.+?) ditugaskan untuk", kabid.page.locator("#chat").inner_text())
    officers = {"TRC Pos Pasar Paringin": "0811000005", "TRC Mako Satpol PP": "0811000003"}
    officer = Phone(browser.new_page(), demo)
    officer.be("Petugas TRC", officers.get(team.group(1), "0811000005"))
    officer.say("menu")
    officer.wait_for_text("Penugasan tim")
    officer.pick("Lihat aduan", ticket)
    officer.wait_for_text("Terima tugas")
    officer.shot("06-trc-tugas")
    officer.tap("Terima tugas")
    officer.wait_for_text("Tiba di lokasi")
    officer.tap("Tiba di lokasi")
    officer.wait_for_text("Laporkan hasil")
    officer.tap("Laporkan hasil")
    officer.wait_for_text("Apa hasil penanganan")
    officer.pick("Pilih hasil", "Teguran lisan")
    officer.wait_for_text("Tulis catatan singkat")
    officer.say("Pedagang sudah pindah ke lokasi yang diizinkan.")
    officer.wait_for_text("Kirim foto hasil")
    officer.tap("Selesai")
    officer.wait_for_text("terkirim kepada pelapor")
    officer.shot("07-trc-laporan")

    # The citizen is told the result and rates it.
    citizen.wait_for_text("Pedagang sudah pindah ke lokasi yang diizinkan.", timeout=60_000)
    citizen.pick("Beri nilai", "⭐⭐⭐⭐ Puas")
    citizen.wait_for_text("Terima kasih atas penilaian")
    citizen.shot("08-warga-penilaian")

    # The admin sees it closed, with every step in its timeline.
    desk.goto(f"{demo}/aduan/{ticket}/")
    page_text = desk.locator("body").inner_text()
    assert "Ditutup" in page_text and "Nilai: 4 dari 5" in page_text
    for step in ("verifikasi", "tugaskan tim", "terima tugas", "tiba di lokasi", "selesaikan"):
        assert step in page_text.lower(), step
    desk.screenshot(path=str(SHOTS / "09-admin-ditutup.png"), full_page=True)


def watch_errors(page) -> list[str]:
    """Script errors and blocked resources (a CSP refusal shows as a console error)."""
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    return errors


def test_each_role_s_pages_for_the_guides(demo, browser):
    """The pages the user guides show, each with what makes it work checked in the browser;
    their screenshots go beside the flow's."""
    ticket = FLOW.get("ticket")
    if ticket is None:
        pytest.skip("needs the ticket of the flow test, which runs first")
    SHOTS.mkdir(parents=True, exist_ok=True)

    admin = browser.new_page(viewport=DESK)
    log_in(admin, demo, "demo-admin")
    admin.goto(f"{demo}/aduan/catat/")
    admin.get_by_role("button", name=re.compile("Catat")).first.wait_for()
    # The desa list shows only the chosen kecamatan's desa.
    admin.select_option("#id_kecamatan", label="Halong")
    shown = admin.eval_on_selector_all(
        "#id_desa optgroup", "groups => groups.filter(g => !g.disabled).map(g => g.label)"
    )
    assert shown == ["Halong"]
    admin.select_option("#id_kecamatan", index=0)
    admin.screenshot(path=str(SHOTS / "10-admin-catat-aduan.png"), full_page=True)

    kabid = browser.new_page(viewport=PHONE)
    log_in(kabid, demo, "demo-kabid")
    kabid.goto(f"{demo}/tinjau/")
    kabid.screenshot(path=str(SHOTS / "11-kabid-tinjau.png"), full_page=True)
    # The page fits the phone: nothing wider than its screen.
    assert kabid.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    trc = browser.new_page(viewport=PHONE)
    log_in(trc, demo, "demo-trc")
    trc.goto(f"{demo}/tugas/")
    trc.screenshot(path=str(SHOTS / "12-trc-halaman-tugas.png"), full_page=True)
    assert trc.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    boss = browser.new_page(viewport=DESK)
    errors = watch_errors(boss)
    log_in(boss, demo, "demo-pimpinan")
    boss.goto(f"{demo}/dasbor/")
    # Chart.js drew every chart (a drawn canvas has a non-zero size), under the strict CSP.
    boss.wait_for_function(
        "[...document.querySelectorAll('canvas[data-chart]')]"
        ".every(c => c.width > 0 && c.height > 0)"
    )
    assert int(boss.locator("#kpi-received").inner_text().replace(".", "")) >= 1
    boss.screenshot(path=str(SHOTS / "13-pimpinan-dasbor.png"), full_page=True)

    boss.goto(f"{demo}/peta/")
    # Without tiles, the pins (clustered or single) are still drawn.
    boss.locator(".leaflet-marker-icon").first.wait_for()
    assert boss.locator(".leaflet-tile").count() == 0
    boss.screenshot(path=str(SHOTS / "14-pimpinan-peta.png"), full_page=True)

    boss.goto(f"{demo}/kinerja/")
    boss.get_by_text("TRC Pos Pasar Paringin").first.wait_for()
    boss.screenshot(path=str(SHOTS / "15-pimpinan-kinerja.png"), full_page=True)

    boss.goto(f"{demo}/laporan/")
    boss.get_by_role("button", name="Buat laporan").click()
    # The worker makes it in the background; the page's bar follows until the link shows.
    download = boss.locator("[data-role=download] a").first
    download.wait_for(timeout=120_000)
    pdf = boss.request.get(demo + download.get_attribute("href"))
    assert pdf.status == 200 and pdf.body().startswith(b"%PDF")
    # Made, it is current: the page offers it at the top from now on.
    boss.reload()
    ready = boss.locator(".report-ready")
    year, month = default_month()
    assert f"Laporan {month_label(year, month)} siap diunduh" in ready.inner_text()
    name = f"PDF — laporan-bulanan-{year}-{month:02d}.pdf"
    assert ready.get_by_role("link", name=name).count() == 1
    boss.screenshot(path=str(SHOTS / "16-pimpinan-laporan-bulanan.png"), full_page=True)
    assert errors == []

    setup = browser.new_page(viewport=DESK)
    setup.goto(f"{demo}/admin/login/")
    setup.fill("input[name=username]", "demo-superadmin")
    setup.fill("input[name=password]", PASSWORD)
    setup.locator("input[type=submit], button[type=submit]").first.click()
    setup.get_by_text("Penyiapan layanan").first.wait_for()
    setup.screenshot(path=str(SHOTS / "17-superadmin-penyiapan.png"), full_page=True)

    public = browser.new_context(viewport=PHONE).new_page()
    public_errors = watch_errors(public)
    public.goto(f"{demo}/publik/")
    public.screenshot(path=str(SHOTS / "18-publik.png"), full_page=True)
    public.goto(f"{demo}/publik/cek/?kode={ticket.lower().replace('-', ' ')}")
    # Without its check part the code is not looked up.
    assert "Isi juga kode cek" in public.locator("main").inner_text()
    check = FLOW["check"].lower()
    public.goto(f"{demo}/publik/cek/?kode={ticket.lower().replace('-', ' ')}&cek={check}")
    text = public.locator("main").inner_text()
    # The closed complaint by its code and check part, typed loosely; no one's name or words.
    assert ticket in text and "Ditutup" in text
    assert "Siti Aminah" not in text and "trotoar" not in text
    public.screenshot(path=str(SHOTS / "19-publik-cek.png"), full_page=True)
    assert public_errors == []
