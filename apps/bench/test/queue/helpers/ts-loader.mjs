// Lets a child `node` process run the bench's TypeScript sources, as vitest does in the test
// process: `node --conditions=@distillery/source --import <this file> apps/bench/src/cli.ts ...`.
// The workspace packages resolve to their sources through the "@distillery/source" export condition;
// this file adds what Node 20 lacks: `.js` specifiers that name `.ts` files, and type stripping
// (TypeScript's transpileModule, no type check). Tests only: the shipped CLI is the tsup bundle.
import { register } from 'node:module';
import { URL } from 'node:url';

register(new URL('./ts-hooks.mjs', import.meta.url));
