import fs from 'node:fs';
import path from 'node:path';
import { tempDir } from './gateway-process';

const CONFIG = path.resolve(__dirname, '..', '..', 'config');

/** A copy of the sample config in a temp folder, with `edit` applied to one of its two files. */
export function configWith(file: 'gateway.config.yml' | 'system.config.yml', edit: (text: string) => string): string {
  const dir = tempDir();
  for (const name of ['gateway.config.yml', 'system.config.yml']) {
    const text = fs.readFileSync(path.join(CONFIG, name), 'utf8');
    const edited = name === file ? edit(text) : text;
    fs.writeFileSync(path.join(dir, name), edited);
  }
  return dir;
}
