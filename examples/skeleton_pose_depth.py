"""Pose and depth for a skeleton model, from `make demo` data.

Reads 3D joints, 2D joints and depth for 32-frame windows, builds the
skeleton's adjacency matrix from the registry (what a graph-convolution
model such as ST-GCN takes), and checks that the streams agree: each
joint's camera-frame z against the depth map at its 2D pixel, and its
projection through the clip's camera intrinsics against the 2D joints.
Run from the repository root after `make demo`:
    PYTHONPATH=python /usr/bin/python3 examples/skeleton_pose_depth.py [demo-out/demo.synapt]
"""
import sys

import numpy as np
import torch

import synapt
from synapt.data import ClipDataset

path = sys.argv[1] if len(sys.argv) > 1 else "demo-out/demo.synapt"
f = synapt.open(path)
clip = f[0]
sk = clip.stream("pose3d").skeleton
print("%s: %d clips; skeleton %s, %d joints, root %s" % (path, len(f), sk.name, len(sk),
                                                         sk.joints[sk.parents.index(-1)]))

# adjacency with self loops, symmetric-normalised (the ST-GCN input graph)
A = np.eye(len(sk), dtype=np.float32)
for child, parent in sk.edges:
    A[child, parent] = A[parent, child] = 1
d = A.sum(1) ** -0.5
A = torch.from_numpy(d[:, None] * A * d[None, :])

ds = ClipDataset(f, ("pose3d", "pose2d", "depth"), frames=32, sampling="uniform")
loader = torch.utils.data.DataLoader(ds, batch_size=8, shuffle=True, num_workers=2)
x, y = next(iter(loader))
p3 = x["pose3d"]                                  # (N, T, P, J, 3) metres, camera frame
print("batch: pose3d %s, pose2d %s, depth %s %s; labels %s"
      % (tuple(p3.shape), tuple(x["pose2d"].shape), tuple(x["depth"].shape), x["depth"].dtype,
         [f.labels[i] for i in y.tolist()]))
# a GCN layer's graph step: mix each joint's features with its neighbours'
mixed = torch.einsum("ntpjc,kj->ntpkc", torch.nan_to_num(p3), A)
print("graph step output", tuple(mixed.shape))

# consistency of one clip's streams, through the camera intrinsics
cam = clip.camera
j3 = clip.read("pose3d")[:, 0]                    # person 0: (T, J, 3)
j2 = clip.read("pose2d")[:, 0]                    # (T, J, 3): x, y, visibility
depth = clip.read("depth", metres=True)           # (T, H, W) float32 metres
u = cam.fx * j3[..., 0] / j3[..., 2] + cam.cx
v = cam.fy * j3[..., 1] / j3[..., 2] + cam.cy
reproj = np.hypot(u - j2[..., 0], v - j2[..., 1])
print("camera %s; 3D joints projected vs 2D joints: median %.2f px, max %.2f px"
      % (cam, np.median(reproj), reproj.max()))
col = np.clip(np.rint(j2[..., 0]).astype(int), 0, depth.shape[2] - 1)
row = np.clip(np.rint(j2[..., 1]).astype(int), 0, depth.shape[1] - 1)
at = depth[np.arange(len(depth))[:, None], row, col]
visible = j2[..., 2] > 0.5
gap = np.abs(at - j3[..., 2])[visible]
print("depth at visible joints vs joint z: median %.3f m over %d joints "
      "(the surface is in front of the joint centre)" % (np.median(gap), gap.size))
