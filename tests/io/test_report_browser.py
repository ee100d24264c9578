"""report.html in a real headless browser (Debian's chromium, driven by Selenium)."""
import os
import re
import shutil

import pytest

import marp
from marp.compiler.driver import example_models
from marp.io.report import report_html

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")


@pytest.fixture(scope="module")
def browser():
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed "
                                    "(pip install selenium; .ci/run installs it)")
    if not CHROMIUM or not DRIVER:
        pytest.skip("no chromium/chromedriver on this machine (Debian packages chromium and "
                    "chromium-driver; .ci/run installs them)")
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"):
        opts.add_argument(flag)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(DRIVER), options=opts)
    yield driver
    driver.quit()


def test_report_loads_without_errors_and_draws_every_array(browser, tmp_path):
    m = marp.compile(example_models("mlperf-tiny"))
    page = tmp_path / "report.html"
    page.write_text(report_html(m))
    browser.get(page.as_uri())
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == []
    drawn = browser.execute_script("return document.querySelectorAll('g.array').length")
    assert drawn == m.packing.arrays_used == 16
    blocks = browser.execute_script("return document.querySelectorAll('rect.block').length")
    assert blocks == len(m.blocks)
    title = browser.execute_script(
        "return document.querySelector('rect.block title').textContent")
    assert re.fullmatch(r"\w+ / layer \d+: .+ / tile r\d+ c\d+ / \d+ rows x \d+ cols", title)
    assert browser.execute_script("return document.querySelectorAll('table').length") == 3


def test_report_draws_the_schedule_when_the_bank_is_too_small(browser, tmp_path):
    small = marp.load_arch("qracc").with_values({"aimc.arrays": 4})
    m = marp.compile(example_models("mlperf-tiny"), small)
    page = tmp_path / "report.html"
    page.write_text(report_html(m))
    browser.get(page.as_uri())
    assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []
    steps = len(m.report.timeline)
    loads = sum(1 for s in m.report.timeline if s["loaded"])
    rects = browser.execute_script("return document.querySelectorAll('svg.timeline rect')"
                                   ".length")
    assert rects == steps + loads and loads == m.report.totals["phases"]
    text = browser.execute_script("return document.body.textContent")
    assert "needs 19 arrays, bank has 4: 16 phases" in text


def test_report_reads_at_1280x800(browser, tmp_path):
    """A laptop screen: no sideways scroll of the page, the legend on the page, one drawing
    per array, the table sortable, long names cut in the middle and whole on hover. The
    screenshot is kept as tests' output (report-1280x800.png) for a person to look at."""
    m = marp.compile(example_models("mlperf-tiny"))
    page = tmp_path / "report.html"
    page.write_text(report_html(m))
    browser.set_window_size(1280, 800)
    browser.get(page.as_uri())
    assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []
    js = browser.execute_script
    assert js("return document.documentElement.scrollWidth") <= \
        js("return document.documentElement.clientWidth")
    assert js("return document.getElementById('legend').getBoundingClientRect().height") > 0
    assert js("return document.querySelectorAll('.legend span.sw').length") >= 4 + 10
    assert js("return document.querySelectorAll('.arrays figure svg').length") == 16
    assert js("return document.querySelector('.arrays svg').getBoundingClientRect()"
              ".width") >= 60
    # the bank and geometry in the first lines
    assert "16 arrays of 1152 rows x 256 columns; the bank has 16 arrays" in \
        js("return document.querySelector('p.lead').textContent")
    # names cut in the middle, whole in the title
    cell = js("var c = Array.from(document.querySelectorAll('table.sortable td.name'))"
              ".find(c => c.textContent.includes('\u2026')); return [c.textContent, c.title]")
    assert len(cell[0]) <= 36 and len(cell[1]) > 36 and cell[1].startswith(cell[0][:17])
    shot = tmp_path / "report-1280x800.png"
    browser.save_screenshot(str(shot))           # the first screen, as a reader meets it
    assert shot.stat().st_size > 10_000
    if os.access("/tmp", os.W_OK):
        shutil.copy(shot, "/tmp/report-1280x800.png")
    # sorting by MACs (descending after two clicks) puts the largest layer first
    col = js("return Array.from(document.querySelectorAll('table.sortable th'))"
             ".findIndex(h => h.textContent === 'macs')")
    th = browser.find_elements("css selector", "table.sortable th")[col]
    th.click()
    th.click()
    first = js(f"return document.querySelector('table.sortable tbody tr').cells[{col}]"
               f".dataset.v")
    assert int(first) == max(r["macs"] for r in m.summary["layers"])
