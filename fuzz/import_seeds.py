# import_seeds.py - write the seed corpus of the importer fuzz targets
# (fuzz/fuzz_import.c) into fuzz/corpus/fuzz_imp_*/seed-*: small inputs of
# the kinds tests/import and tests/hostile build (no real data). Each seed is
# one selector byte (which reader, see fuzz_import.c) + the file's bytes.
# Run from the top of the checkout: /usr/bin/python3 fuzz/import_seeds.py
import io
import json
import os
import struct
import sys
import zlib
import zipfile

import numpy as np

sys.path.insert(0, 'tests/hostile')
import mat5  # noqa: E402


def put(target, name, sel, data):
    d = os.path.join('fuzz/corpus', target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, 'seed-' + name), 'wb') as f:
        f.write(bytes([sel]) + data)


def npy_bytes(a):
    b = io.BytesIO()
    np.save(b, a)
    return b.getvalue()


def png_gray16(w, h):
    raw = b''.join(b'\0' + struct.pack('>%dH' % w, *[(x * 97 + y) & 0xffff for x in range(w)])
                   for y in range(h))

    def chunk(t, d):
        return struct.pack('>I', len(d)) + t + d + struct.pack('>I', zlib.crc32(t + d) & 0xffffffff)
    return (b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, 16, 0, 0, 0, 0)) +
            chunk(b'IDAT', zlib.compress(raw)) + chunk(b'IEND', b''))


# 1 manifest
lines = [
    {"video": "v.mp4", "id": "a", "label": "walk", "split": "train", "group": "g1"},
    {"video": "v.mp4", "id": "b", "label": ["run", "fast"], "start_frame": 0, "end_frame": 4,
     "meta": {"n": 3, "s": "x", "f": 1.5}, "frame_labels": [0, 1, 1, 0]},
    {"frames": "img/", "id": "c", "pose2d": "p.npy", "skeleton": "coco17", "depth": "d.h5:/f",
     "depth_scale": 0.001, "synthetic": True, "group": {"subject": "s1", "view": 2}},
]
put('fuzz_imp_manifest', 'jsonl', 0, ''.join(json.dumps(x) + '\n' for x in lines).encode())
put('fuzz_imp_manifest', 'jsonl-k', 2, b'{"video":"v.mp4"}\n{"video":\n# c\n\n{"id":"x","pose3d":"s.skeleton"}\n')
put('fuzz_imp_manifest', 'csv', 1, b'video,id,label,split,meta\nv.mp4,a,walk|run,train,"{""k"":1}"\n'
    b'v2.mp4,b,"sit",val,\n')
# 2 layouts
put('fuzz_imp_layouts', 'list', 0, b'v.mp4 3\nclass/clip.avi\nw.mp4;walk\nx.mp4;0;4;1\n')
put('fuzz_imp_layouts', 'ssv2', 1, json.dumps([{"id": "1", "label": "pushing a thing",
    "template": "Pushing [something]", "placeholders": ["a cup"]}]).encode())
put('fuzz_imp_layouts', 'diving48', 2, json.dumps([{"vid_name": "abc_0001", "label": 3,
    "start_frame": 0, "end_frame": 40}]).encode())
put('fuzz_imp_layouts', 'kinetics', 3, b'label,youtube_id,time_start,time_end,split\n'
    b'"abseiling",--33Lscn6sk,4,14,train\n')
# 3 NTU .skeleton: 2 frames, 1 body, 25 joints
sk = ['2']
for t in range(2):
    sk += ['1', '72057594037931101 0 1 1 1 1 0 0.02 0.04 2', '25']
    sk += ['%.3f %.3f %.3f 250 200 1000 800 0 0 0 1 2' % (j * .01, j * .02, 3 + t * .01) for j in range(25)]
sktxt = ('\n'.join(sk) + '\n').encode()
put('fuzz_imp_skeleton', '3d', 1, sktxt)
put('fuzz_imp_skeleton', '2d', 0, sktxt)
# 4 pose JSON
ks = {"data": [{"frame_index": 1, "skeleton": [{"pose": [0.5] * 36, "score": [0.9] * 18}]},
               {"frame_index": 3, "skeleton": []}], "label": "dance", "label_index": 4}
put('fuzz_imp_posejson', 'kinetics', 0, json.dumps(ks).encode())
op = {"version": 1.3, "people": [{"person_id": [-1], "pose_keypoints_2d": [1.0, 2.0, 0.5] * 25}]}
put('fuzz_imp_posejson', 'openpose', 1, json.dumps(op).encode())
# 5 npy / npz
put('fuzz_imp_npy', 'pose', 0, npy_bytes(np.zeros((4, 2, 2), '<f4')))
put('fuzz_imp_npy', 'pose4', 4, npy_bytes(np.ones((4, 1, 2, 3), '<f4')))
put('fuzz_imp_npy', 'frames', 2, npy_bytes(np.arange(4 * 8 * 8, dtype='<u2').reshape(4, 8, 8)))
put('fuzz_imp_npy', 'labels', 0, npy_bytes(np.array([0, 1, 1, 0], '<i4')))
put('fuzz_imp_npy', 'fortran', 0, npy_bytes(np.asfortranarray(np.ones((3, 2, 2), '>f8'))))
z = io.BytesIO()
with zipfile.ZipFile(z, 'w', zipfile.ZIP_DEFLATED) as zf:
    zf.writestr('p.npy', npy_bytes(np.zeros((4, 2, 2), '<f4')))
put('fuzz_imp_npy', 'npz', 1, z.getvalue())
z = io.BytesIO()
with zipfile.ZipFile(z, 'w', zipfile.ZIP_STORED) as zf:
    zf.writestr('p.npy', npy_bytes(np.zeros((4, 3, 2), '<f4')))
put('fuzz_imp_npy', 'npz-stored', 3, z.getvalue())
# 6 png
put('fuzz_imp_png', 'depth16', 0, png_gray16(8, 6))
# 7 mat
put('fuzz_imp_mat', 'info', 0, mat5.header() + mat5.variable('joints2D', [2, 24, 3], 144) +
    mat5.variable('camDist', [1, 1], 1))
put('fuzz_imp_mat', 'depth', 0, mat5.header() + mat5.variable('depth_1', [4, 4], 16) +
    mat5.variable('depth_2', [4, 4], 16))
# 8 hdf5
try:
    import h5py
    b = io.BytesIO()
    with h5py.File(b, 'w') as f:
        f.create_dataset('p', data=np.zeros((3, 2, 2), 'f4'))
        f.create_dataset('f', data=np.zeros((2, 4, 4), 'u2'))
    put('fuzz_imp_hdf5', 'pose-frames', 0, b.getvalue())
    b = io.BytesIO()
    with h5py.File(b, 'w') as f:
        f.create_dataset('p', data=np.zeros((3, 2, 2), 'f4'), chunks=(1, 2, 2), compression='gzip')
        f.create_dataset('f', data=np.zeros((2, 4, 4, 3), 'u1'), chunks=(1, 4, 4, 3))
    put('fuzz_imp_hdf5', 'chunked', 1, b.getvalue())
except ImportError:
    print('import_seeds: h5py missing, no HDF5 seeds', file=sys.stderr)
