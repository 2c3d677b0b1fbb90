#!/usr/bin/env python3
"""Check that a running workbench answers: health, login, the report list and a report page.

    scripts/check_workbench.py http://127.0.0.1:8765 demo demo-password

Used by scripts/demo under CI (standard library only). Exit 0 when every page answered.
"""

from __future__ import annotations

import http.cookiejar
import re
import sys
import time
import urllib.parse
import urllib.request


def main(base: str, name: str, password: str) -> int:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    for _ in range(150):  # the server may take a few seconds to start
        try:
            with opener.open(f"{base}/healthz", timeout=2) as response:
                if response.status == 200:
                    break
        except OSError:
            time.sleep(0.2)
    else:
        print(f"workbench at {base} did not answer", file=sys.stderr)
        return 1
    with opener.open(f"{base}/login", timeout=10) as response:
        token = re.search(r'name="csrf_token" value="([^"]+)"', response.read().decode())
    if not token:
        print("no CSRF token on the login page", file=sys.stderr)
        return 1
    form = urllib.parse.urlencode({"name": name, "password": password, "csrf_token": token.group(1)})
    with opener.open(f"{base}/login", data=form.encode(), timeout=10) as response:
        listing = response.read().decode()
    ids = re.findall(r'href="/reports/(\d+)"', listing)
    if "报告列表" not in listing or not ids:
        print("the report list did not show after logging in", file=sys.stderr)
        return 1
    with opener.open(f"{base}/reports/{ids[0]}", timeout=10) as response:
        if "收到和处理政府信息公开申请情况" not in response.read().decode():
            print("the report page has no tables", file=sys.stderr)
            return 1
    print(f"workbench answered: login, list of {len(ids)} reports, report page")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
