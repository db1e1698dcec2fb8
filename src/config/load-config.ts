import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { AppError } from '../kernel/index.js';
import { Config, configFromEnv, type ConfigInput } from './config.js';

/**
 * Builds the Config once, at the edge: a JSON file (every option, see docs/configuration.md), then SEGMENTUM_*
 * environment variables, then command-line flags, each overriding the one before. Any invalid value stops the
 * start with `config.invalid` naming the option.
 */
export function loadConfig(opts: { file?: string | undefined; env: NodeJS.ProcessEnv; flags: ConfigInput }): Config {
  let fromFile: ConfigInput = {};
  const file = opts.file ?? opts.env.SEGMENTUM_CONFIG;
  if (file) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (cause) {
      throw new AppError('config.invalid', `Cannot read the configuration file ${file}.`, { cause });
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (cause) {
      throw new AppError('config.invalid', `The configuration file ${file} is not valid JSON.`, { cause });
    }
    const checked = Config.partial().strict().safeParse(parsed);
    if (!checked.success) throw invalid(checked.error, `in ${file}`);
    fromFile = parsed as ConfigInput;
  }
  const merged: ConfigInput = { ...fromFile, ...configFromEnv(opts.env), ...opts.flags };
  const result = Config.safeParse(merged);
  if (!result.success) throw invalid(result.error, '');
  return result.data;
}

function invalid(error: z.ZodError, where: string): AppError {
  const issue = error.issues[0];
  const path = issue?.path.map(String).join('.') ?? '';
  return new AppError('config.invalid', `Option ${path || '(root)'}${where ? ` ${where}` : ''}: ${issue?.message ?? 'invalid'}.`, { path });
}
