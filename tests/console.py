"""The staff console for tests: a campaign with a quarter of mail, the console served by
waitress on loopback, and headless Chromium driven by Selenium (Debian's chromium and
chromium-driver). Loaded as a pytest plugin by conftest.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from mailbot.app import pipeline
from mailbot.config import Config, load
from mailbot.outgoing.outbox import FolderTransport
from mailbot.web.serve import serve_in_background
from mailbot.web.settings import hash_password
from tests.pipeline import NOW, SEPT, unit_mail, write_config
from tests.tools import need_tool

STAFF, VIEWER, PASSWORD = "zhang", "leader", "correct horse 12"
HASH = hash_password(PASSWORD)
IMPOSTOR = "someone@elsewhere.example"
DRAFT = "草稿：此稿有误，请勿采用。"
# (unit, files, received, texts): what the store holds for 2026Q3 before a test acts
QUARTER_OF_MAIL = (
    ("区人社局", ("docx", "pdf"), SEPT, None),
    ("区卫健局", ("docx", "pdf"), SEPT, None),
    ("区残联", ("docx",), SEPT, None),  # no stamped PDF: incomplete
    ("区教体局", ("docx", "pdf"), datetime(2026, 10, 9, 2, tzinfo=timezone.utc), None),  # late
    ("区司法局", ("docx", "pdf"), SEPT - timedelta(days=3), None),
    ("区司法局", ("docx", "pdf"), SEPT, {3: DRAFT}),  # a later wrong mail: a draft's text
)
EXPECTED_COUNTS = {"on_time": 3, "late": 1, "incomplete": 1, "missing": 13}


def console_toml(listen: str = "127.0.0.1:0") -> str:
    return f"""
[web]
listen = "{listen}"
[[web.users]]
name = "{STAFF}"
password_hash = "{HASH}"
role = "staff"
[[web.users]]
name = "{VIEWER}"
password_hash = "{HASH}"
role = "viewer"
"""


def campaign_with_mail(folder: Path, smtp_url: str) -> Config:
    """config.toml with [web] and [smtp] set, and the quarter of mail ingested.

    The receipts those mails got are flushed to a folder, so the SMTP server sees
    only what the test's own actions send.
    """
    path = write_config(folder, console_toml(), edit=lambda text: text.replace(
        'url = "outbox:var/outbox"', f'url = "{smtp_url}"', 1))
    config = load(path)
    ctx = pipeline.Context.open(config, lambda: NOW)
    for number, (unit, files, when, texts) in enumerate(QUARTER_OF_MAIL):
        mail = unit_mail(ctx, unit, when, files, subject=f"{unit}三季度进展{number}", texts=texts)
        pipeline.ingest(ctx, mail, f"test:{number}", when)
    held = unit_mail(ctx, "区民政局", SEPT, sender=IMPOSTOR)
    pipeline.ingest(ctx, held, "test:held", SEPT)
    pipeline.flush_outbox(ctx, FolderTransport(folder / "receipts"))
    ctx.store.close()
    return config


@dataclass
class Site:
    url: str
    config: Config
    smtp: object  # tests.servers.SmtpServer

    def context(self) -> pipeline.Context:
        return pipeline.Context.open(self.config, lambda: NOW)


@pytest.fixture
def web_site(tmp_path, smtp_server):
    config = campaign_with_mail(tmp_path / "campaign", smtp_server.url())
    server = serve_in_background(config, lambda: NOW)
    yield Site(f"http://127.0.0.1:{server.port}", config, smtp_server)
    server.close()


def chrome(width: int = 1366, height: int = 768, downloads: Path | None = None):
    """Headless Debian chromium through Debian's chromedriver (no browser download)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    binary, driver = need_tool("chromium"), need_tool("chromedriver")
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-dev-shm-usage", f"--window-size={width},{height}", "--lang=zh-CN"):
        options.add_argument(flag)
    if downloads:
        options.add_experimental_option("prefs", {"download.default_directory": str(downloads),
                                                  "download.prompt_for_download": False})
    browser = webdriver.Chrome(service=Service(driver), options=options)
    browser.set_page_load_timeout(60)
    if width < 500:  # below the narrowest desktop window: emulate the phone's screen
        browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
            "width": width, "height": height, "deviceScaleFactor": 2, "mobile": True})
    if downloads:
        browser.execute_cdp_cmd("Browser.setDownloadBehavior",
                                {"behavior": "allow", "downloadPath": str(downloads)})
    return browser


@pytest.fixture
def browser(tmp_path):
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    driver = chrome(downloads=downloads)
    driver.downloads = downloads
    yield driver
    driver.quit()
