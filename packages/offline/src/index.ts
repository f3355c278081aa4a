import { plugin } from './plugin.js';

export { OfflineDistillation, offlineDistillation } from './offline-scheme.js';
export type { OfflineDistillationOptions } from './options.js';
export { TeacherLogitCache } from './teacher-cache.js';
export { withClassBias } from './class-bias.js';
export { offlineSchemeDefinition, plugin } from './plugin.js';
export default plugin;
