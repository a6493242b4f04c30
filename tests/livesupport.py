"""A real WSGI server (waitress) on a free loopback port, and headless Debian Chromium, for the browser tests."""
from __future__ import annotations

import os
import shutil
import tempfile
import threading

import requests
from waitress import create_server

EXTENSION_DIR = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "extension"))


class LiveServer:
    """``with LiveServer(app) as server: server.url`` serves ``app`` on 127.0.0.1 in a background thread."""

    def __init__(self, app, threads: int = 4):
        self.app = app
        self.server = create_server(app, host="127.0.0.1", port=0, threads=threads)
        self.port = self.server.effective_port
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self):
        self.thread.start()
        requests.get(self.url + "/api/v1/health", timeout=5).raise_for_status()
        forget_origin(self.url)
        return self

    def __exit__(self, *exc):
        stop_waitress(self.server, self.thread)


def stop_waitress(server, thread: threading.Thread):
    """Stop a waitress server running in ``thread``. Chromium keeps HTTP connections alive and waitress's loop
    runs while any is open, so each channel is asked to close; the listening socket is closed inside the loop's
    own thread (closing it from here while the loop sits in select() gave EBADF)."""
    def stop():
        for channel in list(server._map.values()):
            if channel is not server and hasattr(channel, "will_close"):
                channel.will_close = True
        server.close()

    # The loop's wake-up pipe can be gone (the loop closes it after a read error on it, seen in teardowns with
    # the two test workers: EBADF on pulling it), and it can be closed before it is flagged so: then there is no
    # way into the loop's thread, so stop from here.
    try:
        if server.trigger._closed:
            raise OSError("waitress's trigger is closed")
        server.trigger.pull_trigger(stop)
    except OSError:
        stop()
    thread.join(timeout=5)
    server.task_dispatcher.shutdown()


def chromium(extension: str | None = EXTENSION_DIR, window=(1400, 1000)):
    """A headless Chromium driven by Selenium, with the unpacked extension loaded. Caller quits it."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="loyalty-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                 "--disable-sync", "--disable-background-networking", "--disable-component-update",
                 "--lang=en-US",  # Chrome in English: the French tests set the extension's own language
                 f"--user-data-dir={profile}", f"--window-size={window[0]},{window[1]}"):
        options.add_argument(flag)
    if extension:
        options.add_argument(f"--load-extension={extension}")
        options.add_argument(f"--disable-extensions-except={extension}")
    # An explicit driver path: otherwise Selenium Manager tries to download one, and the network is closed here.
    service = Service(executable_path=shutil.which("chromedriver") or "/usr/bin/chromedriver")
    driver = webdriver.Chrome(service=service, options=options)
    driver._loyalty_profile = profile
    _BROWSERS.append(driver)
    return driver


# The browsers of this process: a new server's address may be an earlier one's (any free port), and a page there
# must not find what an earlier test's page stored (the demo POS keeps its sale in localStorage).
_BROWSERS: list = []


def forget_origin(url: str):
    for driver in _BROWSERS:
        # not cookies: they belong to the host, every port, and a test may still be signed in to another server
        driver.execute_cdp_cmd("Storage.clearDataForOrigin",
                               {"origin": url, "storageTypes": "local_storage,indexeddb,cache_storage"})


def quit_chromium(driver):
    profile = getattr(driver, "_loyalty_profile", None)
    if driver in _BROWSERS:
        _BROWSERS.remove(driver)
    driver.quit()
    if profile:
        shutil.rmtree(profile, ignore_errors=True)
