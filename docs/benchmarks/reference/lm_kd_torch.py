"""Independent PyTorch cross-check of the lm suite (apps/bench/suites/lm.yaml, results in docs/benchmarks/lm.md).

Same data: the 32-token next-token windows the suite trains and tests on (WordPiece vocabulary of 1,000
pieces learned from the three-way SpamAssassin training split, messages capped at 256 pieces and joined
with [SEP], 3,000 evenly spaced training windows, 1,000 evenly spaced test windows), dumped by
dump-lm-windows.mjs. Targets at every position are concat(x[1:], y), weighted by (input != [PAD]) and
(target != [PAD]); the windows contain no [PAD], so every position counts.

Same models (packages/models/src/text/transformer-lm.ts, encoder.ts, attention.ts, ops.ts): post-LN
(BERT-style) causal Transformer, learned token and position embeddings summed then layer-normed, dropout 0.1
after the embedding norm, on the attention probabilities, on the attention output and on the feed-forward
output (each before its residual add), exact GELU, layer-norm epsilon 1e-5, output projection tied to the
token embedding plus a zero-initialised bias; every weight truncated normal(0, 0.02) cut at 2 std, biases 0,
norm gains 1. Teacher width 64, 4 heads, ffWidth 128, 2 layers, 6 epochs; students width 32, 4 heads,
ffWidth 64, 1 layer, 2 epochs. Batch 32 (last batch partial), Adam lr 1e-3 (tfjs epsilon 1e-7).

Same objectives (offline scheme, alpha 1, so the last-position hard-label CE has weight 0 for students):
  student alone   lm-ce: mean next-token NLL over every weighted position
  forward KL      0.5 lm-ce + token-kd forward, mean over real positions of KL(p_T || p_S), T = 1 (T^2 = 1)
  reverse KL      0.5 lm-ce + token-kd reverse, mean over real positions of KL(p_S || p_T), T = 1
The teacher runs in inference mode (no dropout) during distillation. The suite's teacher row trains on
lm-ce (`losses: [{ name: lm-ce }]`); --teacher-objective all (default) does the same. Until that setting was
added the bench trained the LM teacher with the offline scheme's hard-label CE on the classification
logits, i.e. the next-token logits at the last position only (recorded training terms `ce` alone, no
`lmCe`); --teacher-objective last reproduces that earlier pipeline.

Metrics as apps/bench/src/text/lm-evaluation.ts: in inference mode over the test windows, perplexity =
exp(mean NLL over every weighted position), next-token accuracy = share of those positions whose arg-max
is the target; plus agreement with the teacher's arg-max at the last position (the report's column).

Not reproduced: tfjs's random streams (initial values, dropout masks, batch order); here the teacher's
weights are drawn from seed * 1000 + 1, the students' (identical for the three rows) from seed * 1000 + 2,
and the batch order per epoch from the run seed, shared by the three student rows as in the bench.
Adam is the same update as tfjs's (bias-corrected moments, epsilon added to sqrt(v_hat)), with tfjs's 1e-7.

Usage (from the repository root, after `npm run build`):
  node docs/benchmarks/reference/dump-lm-windows.mjs /tmp/lm
  /usr/bin/python3 docs/benchmarks/reference/lm_kd_torch.py /tmp/lm --seeds 1
  /usr/bin/python3 docs/benchmarks/reference/lm_kd_torch.py /tmp/lm --teacher-objective last  # the earlier last-position teacher
Smoke run (the suite's quick block: 400 / 200 windows chosen from the full splits, 1 epoch each; not for conclusions):
  node docs/benchmarks/reference/dump-lm-windows.mjs /tmp/lm-quick 400 200
  /usr/bin/python3 docs/benchmarks/reference/lm_kd_torch.py /tmp/lm-quick --quick
(--quick on the full dump subsamples its 3,000 / 1,000 windows instead: close to, not the same as, the quick block.)
"""
import argparse
import json
import math
import os
import time

os.environ.setdefault('OMP_NUM_THREADS', '1')
os.environ.setdefault('MKL_NUM_THREADS', '1')

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

torch.set_num_threads(1)
torch.set_num_interop_threads(1)

PAD_ID = 0
MASK_NEGATIVE = -1e9
parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
parser.add_argument('folder', nargs='?', default='/tmp/lm')
parser.add_argument('--seeds', default='1', help='comma-separated run seeds, e.g. 1,2,3 (default 1)')
parser.add_argument('--teacher-epochs', type=int, default=6)
parser.add_argument('--student-epochs', type=int, default=2)
parser.add_argument('--train-limit', type=int, default=None, help='evenly spaced subset of the dumped training windows')
parser.add_argument('--test-limit', type=int, default=None, help='evenly spaced subset of the dumped test windows')
parser.add_argument('--teacher-objective', choices=['last', 'all'], default='all',
                    help='all: lm-ce over every position (the suite); last: hard-label CE at the last position (the earlier pipeline)')
