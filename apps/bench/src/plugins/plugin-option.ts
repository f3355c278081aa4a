import type { Command } from 'commander';
import { loadExternalPlugins, PLUGINS_ENV } from './external-plugins.js';

/**
 * `--plugin <package>` on every command (run, list, validate, report, worker threads included): the
 * package's schemes and losses join the registry, so suite files can name them.
 */
export function registerPluginOption(program: Command): Command {
  return program
    .option(
      '--plugin <package>',
      `load a Distillery plugin package installed in this project (or a path to its folder) before anything else; repeat for several (also: ${PLUGINS_ENV}=a,b)`,
      (value: string, previous: string[]) => [...previous, value],
      [] as string[],
    )
    .hook('preAction', async () => {
      await loadExternalPlugins(program.opts<{ plugin: string[] }>().plugin);
    });
}
