import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createRegistry } from '../src/registry.js';
import { externalPlugins, loadExternalPlugins, PLUGINS_ENV } from '../src/plugins/external-plugins.js';
import { resolvePluginUrl } from '../src/plugins/resolve-package.js';

/** A user's project: node_modules/<name> with the given manifest and files, plus a nested folder to run from. */
const project = mkdtempSync(join(tmpdir(), 'bench-plugins-'));
const cwd = join(project, 'sub', 'dir');
mkdirSync(cwd, { recursive: true });

function installPackage(name: string, manifest: object, files: Record<string, string>): string {
  const dir = join(project, 'node_modules', name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, version: '1.0.0', ...manifest }));
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
  return dir;
}

const LOSS = (name: string): string =>
  `{ kind: 'loss', name: '${name}', summary: 's', knowledge: 'response', reference: { title: 't', authors: 'a', year: 2020 }, defaults: {}, create() { throw new Error('not in this test'); } }`;

afterAll(() => {
  rmSync(project, { recursive: true, force: true });
  delete process.env[PLUGINS_ENV];
});

describe('plugin packages by name', () => {
  it('resolves the import condition of exports, in order, from the project folder upwards', () => {
    const dir = installPackage('@acme/conditions', { type: 'module', exports: { '.': { '@distillery/source': './src.ts', types: './x.d.ts', import: './esm.js', require: './cjs.cjs' }, './extra': { default: './extra.js' } } }, {});
    expect(resolvePluginUrl('@acme/conditions', cwd)).toBe(`file://${join(dir, 'esm.js')}`);
    expect(resolvePluginUrl('@acme/conditions/extra', cwd)).toBe(`file://${join(dir, 'extra.js')}`);
    const legacy = installPackage('legacy-plugin', { main: 'lib/main.js' }, {});
    expect(resolvePluginUrl('legacy-plugin', cwd)).toBe(`file://${join(legacy, 'lib', 'main.js')}`);
    expect(resolvePluginUrl('not-installed', cwd)).toBeUndefined();
    expect(resolvePluginUrl(project, cwd)).toBeUndefined(); // a folder without package.json
    expect(fileURLToPath(resolvePluginUrl(legacy, cwd) ?? '')).toBe(join(legacy, 'lib', 'main.js')); // a package folder by path
  });

  it('loads default-exported plugins into the registry and the environment (for worker threads)', async () => {
    installPackage('plugin-one', { type: 'module', exports: { '.': { import: './index.js' } } }, { 'index.js': `export default { name: 'plugin-one', losses: [${LOSS('loss-one')}] };` });
    installPackage('plugin-two', { type: 'module', exports: './index.js' }, { 'index.js': `export const plugin = { name: 'plugin-two', losses: [${LOSS('loss-two')}] };` });
    expect(createRegistry().hasLoss('loss-one')).toBe(false);
    await loadExternalPlugins(['plugin-one', 'plugin-two'], cwd);
    expect(externalPlugins().map((p) => p.name)).toEqual(['plugin-one', 'plugin-two']);
    const registry = createRegistry();
    expect(registry.hasLoss('loss-one') && registry.hasLoss('loss-two') && registry.hasLoss('kd')).toBe(true);
    expect(process.env[PLUGINS_ENV]).toBe('plugin-one,plugin-two');
  });

  it('fails with CONFIG_INVALID for a package that is missing or exports no plugin', async () => {
    installPackage('not-a-plugin', { type: 'module', exports: './index.js' }, { 'index.js': 'export const x = 1;' });
    await expect(loadExternalPlugins(['not-a-plugin'], cwd)).rejects.toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringContaining('exports no Distillery plugin') });
    await expect(loadExternalPlugins(['surely-not-installed-anywhere'], cwd)).rejects.toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringContaining('cannot load plugin') });
  });
});
