#!/usr/bin/env python3
"""Verify an HS256 JWT independently of Go: read {"token", "secret"} as JSON
on stdin, check the signature with hmac + base64url from the standard
library, and print {"header", "claims"} as JSON. Exit 1 if the token is
malformed or the signature does not match."""
import base64
import hashlib
import hmac
import json
import sys


def b64url_decode(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def main():
    req = json.load(sys.stdin)
    parts = req["token"].split(".")
    if len(parts) != 3:
        sys.exit("not three parts")
    signing_input = (parts[0] + "." + parts[1]).encode("ascii")
    want = hmac.new(req["secret"].encode("utf-8"), signing_input, hashlib.sha256).digest()
    if not hmac.compare_digest(want, b64url_decode(parts[2])):
        sys.exit("bad signature")
    json.dump({"header": json.loads(b64url_decode(parts[0])),
               "claims": json.loads(b64url_decode(parts[1]))}, sys.stdout)


main()
