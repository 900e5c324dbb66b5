"""Every console page in headless Chromium at an office screen's size and a phone's:
nothing wider than the window (wide tables scroll inside their own box), and a
full-page screenshot of each for a person to look at.

The screenshots go to $MAILBOT_SCREENSHOTS when set (docs/console/ keeps a few).
"""

from __future__ import annotations

import base64
import os
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By

from mailbot.app import review
from tests.console import chrome
from tests.web.test_browser import held_id, log_in, submit

pytestmark = pytest.mark.slow
SIZES = {"desktop": (1366, 768), "phone": (390, 844)}


def pages(web_site) -> dict[str, str]:
    return {"overview": "/", "unit": "/unit/区司法局?quarter=2026Q3", "review": "/review",
            "remind": "/remind", "reports": "/reports", "system": "/system?check=1",
            "files": f"/mail/{held_id(web_site)}/files"}


def full_page(browser, target: Path) -> None:
    """A screenshot of the whole page, beyond the window's height."""
    width, height = browser.execute_script(
        "return [document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
    shot = browser.execute_cdp_cmd("Page.captureScreenshot", {
        "format": "png", "captureBeyondViewport": True,
        "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1}})
    target.write_bytes(base64.b64decode(shot["data"]))


def fits(browser) -> bool:
    return browser.execute_script(
        "return document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("size", SIZES)
def test_every_page_fits_the_window_and_is_photographed(web_site, tmp_path, size):
    folder = Path(os.environ.get("MAILBOT_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    browser = chrome(*SIZES[size])
    shown = pages(web_site)  # while the held mail is held
    try:
        browser.get(web_site.url + "/login")
        full_page(browser, folder / f"login-{size}.png")
        for _ in range(5):  # another name's failures: slowed down, the staff's name is not
            log_in(browser, web_site, user="nobody", password="wrong")
        shot(browser, folder / f"login-slowed-{size}.png")
        log_in(browser, web_site)
        for name, path in shown.items():
            browser.get(web_site.url + path)
            assert browser.find_element(By.TAG_NAME, "h1").text, name
            shot(browser, folder / f"{name}-{size}.png")
        browser.get(web_site.url + shown["unit"])
        browser.find_element(By.XPATH, "//summary[text()='改为其他单位或季度…']").click()
        shot(browser, folder / f"reassign-{size}.png")  # the unit page's, opened
        browser.get(web_site.url + "/review")
        submit(browser, browser.find_element(By.XPATH, "//button[text()='登记']"))
        shot(browser, folder / f"confirm-{size}.png")
        review.accept(web_site.context(), held_id(web_site), who="李华")  # someone else, meanwhile
        submit(browser, browser.find_element(By.CSS_SELECTOR, "section.confirm button[type=submit]"))
        assert "未能执行：" in browser.find_element(By.CSS_SELECTOR, ".flash.error").text
        shot(browser, folder / f"refused-{size}.png")
    finally:
        browser.quit()
    assert len(list(folder.glob(f"*-{size}.png"))) == len(shown) + 5


def shot(browser, target: Path) -> None:
    assert fits(browser), f"{target.stem} is wider than the window"
    full_page(browser, target)
