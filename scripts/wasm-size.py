#!/usr/bin/env python3
"""What the app's wasm is made of: code bytes per crate, read from the name section of the
unoptimized build (cargo's output, before wasm-opt strips the names), and data bytes.
Usage: scripts/wasm-size.py [path/to/fashion-lab.wasm]  (default: the release build in
$CARGO_TARGET_DIR). Sizes are before wasm-opt and gzip; the shares are what counts."""
import os, re, sys, zlib
from collections import Counter

def leb(b, i):
    result = shift = 0
    while True:
        byte = b[i]; i += 1
        result |= (byte & 0x7F) << shift; shift += 7
        if byte < 0x80: return result, i

def crate_of(name):
    if name.startswith('_ZN'):  # legacy mangling: _ZN<len><ident>...
        m = re.match(r'_ZN(\d+)', name)
        n = int(m.group(1)); s = name[m.end():m.end() + n]
    elif name.startswith('_R'):
        return 'v0-mangled'
    else:
        s = re.split(r'::|<| ', name.lstrip('<'))[0]
    s = re.sub(r'^_\$LT\$', '', s)  # <crate::Type as Trait>::method
    return s.split('..')[0].split('::')[0] or name[:20]

path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
    os.environ.get('CARGO_TARGET_DIR', os.path.expanduser('~/.cache/fashion-lab/target')),
    'wasm32-unknown-unknown/release/fashion-lab.wasm')
b = open(path, 'rb').read()
i = 8; imports = 0; bodies = []; names = {}; data = 0; sections = Counter()
while i < len(b):
    sid = b[i]; size, j = leb(b, i + 1); end = j + size
    if sid == 2:
        count, k = leb(b, j)
        for _ in range(count):
            for _ in range(2):
                n, k = leb(b, k); k += n
            kind = b[k]; k += 1
            if kind == 0: _, k = leb(b, k); imports += 1
            elif kind == 1: k += 1; flags, k = leb(b, k); _, k = leb(b, k); k = leb(b, k)[1] if flags & 1 else k
            elif kind == 2: flags, k = leb(b, k); _, k = leb(b, k); k = leb(b, k)[1] if flags & 1 else k
            elif kind == 3: k += 2
    elif sid == 10:
        count, k = leb(b, j)
        for _ in range(count):
            n, k2 = leb(b, k); bodies.append(k2 - k + n); k = k2 + n
    elif sid == 11:
        data += size
    elif sid == 0:
        n, k = leb(b, j); cname = b[k:k + n].decode(); k += n
        if cname == 'name':
            while k < end:
                sub = b[k]; ssize, k = leb(b, k + 1); send = k + ssize
                if sub == 1:
                    count, k = leb(b, k)
                    for _ in range(count):
                        idx, k = leb(b, k); n, k = leb(b, k); names[idx] = b[k:k + n].decode('utf-8', 'replace'); k += n
                k = send
        sections['custom ' + cname] += size
    sections[sid] += size
    i = end
per = Counter()
for f, size in enumerate(bodies):
    per[crate_of(names.get(imports + f, '?'))] += size
code = sum(bodies)
print(f'{path}: {len(b)/1e6:.2f} MB ({len(zlib.compress(b, 9))/1e6:.2f} MB deflated), code {code/1e6:.2f} MB in {len(bodies)} functions, data {data/1e6:.2f} MB')
for crate, size in per.most_common(25):
    print(f'{size/1e6:8.2f} MB {100*size/code:5.1f}%  {crate}')
