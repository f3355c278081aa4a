import { DistilleryError } from '@distillery/core';

/**
 * A method of this package that must look inside the teacher (its raw logits, a feature, its input
 * gradients) was given a black-box teacher. Same code as core's TeacherAccessError ('TEACHER_ACCESS'),
 * with a message and hint that say what exactly is needed: core's class names a loss and suggests a
 * response loss, which does not fit a discriminator or an attack on the teacher.
 */
export class WhiteBoxTeacherRequiredError extends DistilleryError {
  constructor(method: string, needs: string, hint: string) {
    super('TEACHER_ACCESS', `${method} needs a white-box teacher (${needs}) but the teacher is black-box`, hint);
  }
}
