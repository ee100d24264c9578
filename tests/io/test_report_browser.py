"""report.html in a real headless browser (Debian's chromium, driven by Selenium)."""
import re
import shutil

import pytest

import marp
from marp.compiler.driver import example_models
from marp.io.drawing import report_html

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
