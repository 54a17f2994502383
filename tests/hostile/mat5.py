# mat5.py - a few lines of MAT v5 writing (no scipy here), for the hostile
# tests and the fuzz seeds: `python3 mat5.py OUT NAME:D0xD1xD2[:VALUES]...`
# writes double variables whose headers claim the dims given while the data
# holds VALUES doubles (default: exactly what the dims say).
import struct
import sys


def elem(tag, data):
    pad = (8 - len(data) % 8) % 8
    return struct.pack('<II', tag, len(data)) + data + b'\0' * pad


def variable(name, dims, values):
    flags = elem(6, struct.pack('<II', 6, 0))              # miUINT32: class double
    dim = elem(5, struct.pack('<%di' % len(dims), *dims))  # miINT32
    nm = elem(1, name.encode())                            # miINT8
    data = elem(9, struct.pack('<%dd' % values, *([0.5] * values)))  # miDOUBLE
    body = flags + dim + nm + data
    return struct.pack('<II', 14, len(body)) + body        # miMATRIX


def header():
    text = b'MATLAB 5.0 MAT-file, written by synapt tests'.ljust(116, b' ')
    return text + b'\0' * 8 + struct.pack('<H', 0x0100) + b'IM'


if __name__ == '__main__':
    body = header()
    for spec in sys.argv[2:]:
        parts = spec.split(':')
        dims = [int(d) for d in parts[1].split('x')]
        n = 1
        for d in dims:
            n *= d
        body += variable(parts[0], dims, int(parts[2]) if len(parts) > 2 else n)
    with open(sys.argv[1], 'wb') as f:
        f.write(body)
