/**
 * Layer plans of the teacher-assistant paper's plain CNNs, copied from the official code
 * (imirzadeh/Teacher-Assistant-Knowledge-Distillation, model_factory.py: plane_cifar10_book and
 * plane_cifar100_book). "Conv<n>" is conv3x3(pad 1) + batch-norm + ReLU with n filters, "MaxPool" is 2x2
 * stride 2, "FC<n>" is a dense layer (ReLU unless it is the last, which gives the logits). The depth
 * is the number of conv layers; depths 8 and 10 add a hidden FC (64 / 128 units) before the logits.
 * The last FC's width is replaced by the model's numClasses. The cifar100 plan for depth 6 has no
 * third max-pool in the official code; it is kept as published.
 */
export type PlainCnnDepth = 2 | 4 | 6 | 8 | 10;
export type PlainCnnPlanName = 'cifar10' | 'cifar100';
export type PlainCnnPlan = readonly string[];

export const PLAIN_CNN_PLANS: Readonly<Record<PlainCnnPlanName, Readonly<Record<PlainCnnDepth, PlainCnnPlan>>>> = {
  cifar10: {
    2: ['Conv16', 'MaxPool', 'Conv16', 'MaxPool', 'FC10'],
    4: ['Conv16', 'Conv16', 'MaxPool', 'Conv32', 'Conv32', 'MaxPool', 'FC10'],
    6: ['Conv16', 'Conv16', 'MaxPool', 'Conv32', 'Conv32', 'MaxPool', 'Conv64', 'Conv64', 'MaxPool', 'FC10'],
    8: ['Conv16', 'Conv16', 'MaxPool', 'Conv32', 'Conv32', 'MaxPool', 'Conv64', 'Conv64', 'MaxPool', 'Conv128', 'Conv128', 'MaxPool', 'FC64', 'FC10'],
    10: ['Conv32', 'Conv32', 'MaxPool', 'Conv64', 'Conv64', 'MaxPool', 'Conv128', 'Conv128', 'MaxPool', 'Conv256', 'Conv256', 'Conv256', 'Conv256', 'MaxPool', 'FC128', 'FC10'],
  },
  cifar100: {
    2: ['Conv32', 'MaxPool', 'Conv32', 'MaxPool', 'FC100'],
    4: ['Conv32', 'Conv32', 'MaxPool', 'Conv64', 'Conv64', 'MaxPool', 'FC100'],
    6: ['Conv32', 'Conv32', 'MaxPool', 'Conv64', 'Conv64', 'MaxPool', 'Conv128', 'Conv128', 'FC100'],
    8: ['Conv32', 'Conv32', 'MaxPool', 'Conv64', 'Conv64', 'MaxPool', 'Conv128', 'Conv128', 'MaxPool', 'Conv256', 'Conv256', 'MaxPool', 'FC64', 'FC100'],
    10: ['Conv32', 'Conv32', 'MaxPool', 'Conv64', 'Conv64', 'MaxPool', 'Conv128', 'Conv128', 'MaxPool', 'Conv256', 'Conv256', 'Conv256', 'Conv256', 'MaxPool', 'FC512', 'FC100'],
  },
};

export type PlanStep = { readonly kind: 'conv'; readonly filters: number } | { readonly kind: 'pool' } | { readonly kind: 'fc'; readonly units: number };

/** Parses "Conv16" / "MaxPool" / "FC10" entries. */
export function parsePlan(plan: PlainCnnPlan): PlanStep[] {
  return plan.map((entry): PlanStep => {
    if (entry === 'MaxPool') return { kind: 'pool' };
    const conv = /^Conv(\d+)$/.exec(entry);
    if (conv?.[1] !== undefined) return { kind: 'conv', filters: Number(conv[1]) };
    const fc = /^FC(\d+)$/.exec(entry);
    if (fc?.[1] !== undefined) return { kind: 'fc', units: Number(fc[1]) };
    throw new RangeError(`unknown plain-CNN plan entry "${entry}"`);
  });
}
