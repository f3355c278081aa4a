import * as tf from '@tensorflow/tfjs';
import type { LossTerms } from '../contracts/outputs.js';

/**
 * Sums loss terms on the device so the hot loop never waits for a read; `read()` fetches the running
 * means asynchronously when the trainer wants to report or check for NaN.
 */
export class TermAccumulator {
  private sums = new Map<string, tf.Scalar>();
  private count = 0;

  add(terms: LossTerms): void {
    for (const [name, value] of Object.entries(terms)) {
      const previous = this.sums.get(name);
      const next = tf.tidy(() => (previous ? previous.add(value) : value.clone()) as tf.Scalar);
      previous?.dispose();
      this.sums.set(name, tf.keep(next));
    }
    this.count += 1;
  }

  async read(): Promise<Record<string, number>> {
    const names = [...this.sums.keys()];
    const values = await Promise.all(names.map((name) => this.sums.get(name)!.data()));
    const means: Record<string, number> = {};
    names.forEach((name, i) => {
      means[name] = values[i]![0]! / Math.max(1, this.count);
    });
    return means;
  }

  reset(): void {
    for (const value of this.sums.values()) value.dispose();
    this.sums.clear();
    this.count = 0;
  }
}
