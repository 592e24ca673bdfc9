#!/usr/bin/env python3
"""Drive openbadgeslib's baking module directly, for both OB 2.0 and OB 3.0 carriers.

`ob3-py extract` / `bake-png` / `bake-svg` only use the OB 3.0 carriers; this helper passes the
OB 2.0 ones (`openbadges` / `openbadges:assertion`) too, so every combination the library
supports is checked. Run it with the py311-ob3 venv's python (tests/interop/bake.rs does): it
is a peer adapter, because openbadgeslib has no command for its OB 2.0 carriers.

usage: bake_openbadgeslib.py extract ob2|ob3 IMAGE            (prints the payload; exit 1 if none)
       bake_openbadgeslib.py bake ob2|ob3 IMAGE PAYLOAD_FILE OUT
"""
import sys

from openbadgeslib import baking


def carriers(version):
    if version == 'ob3':
        return baking.ITXT_KEYWORD_OB3, baking.SVG_ELEMENT_OB3, baking.SVG_NS_OB3
    return baking.ITXT_KEYWORD, baking.SVG_ELEMENT, baking.SVG_NS


def main(argv):
    if len(argv) < 4:
        sys.stderr.write(__doc__)
        return 2
    cmd, version, image = argv[1], argv[2], argv[3]
    keyword, element, namespace = carriers(version)
    raw = open(image, 'rb').read()
    is_png = raw.startswith(b'\x89PNG')
    if cmd == 'extract':
        if is_png:
            tok = baking.extract_png(raw, keyword=keyword)
        else:
            tok = baking.extract_svg(raw, element=element, text_fallback=True)
        if not tok:
            return 1
        print(tok.strip())
        return 0
    if cmd == 'bake':
        payload = open(argv[4], encoding='utf-8').read().strip()
        if is_png:
            out = baking.bake_png(raw, payload, keyword=keyword)
        else:
            out = baking.bake_svg(raw, payload, element=element, namespace=namespace,
                                  as_text=payload.startswith('{'))
        open(argv[5], 'wb').write(out)
        return 0
    sys.stderr.write(__doc__)
    return 2


if __name__ == '__main__':
    sys.exit(main(sys.argv))
