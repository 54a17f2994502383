"""Data-parallel training over a synapt dataset: one process per GPU (or
per CPU core with the gloo backend), each reading its own share of the clips
through DistributedSampler.

    torchrun --nproc_per_node=2 docs/cluster/ddp_train.py synapt.synapt.json

On a CPU-only machine it runs with gloo, which is how the test runs it.
"""
import os
import sys

import torch
import torch.distributed as dist
import torch.nn as nn
from torch.utils.data import DataLoader
from torch.utils.data.distributed import DistributedSampler

import synapt
from synapt.data import ClipDataset


def main():
    source = sys.argv[1] if len(sys.argv) > 1 else "synapt.synapt.json"
    epochs = int(os.environ.get("EPOCHS", "1"))
    backend = "nccl" if torch.cuda.is_available() else "gloo"
    dist.init_process_group(backend)
    rank, world = dist.get_rank(), dist.get_world_size()
    data = synapt.open(source.split(",") if "," in source else source)
    ds = ClipDataset(data, streams="rgb", frames=8, sampling="random", seed=1)
    sampler = DistributedSampler(ds, num_replicas=world, rank=rank, shuffle=True, seed=1)
    dl = DataLoader(ds, batch_size=8, sampler=sampler, num_workers=1)
    classes = len(data.labels) if hasattr(data, "labels") else 1000
    model = nn.Sequential(nn.Flatten(), nn.LazyLinear(classes))
    x0, _ = ds[0]
    model(x0.float().unsqueeze(0))  # materialise the lazy layer before DDP wraps it
    model = nn.parallel.DistributedDataParallel(model)
    opt = torch.optim.SGD(model.parameters(), lr=1e-3)
    seen = 0
    for epoch in range(epochs):
        sampler.set_epoch(epoch)
        for x, y in dl:
            loss = nn.functional.cross_entropy(model(x.float() / 255), y.long())
            opt.zero_grad()
            loss.backward()
            opt.step()
            seen += x.shape[0]
    total = torch.tensor([seen])
    dist.all_reduce(total)
    if rank == 0:
        print("clips seen per epoch:", int(total) // epochs, "of", len(ds))
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
