/**
 * Runs the CLI's `main` in this process (fast, no build needed) with `--backend cpu --quiet`, capturing what it
 * writes to stdout and stderr and the exit code it set (then clearing it, so the test process ends with 0).
 */
import { vi } from 'vitest';
import { main } from '../../src/cli/main.js';

export async function cliInProcess(...args: string[]): Promise<{ stdout: string; stderr: string; code: number | undefined }> {
  let stderr = '';
  let stdout = '';
  vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => ((stderr += String(s)), true));
  vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => ((stdout += String(s)), true));
  try {
    await main(['node', 'disentangle', '--backend', 'cpu', '--quiet', ...args]);
  } finally {
    vi.restoreAllMocks();
  }
  const code = process.exitCode as number | undefined;
  process.exitCode = undefined;
  return { stdout, stderr, code };
}
