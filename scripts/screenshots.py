"""Take the README's screenshots from a running Kakehashi with the demo loaded.

    make run            # in one terminal
    .venv/bin/python scripts/screenshots.py [http://127.0.0.1:8000]

Japanese pages need a CJK font in the system (Debian: fonts-noto-cjk).
"""

import sys
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

BASE = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000"
OUT = Path(__file__).resolve().parents[1] / "docs" / "screenshots"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]


def shoot(page: Page, path: str, name: str) -> None:
    page.goto(BASE + path)
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(OUT / f"{name}.png"), full_page=False)
    print("saved", name)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=FLAGS)
        for language in ("en", "ru", "ja"):
            context = browser.new_context(
                viewport={"width": 1280, "height": 860},
                locale=language,
                extra_http_headers={"Accept-Language": language},
            )
            page = context.new_page()
            shoot(page, "/", f"catalog-{language}")
            context.close()

        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.goto(BASE + "/accounts/login/")
        page.fill("input[name=username]", "office")
        page.fill("input[name=password]", "kakehashi-demo")
        page.click("form.stacked button[type=submit], main form button[type=submit]")
        shoot(page, "/office/", "office-overview")
        page.goto(BASE + "/office/")
        page.click("main a[href*='/office/centers/']")
        page.click("main a[href*='/office/cohorts/']")
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(OUT / "office-roster.png"))
        print("saved office-roster")

        phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
        shoot(phone.new_page(), "/", "catalog-phone")
        browser.close()


if __name__ == "__main__":
    main()