parser.add_argument('--quick', action='store_true', help='the suite\'s quick block: 400 / 200 windows, 1 epoch each')
args = parser.parse_args()
if args.quick:
    args.teacher_epochs, args.student_epochs = 1, 1
    args.train_limit, args.test_limit = args.train_limit or 400, args.test_limit or 200

meta = json.load(open(os.path.join(args.folder, 'meta.json')))
VOCAB, LENGTH = meta['vocabSize'], meta['windowLength']


def load(split, limit):
    x = np.fromfile(os.path.join(args.folder, f'{split}-x.i32'), dtype='<i4').reshape(-1, LENGTH)
    y = np.fromfile(os.path.join(args.folder, f'{split}-y.i32'), dtype='<i4')
    if limit is not None and limit < len(y):  # the bench's rule: floor(i * size / n)
        idx = np.array([i * len(y) // limit for i in range(limit)])
        x, y = x[idx], y[idx]
    return torch.from_numpy(x.astype(np.int64)), torch.from_numpy(y.astype(np.int64))


X, Y = load('train', args.train_limit)
Xt, Yt = load('test', args.test_limit)


def trunc_normal(*shape):
    return nn.Parameter(nn.init.trunc_normal_(torch.empty(*shape), std=0.02, a=-0.04, b=0.04))


class Dense(nn.Module):
    """x @ kernel + bias with a [in, out] kernel, initialised as the TS dense weights."""

    def __init__(self, inputs, units):
        super().__init__()
        self.kernel = trunc_normal(inputs, units)
        self.bias = nn.Parameter(torch.zeros(units))

    def forward(self, x):
        return x @ self.kernel + self.bias


class Block(nn.Module):
    def __init__(self, width, heads, ff_width, dropout):
        super().__init__()
        self.heads, self.dropout = heads, dropout
        self.query, self.key, self.value, self.output = (Dense(width, width) for _ in range(4))
        self.attention_norm = nn.LayerNorm(width, eps=1e-5)
        self.inner, self.outer = Dense(width, ff_width), Dense(ff_width, width)
        self.output_norm = nn.LayerNorm(width, eps=1e-5)

    def forward(self, x, bias):
        b, length, width = x.shape
        split = lambda t: t.view(b, length, self.heads, width // self.heads).transpose(1, 2)
        q, k, v = split(self.query(x)), split(self.key(x)), split(self.value(x))
        scores = q @ k.transpose(-1, -2) / math.sqrt(width // self.heads)
        probs = F.dropout(torch.softmax(scores + bias, -1), self.dropout, self.training)
        context = (probs @ v).transpose(1, 2).reshape(b, length, width)
        h = self.attention_norm(x + F.dropout(self.output(context), self.dropout, self.training))
        ff = self.outer(F.gelu(self.inner(h)))  # exact (erf) GELU
        return self.output_norm(h + F.dropout(ff, self.dropout, self.training))


class TransformerLM(nn.Module):
    def __init__(self, width, heads, ff_width, layers, dropout=0.1):
        super().__init__()
        self.dropout = dropout
        self.token = trunc_normal(VOCAB, width)
        self.position = trunc_normal(LENGTH, width)
        self.embedding_norm = nn.LayerNorm(width, eps=1e-5)
        self.blocks = nn.ModuleList(Block(width, heads, ff_width, dropout) for _ in range(layers))
        self.lm_bias = nn.Parameter(torch.zeros(VOCAB))  # tied output projection: token embedding transposed
        causal = torch.tril(torch.ones(LENGTH, LENGTH))
        self.register_buffer('future', ((1 - causal) * MASK_NEGATIVE).view(1, 1, LENGTH, LENGTH))

    def forward(self, ids):
        """tokenLogits [B, L, V]"""
        length = ids.shape[1]
        mask = (ids != PAD_ID).float()
        bias = ((1 - mask) * MASK_NEGATIVE).view(-1, 1, 1, length) + self.future[:, :, :length, :length]
        h = F.dropout(self.embedding_norm(self.token[ids] + self.position[:length]), self.dropout, self.training)
        for block in self.blocks:
            h = block(h, bias)
        return h @ self.token.t() + self.lm_bias


def targets_and_weights(x, y):
    targets = torch.cat([x[:, 1:], y[:, None]], 1)
    weights = (x != PAD_ID).float() * (targets != PAD_ID).float()
    return targets, weights


def lm_ce(logits, targets, weights):
    nll = F.cross_entropy(logits.reshape(-1, VOCAB), targets.reshape(-1), reduction='none').view_as(weights)
    return (nll * weights).sum() / weights.sum().clamp(min=1)


def last_position(logits, x):
    """The classification logits: next-token logits at the last real position."""
    last = ((x != PAD_ID).sum(1) - 1).clamp(min=0)
    return logits[torch.arange(len(x)), last]


def token_kd(student_logits, teacher_logits, x, direction, temperature=1.0):
    log_s = F.log_softmax(student_logits / temperature, -1)
    log_t = F.log_softmax(teacher_logits / temperature, -1)
    log_p, log_q = (log_t, log_s) if direction == 'forward' else (log_s, log_t)
    per_token = (log_p.exp() * (log_p - log_q)).sum(-1)
    mask = (x != PAD_ID).float()
    return (per_token * mask).sum() / mask.sum().clamp(min=1) * temperature ** 2


@torch.no_grad()
def evaluate(model, teacher=None, batch_size=64):
    model.eval()
    nll_sum = hits = count = agree = 0.0
    for start in range(0, len(Xt), batch_size):
        x, y = Xt[start:start + batch_size], Yt[start:start + batch_size]
        logits = model(x)
        targets, weights = targets_and_weights(x, y)
        nll = F.cross_entropy(logits.reshape(-1, VOCAB), targets.reshape(-1), reduction='none').view_as(weights)
        nll_sum += (nll * weights).sum().item()
        hits += ((logits.argmax(-1) == targets).float() * weights).sum().item()
        count += weights.sum().item()
        if teacher is not None:
            agree += (last_position(logits, x).argmax(-1) == last_position(teacher(x), x).argmax(-1)).sum().item()
    result = {'perplexity': math.exp(nll_sum / count), 'accuracy': 100 * hits / count}
    if teacher is not None:
        result['agreement'] = 100 * agree / len(Xt)
    return result


def train(model, epochs, seed, objective, teacher=None, direction=None):
    """objective: 'last' (hard-label CE at the last position), 'lm' (lm-ce) or 'kd' (0.5 lm-ce + token-kd)."""
    optimiser = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-7)
    order_rng = torch.Generator().manual_seed(seed)  # batch order: the run seed, shared by the student rows
    torch.manual_seed(seed * 7919 + 17)  # dropout masks
    started, steps, terms = time.perf_counter(), 0, {}
    for _ in range(epochs):
        model.train()
        order = torch.randperm(len(X), generator=order_rng)
        sums, batches = {}, 0
        for start in range(0, len(X), 32):
            idx = order[start:start + 32]
            x, y = X[idx], Y[idx]
            logits = model(x)
            step_terms = {}
            if objective == 'last':
                loss = step_terms['ce'] = F.cross_entropy(last_position(logits, x), y)
            else:
                targets, weights = targets_and_weights(x, y)
                loss = step_terms['lmCe'] = lm_ce(logits, targets, weights)
                if objective == 'kd':
                    with torch.no_grad():
                        teacher_logits = teacher(x)
                    step_terms['tokenKd'] = token_kd(logits, teacher_logits, x, direction)
                    loss = 0.5 * loss + step_terms['tokenKd']
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            steps += 1
            batches += 1
            for name, value in step_terms.items():
                sums[name] = sums.get(name, 0.0) + value.item()
        terms = {name: value / batches for name, value in sums.items()}  # last epoch's mean training terms
    return time.perf_counter() - started, steps, terms


def parameters(model):
    return sum(p.numel() for p in model.parameters())


print(f'data: {len(X)} training / {len(Xt)} test windows of {LENGTH} tokens, vocabulary {VOCAB}; '
      f'epochs teacher {args.teacher_epochs}, student {args.student_epochs}; teacher objective {args.teacher_objective}', flush=True)
for seed in [int(s) for s in args.seeds.split(',')]:
    torch.manual_seed(seed * 1000 + 1)
    teacher = TransformerLM(64, 4, 128, 2)
    seconds, steps, terms = train(teacher, args.teacher_epochs, seed, 'last' if args.teacher_objective == 'last' else 'lm')
    teacher.eval()
    r = evaluate(teacher)
    terms_text = ' '.join(f'{k} {v:.3f}' for k, v in terms.items())
    print(f'seed {seed}  teacher LM (64x2)             params {parameters(teacher):7,d}  perplexity {r["perplexity"]:7.2f}  '
          f'next-token acc {r["accuracy"]:5.2f} %  train {seconds:6.1f} s ({steps} steps; last-epoch {terms_text})', flush=True)
    rows = [('student alone (LM objective)', 'lm', None), ('token KD (forward KL)', 'kd', 'forward'), ('token KD (reverse KL)', 'kd', 'reverse')]
    for label, objective, direction in rows:
        torch.manual_seed(seed * 1000 + 2)
        student = TransformerLM(32, 4, 64, 1)
        seconds, steps, terms = train(student, args.student_epochs, seed, objective, teacher, direction)
        r = evaluate(student, teacher)
        terms_text = ' '.join(f'{k} {v:.3f}' for k, v in terms.items())
        print(f'seed {seed}  {label:<30} params {parameters(student):7,d}  perplexity {r["perplexity"]:7.2f}  '
              f'next-token acc {r["accuracy"]:5.2f} %  agreement {r["agreement"]:5.2f} %  train {seconds:6.1f} s '
              f'({steps} steps; last-epoch {terms_text})', flush=True)
