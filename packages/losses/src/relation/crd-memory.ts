import * as tf from '@tensorflow/tfjs';
import { l2Normalize } from '../feature/normalize.js';
import { deriveSeed, lossRandom, uniformValues } from '../feature/random.js';

/**
 * CRD's two momentum memory banks (RepDistiller's ContrastMemory): one embedding row per training
 * sample for each network, plus the normalisation constants Z. Non-trainable variables: they change
 * only in `update` (outside the gradient), by sample index.
 */
export class ContrastMemory {
  /** memory_v1: the student's embeddings by sample index, [N, dim] */
  readonly student: tf.Variable;
  /** memory_v2: the teacher's embeddings by sample index, [N, dim] */
  readonly teacher: tf.Variable;
  /** Z_v1, Z_v2: set from the first batch's scores (mean * N) and then constant; -1 = not set yet */
  readonly zStudent: tf.Variable;
  readonly zTeacher: tf.Variable;

  private constructor(student: tf.Variable, teacher: tf.Variable, zStudent: tf.Variable, zTeacher: tf.Variable) {
    this.student = student;
    this.teacher = teacher;
    this.zStudent = zStudent;
    this.zTeacher = zTeacher;
  }

  /** Rows start uniform in +-1/sqrt(dim / 3) (unit expected norm), as in ContrastMemory.__init__. */
  static create(size: number, dim: number, seed: number): ContrastMemory {
    const bound = 1 / Math.sqrt(dim / 3);
    const bank = (label: string) => {
      const values = uniformValues(size * dim, -bound, bound, lossRandom(deriveSeed(seed, label)));
      return tf.tidy(() => tf.variable(tf.tensor2d(values, [size, dim]), false));
    };
    const unset = () => tf.tidy(() => tf.variable(tf.scalar(-1), false));
    return new ContrastMemory(bank('crd/memory/student'), bank('crd/memory/teacher'), unset(), unset());
  }

  get size(): number {
    return this.student.shape[0] as number;
  }

  /**
   * exp(<memory[idx], v> / T) / Z for every row of `contrast` [B, K + 1] (column 0 the positive):
   * the student anchor is scored against the teacher memory and vice versa. The first call sets each Z
   * to mean(exp(...)) * N from its own scores, as ContrastMemory.forward does; Z is read back from
   * the variable, so no gradient flows into it.
   */
  scores(student: tf.Tensor2D, teacher: tf.Tensor2D, contrast: tf.Tensor2D, temperature: number): { studentAnchor: tf.Tensor2D; teacherAnchor: tf.Tensor2D } {
    return tf.tidy(() => {
      const score = (memory: tf.Variable, anchor: tf.Tensor2D, z: tf.Variable): tf.Tensor2D => {
        const [batch, columns] = contrast.shape;
        const rows = tf.reshape(tf.gather(memory, tf.reshape(contrast, [-1])), [batch, columns, anchor.shape[1]]) as tf.Tensor3D;
        const dots = tf.squeeze(tf.matMul(rows, tf.expandDims(anchor, 2) as tf.Tensor3D), [2]);
        const raw = tf.exp(tf.div(dots, temperature));
        z.assign(tf.where(tf.less(z, 0), tf.mul(tf.mean(raw), this.size), z));
        return tf.div(raw, z) as tf.Tensor2D;
      };
      return { studentAnchor: score(this.teacher, student, this.zStudent), teacherAnchor: score(this.student, teacher, this.zTeacher) };
    });
  }

  /** memory[idx] <- normalise(m * memory[idx] + (1 - m) * v) for both banks (ContrastMemory's update). */
  update(student: tf.Tensor2D, teacher: tf.Tensor2D, indices: tf.Tensor1D, momentum: number): void {
    tf.tidy(() => {
      const positions = tf.expandDims(indices, 1);
      const refresh = (memory: tf.Variable, v: tf.Tensor2D) => {
        const mixed = tf.add(tf.mul(tf.gather(memory, indices), momentum), tf.mul(v, 1 - momentum));
        memory.assign(tf.tensorScatterUpdate(memory, positions, l2Normalize(mixed, 1)));
      };
      refresh(this.student, student);
      refresh(this.teacher, teacher);
    });
  }

  variables(): Record<string, tf.Variable> {
    return { memoryStudent: this.student, memoryTeacher: this.teacher, zStudent: this.zStudent, zTeacher: this.zTeacher };
  }

  dispose(): void {
    tf.dispose([this.student, this.teacher, this.zStudent, this.zTeacher]);
  }
}
