// Writes the bench's Fashion-MNIST split (the same 60,000 / 10,000 images, in [0, 1]) as raw little-endian
// arrays for the PyTorch cross-check beside it. Run from packages/data after `npm run build`:
//   cd packages/data && node ../../docs/benchmarks/reference/dump-fashion-mnist.mjs /tmp/fm
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadFashionMnistSplits } from '@distillery/data/node';

const out = process.argv[2] ?? '/tmp/fm';
mkdirSync(out, { recursive: true });
for (const [name, dataset] of Object.entries(loadFashionMnistSplits())) {
  writeFileSync(join(out, `${name}-x.f32`), Buffer.from(dataset.inputs.buffer, dataset.inputs.byteOffset, dataset.inputs.byteLength));
  writeFileSync(join(out, `${name}-y.i32`), Buffer.from(dataset.labels.buffer, dataset.labels.byteOffset, dataset.labels.byteLength));
  console.log(`${name}: ${dataset.size} images -> ${out}`);
}
