"""PyTorch peer of `distillery-bench perf`: the same KD and student steps, as a measuring stick only.

Prints one JSON object: {"torch": version, "threads": n, "results": {"mlp/kd": samples_per_s, ...}}.
Run by the bench when python3 with torch is installed; never a dependency of Distillery.
"""
import json
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def mlp(sizes):
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def lenet5(c1, c2, f1, f2):
    return nn.Sequential(
        nn.Conv2d(1, c1, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(c1, c2, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(c2 * 25, f1), nn.ReLU(), nn.Linear(f1, f2), nn.ReLU(), nn.Linear(f2, 10),
    )


PAIRS = {
    "mlp": (lambda: mlp([784, 1200, 1200, 10]), lambda: mlp([784, 800, 800, 10]), (784,)),
    "cnn": (lambda: lenet5(6, 16, 120, 84), lambda: lenet5(3, 8, 120, 84), (1, 32, 32)),
}


def measure(pair, kind, batch, steps, warmup):
    make_teacher, make_student, shape = PAIRS[pair]
    torch.manual_seed(1)
    teacher, student = make_teacher().eval(), make_student()
    optimizer = torch.optim.Adam(student.parameters(), lr=1e-3)
    xs = [torch.rand((batch,) + shape) for _ in range(4)]
    ys = [torch.randint(0, 10, (batch,)) for _ in range(4)]
    cached = [teacher(x).detach() for x in xs] if kind == "kd-cached" else None
    T, alpha = 4.0, 0.9

    def step(i):
        x, y = xs[i % 4], ys[i % 4]
        optimizer.zero_grad(set_to_none=True)
        logits = student(x)
        loss = F.cross_entropy(logits, y)
        if kind != "student":
            if cached is not None:
                teacher_logits = cached[i % 4]
            else:
                with torch.no_grad():
                    teacher_logits = teacher(x)
            kd = F.kl_div(F.log_softmax(logits / T, 1), F.log_softmax(teacher_logits / T, 1), reduction="batchmean", log_target=True) * T * T
            loss = (1 - alpha) * loss + alpha * kd
        loss.backward()
        optimizer.step()

    for i in range(warmup):
        step(i)
    start = time.perf_counter()
    for i in range(steps):
        step(i)
    return steps * batch / (time.perf_counter() - start)


def main():
    batch, steps, warmup, threads = (int(v) for v in sys.argv[1:5])
    torch.set_num_threads(threads)
    results = {}
    for pair in PAIRS:
        for kind in ("kd", "kd-cached", "student"):
            results[f"{pair}/{kind}"] = measure(pair, kind, batch, steps, warmup)
    print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "results": results}))


if __name__ == "__main__":
    main()
