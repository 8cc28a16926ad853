/** `disentangle train --resume <run dir>` (in-process, from the sources): a torn newest checkpoint is skipped and reported. */
import { mkdtempSync, readFileSync, rmSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliInProcess } from '../helpers/cliInProcess.js';

const out = mkdtempSync(join(tmpdir(), 'disentangle-cli-resume-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

const cli = cliInProcess;

describe('train --resume with a run directory', () => {
  it('skips the torn newest checkpoint, says so on stderr, and the saved model keeps its checkpoints', async () => {
    const run = join(out, 'run');
    const first = await cli('train', 'factor-vae', '--out', run, '--iterations', '2', '--batch-size', '2', '--checkpoint-every', '1');
    expect(first.code).toBeUndefined();
    truncateSync(join(run, 'checkpoints', 'iteration-1', 'weights.bin'), 64);
    const second = await cli('train', 'factor-vae', '--out', run, '--iterations', '3', '--batch-size', '2', '--checkpoint-every', '1', '--resume', run);
    expect(second.code).toBeUndefined();
    expect(second.stderr).toMatch(/^disentangle: skipped checkpoint .*iteration-1: .*iteration-1\/weights\.bin: holds 64 bytes/m);
    expect(second.stderr).toMatch(/^disentangle: resuming from .*iteration-0 \(iteration 1\)$/m);
    expect(second.stdout).toBe(`saved factor-vae to ${run}\n`);
    expect(JSON.parse(readFileSync(join(run, 'model.json'), 'utf8')).iteration).toBe(3);
    // the torn checkpoint was rewritten whole by the resumed run
    expect(JSON.parse(readFileSync(join(run, 'checkpoints', 'iteration-1', 'model.json'), 'utf8')).iteration).toBe(2);
  });
});
