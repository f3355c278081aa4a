import type { Teacher, TrainableModel } from '@distillery/core';
import { asTeacher } from '@distillery/models';

/** The previous link's trained model as the next link's frozen teacher (a view sharing its variables). */
export function frozenTeacher(model: TrainableModel): Teacher {
  return asTeacher(model);
}
