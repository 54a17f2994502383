"""Train a small 3D CNN on `make demo` data, straight from the .synapt file.
Run from the repository root after `make demo`:
    PYTHONPATH=python /usr/bin/python3 examples/train_rgb.py [demo-out/demo.synapt]"""
import sys
import torch
import torch.nn as nn
from synapt.data import ClipDataset

path = sys.argv[1] if len(sys.argv) > 1 else "demo-out/demo.synapt"
# (T, H, W, 3) uint8 -> (3, T, H/2, W/2) float in [0, 1], the layout Conv3d expects
to_input = lambda x: x[:, ::2, ::2].permute(3, 0, 1, 2).float().div(255)
train = ClipDataset(path, "rgb", frames=8, step=2, sampling="random", split="train",
                    transform=to_input)
val = ClipDataset(path, "rgb", frames=8, step=2, sampling="uniform", split="val",
                  transform=to_input)
if not len(train) or not len(val):
    sys.exit("train_rgb: %s needs clips in both the train and the val split" % path)
classes = len(train.source.labels)
model = nn.Sequential(nn.Conv3d(3, 16, 3, stride=(1, 2, 2), padding=1), nn.ReLU(),
                      nn.Conv3d(16, 32, 3, stride=2, padding=1), nn.ReLU(),
                      nn.AdaptiveAvgPool3d(1), nn.Flatten(), nn.Linear(32, classes))
opt = torch.optim.Adam(model.parameters(), lr=3e-3)
loader = torch.utils.data.DataLoader(train, batch_size=16, shuffle=True, num_workers=2)
for epoch in range(8):
    train.set_epoch(epoch)              # new random windows each epoch
    model.train()
    for x, y in loader:
        loss = nn.functional.cross_entropy(model(x), y)
        opt.zero_grad(); loss.backward(); opt.step()
    model.eval()
    with torch.no_grad():
        hits = sum((model(x).argmax(1) == y).sum().item()
                   for x, y in torch.utils.data.DataLoader(val, batch_size=32, num_workers=2))
    print("epoch %d: loss %.3f, val accuracy %.2f (%d clips, chance %.2f)"
          % (epoch, loss.item(), hits / len(val), len(val), 1 / classes))
