"""Independent PyTorch cross-check of the teacher-assistant suite's direct-KD row.

Same data (dumped by dump-fashion-mnist.mjs), same models (784-1200-1200 MLP with dropout 0.2, 10 epochs;
784-30 MLP, 8 epochs), batch 128, Adam 1e-3, KD = (1 - alpha) CE + alpha T^2 KL(teacher || student).
Usage: /usr/bin/python3 ta_kd_torch.py /tmp/fm
"""
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
folder = sys.argv[1] if len(sys.argv) > 1 else '/tmp/fm'
load = lambda name, dtype: np.fromfile(os.path.join(folder, name), dtype=dtype)
X = torch.from_numpy(load('train-x.f32', np.float32).reshape(-1, 784))
Y = torch.from_numpy(load('train-y.i32', np.int32).astype(np.int64))
Xt = torch.from_numpy(load('test-x.f32', np.float32).reshape(-1, 784))
Yt = torch.from_numpy(load('test-y.i32', np.int32).astype(np.int64))


def mlp(hidden, dropout=0.0):
    layers, width = [], 784
    for units in hidden:
        layers += [nn.Linear(width, units), nn.ReLU()] + ([nn.Dropout(dropout)] if dropout else [])
        width = units
    return nn.Sequential(*layers, nn.Linear(width, 10))


def accuracy(model):
    model.eval()
    with torch.no_grad():
        return (model(Xt).argmax(1) == Yt).float().mean().item() * 100


def train(model, epochs, teacher=None, temperature=4.0, alpha=0.9):
    torch.manual_seed(0)  # shuffling and dropout; the initialisation is seeded by the caller
    optimiser = torch.optim.Adam(model.parameters(), 1e-3)
    for _ in range(epochs):
        model.train()
        order = torch.randperm(len(X))
        for start in range(0, len(X), 128):
            idx = order[start:start + 128]
            logits = model(X[idx])
            loss = F.cross_entropy(logits, Y[idx])
            if teacher is not None:
                with torch.no_grad():
                    soft = F.softmax(teacher(X[idx]) / temperature, 1)
                kd = F.kl_div(F.log_softmax(logits / temperature, 1), soft, reduction='batchmean') * temperature ** 2
                loss = (1 - alpha) * loss + alpha * kd
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
    return accuracy(model)


torch.manual_seed(1)
teacher = mlp([1200, 1200], 0.2)
print('teacher 784-1200-1200, 10 epochs: %.2f %%' % train(teacher, 10), flush=True)
teacher.eval()
torch.manual_seed(2)
print('784-30 alone, 8 epochs: %.2f %%' % train(mlp([30]), 8), flush=True)
for temperature, alpha in [(4, 0.9), (2, 0.5)]:
    torch.manual_seed(2)
    print('784-30 KD T=%g alpha=%g: %.2f %%' % (temperature, alpha, train(mlp([30]), 8, teacher, temperature, alpha)), flush=True)
