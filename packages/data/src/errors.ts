import { ConfigError } from '@distillery/core';

/**
 * A data file is missing, truncated or not in the expected format. It is a ConfigError (code
 * CONFIG_INVALID) because the fix is on the caller's side: point the loader at good files.
 */
export class DataFileError extends ConfigError {
  readonly path: string;
  constructor(path: string, reason: string, hint = 'check the path, or re-download or re-install the data package') {
    super(`data file ${path}: ${reason}`, hint);
    this.path = path;
  }
}
