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

SHOTS = Path(os.environ.get("LALISA_SCREENSHOTS", "var/screenshots"))
PASSWORD = "uji-browser-12345"
CODE = re.compile(r"LL-\d{4}-\d{4,}")

pytestmark = pytest.mark.browser


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
    env.update(LALISA_DATA_DIR=str(data), LALISA_DEMO_PASSWORD=PASSWORD)
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


def test_a_complaint_from_the_citizen_s_phone_to_the_closed_timeline(demo, browser):
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
    ticket = CODE.findall(citizen.page.locator("#chat").inner_text())[-1]

    # The admin, at her desk, verifies it.
    desk = browser.new_page(viewport={"width": 1280, "height": 900})
    desk.goto(f"{demo}/masuk/")
    desk.fill("input[name=username]", "demo-admin")
    desk.fill("input[name=password]", PASSWORD)
    desk.locator("form button[type=submit], form input[type=submit]").first.click()
    desk.goto(f"{demo}/aduan/{ticket}/")
    desk.get_by_text(ticket).first.wait_for()
    SHOTS.mkdir(parents=True, exist_ok=True)
    desk.screenshot(path=str(SHOTS / "04-admin-aduan.png"), full_page=True)
    desk.get_by_role("button", name=re.compile(r"^Verifikasi")).first.click()
    desk.get_by_text("Diverifikasi").first.wait_for()

    # The Kabid decides on his phone: the suggested team, one tap.
    kabid = Phone(browser.new_page(), demo)
    kabid.be("Ahmad Rifani", "0811000002")
    kabid.say("menu")
    kabid.wait_for_text("menunggu keputusan")
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
