"""Speech-model archives for the download tests and the fault campaign: a good one, and the ways one
goes wrong (no top folder, a path escaping the folder, a captive portal's page, a file where a
folder must be, deflate64, encryption)."""
from __future__ import annotations

import io
import zipfile


def make_zip(top: str | None = "tiny-model", extra: dict[str, bytes] | None = None) -> bytes:
    buf = io.BytesIO()
    prefix = f"{top}/" if top else ""
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(prefix + "am/final.mdl", b"acoustic model " * 2000)
        z.writestr(prefix + "conf/mfcc.conf", b"--sample-frequency=16000\n")
        z.writestr(prefix + "README", b"tiny test model\n")
        for name, data in (extra or {}).items():
            z.writestr(name, data)
    return buf.getvalue()


GOOD = make_zip()
FLAT = make_zip(top=None)
EVIL = make_zip(extra={"../escaped.txt": b"outside"})
NOT_ZIP = b"<html>a captive portal page, not a zip</html>" * 100


def patch_members(data: bytes, *, method: int | None = None, flags: int | None = None) -> bytes:
    """The zip with every member's compression method and/or flag bits rewritten in both headers
    (how a deflate64 or a password-protected archive looks to a reader)."""
    import struct

    out = bytearray(data)
    for sig, flag_at, method_at in ((b"PK\x03\x04", 6, 8), (b"PK\x01\x02", 8, 10)):
        pos = out.find(sig)
        while pos != -1:
            if flags is not None:
                struct.pack_into("<H", out, pos + flag_at, flags)
            if method is not None:
                struct.pack_into("<H", out, pos + method_at, method)
            pos = out.find(sig, pos + 4)
    return bytes(out)


CLASH = make_zip(extra={"tiny-model/am/final.mdl/oops": b"a file inside a file"})
DEFLATE64 = patch_members(GOOD, method=9)
ENCRYPTED = patch_members(GOOD, flags=0x1)
BODIES = {"/good.zip": GOOD, "/flat.zip": FLAT, "/evil.zip": EVIL, "/portal.zip": NOT_ZIP, "/clash.zip": CLASH,
          "/deflate64.zip": DEFLATE64, "/encrypted.zip": ENCRYPTED}
