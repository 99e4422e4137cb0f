from tests.browser import browser  # noqa: F401 - the shared headless chromium fixture

# CI runs the property tests on a fixed sequence of examples, so a landing never hangs on a
# newly drawn one; `bench/faults.py` runs the longer seeded campaign, and a local run explores.
import os  # noqa: E402

from hypothesis import settings  # noqa: E402

settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    settings.load_profile("ci")
