import { it } from 'vitest';
it('try', async () => { await import('/tmp/chart-try.ts'); });
