/** core/files: atomic file and directory replacement, recovery after an interrupted swap, write checks. */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { checkWritable, recoverDirectory, writeDirectoryAtomic, writeFileAtomic } from '../../src/core/files.js';

const root = mkdtempSync(join(tmpdir(), 'disentangle-files-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const fresh = () => {
  const d = join(root, `case-${++n}`);
  mkdirSync(d);
  return d;
};

describe('writeFileAtomic', () => {
  it('writes new files, replaces old ones, creates missing folders and leaves no temporary file', async () => {
    const d = fresh();
    await writeFileAtomic(join(d, 'a.json'), '{"v":1}');
    await writeFileAtomic(join(d, 'a.json'), '{"v":2}');
    await writeFileAtomic(join(d, 'sub', 'deeper', 'b.bin'), Uint8Array.of(1, 2, 3));
    expect(readFileSync(join(d, 'a.json'), 'utf8')).toBe('{"v":2}');
    expect([...readFileSync(join(d, 'sub', 'deeper', 'b.bin'))]).toEqual([1, 2, 3]);
    expect(readdirSync(d).sort()).toEqual(['a.json', 'sub']);
  });

  it('takes a file: URL', async () => {
    const d = fresh();
    await writeFileAtomic(pathToFileURL(join(d, 'u.json')), '{}');
    expect(readFileSync(join(d, 'u.json'), 'utf8')).toBe('{}');
  });

  it('writes chunks from an async producer', async () => {
    const d = fresh();
    async function* chunks() {
      yield Uint8Array.of(1);
      yield Uint8Array.of(2, 3);
    }
    await writeFileAtomic(join(d, 'c.bin'), chunks());
    expect([...readFileSync(join(d, 'c.bin'))]).toEqual([1, 2, 3]);
  });

  it('a write that fails midway leaves the old content and removes its temporary file', async () => {
    const d = fresh();
    const file = join(d, 'model.json');
    writeFileSync(file, 'old content');
    async function* failing() {
      yield new TextEncoder().encode('half of the new ');
      throw new Error('disk on fire');
    }
    await expect(writeFileAtomic(file, failing(), '--json')).rejects.toMatchObject({ code: 'BAD_FILE', argument: '--json', message: expect.stringMatching(/disk on fire/) });
    expect(readFileSync(file, 'utf8')).toBe('old content');
    expect(readdirSync(d)).toEqual(['model.json']);
  });

  it('refuses to replace a directory and keeps it', async () => {
    const d = fresh();
    mkdirSync(join(d, 'x'));
    await expect(writeFileAtomic(join(d, 'x'), 'data')).rejects.toMatchObject({ code: 'BAD_FILE' });
    expect(readdirSync(d)).toEqual(['x']);
  });

  it('a rename that fails (target folder replaced by a file) leaves no temporary file', async () => {
    const d = fresh();
    writeFileSync(join(d, 'blocker'), 'I am a file');
    await expect(writeFileAtomic(join(d, 'blocker', 'out.json'), '{}')).rejects.toMatchObject({ code: 'BAD_FILE' });
    expect(readdirSync(d)).toEqual(['blocker']);
  });
});

describe('writeDirectoryAtomic and recoverDirectory', () => {
  const fill = (content: string) => async (tmp: string) => {
    await writeFileAtomic(join(tmp, 'model.json'), content);
    await writeFileAtomic(join(tmp, 'weights.bin'), new TextEncoder().encode(content));
  };

  it('replaces the model files, keeps the other entries of the old directory, leaves no sibling behind', async () => {
    const d = fresh();
    const m = join(d, 'model');
    await writeDirectoryAtomic(m, fill('one'));
    mkdirSync(join(m, 'checkpoints'));
    writeFileSync(join(m, 'checkpoints', 'note.txt'), 'keep me');
    await writeDirectoryAtomic(m, fill('two'));
    expect(readFileSync(join(m, 'model.json'), 'utf8')).toBe('two');
    expect(readFileSync(join(m, 'checkpoints', 'note.txt'), 'utf8')).toBe('keep me');
    expect(readdirSync(d)).toEqual(['model']);
  });

  it('a failing fill leaves the old directory untouched and no temporary directory', async () => {
    const d = fresh();
    const m = join(d, 'model');
    await writeDirectoryAtomic(m, fill('one'));
    await expect(
      writeDirectoryAtomic(m, async (tmp) => {
        await writeFileAtomic(join(tmp, 'model.json'), 'partial');
        throw new Error('out of memory');
      }),
    ).rejects.toMatchObject({ code: 'BAD_FILE', message: expect.stringMatching(/out of memory/) });
    expect(readFileSync(join(m, 'model.json'), 'utf8')).toBe('one');
    expect(readdirSync(d)).toEqual(['model']);
  });

  it('recovers every state a crash can leave: the new copy when the swap had started, else the old', async () => {
    const d = fresh();
    const write = (dir: string, content: string, extra?: string) => {
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'model.json'), content);
      if (extra) writeFileSync(join(dir, extra), extra);
    };
    // crashed after the old directory was retired, before the new one was renamed in: roll forward, keep extras
    write(join(d, '.a.new'), 'new');
    write(join(d, '.a.old'), 'old', 'notes.txt');
    expect(await recoverDirectory(join(d, 'a'))).toBe(join(d, 'a'));
    expect(readFileSync(join(d, 'a', 'model.json'), 'utf8')).toBe('new');
    expect(readFileSync(join(d, 'a', 'notes.txt'), 'utf8')).toBe('notes.txt');
    expect(existsSync(join(d, '.a.old'))).toBe(false);
    // crashed before the swap: the target is the old model; a load leaves things alone, a write cleans up
    write(join(d, 'b'), 'old');
    write(join(d, '.b.new'), 'new');
    write(join(d, '.b.99999999-1.tmp'), 'torn');
    expect(await recoverDirectory(join(d, 'b'))).toBe(join(d, 'b'));
    expect(readFileSync(join(d, 'b', 'model.json'), 'utf8')).toBe('old');
    expect(existsSync(join(d, '.b.new'))).toBe(true);
    await recoverDirectory(join(d, 'b'), { clean: true });
    expect(readdirSync(d).filter((e) => e.includes('b'))).toEqual(['b']);
    // only the retired copy survived (the swap cannot leave this, but a manual move can): it comes back
    write(join(d, '.c.old'), 'old');
    await recoverDirectory(join(d, 'c'));
    expect(readFileSync(join(d, 'c', 'model.json'), 'utf8')).toBe('old');
  });

  it('refuses to replace a file or the working directory', async () => {
    const d = fresh();
    writeFileSync(join(d, 'f'), 'x');
    await expect(writeDirectoryAtomic(join(d, 'f'), fill('one'))).rejects.toMatchObject({ code: 'BAD_FILE' });
    await expect(writeDirectoryAtomic(process.cwd(), fill('one'))).rejects.toMatchObject({ code: 'BAD_OPTION' });
    expect(readFileSync(join(d, 'f'), 'utf8')).toBe('x');
  });
});

describe('checkWritable', () => {
  it('accepts new files in missing folders and existing directories for directory outputs', async () => {
    const d = fresh();
    await expect(checkWritable(join(d, 'a', 'b', 'c.json'), 'file', '--json')).resolves.toBeUndefined();
    await expect(checkWritable(d, 'directory', '--out')).resolves.toBeUndefined();
    expect(readdirSync(d)).toEqual([]); // probes leave nothing
  });

  it('refuses a directory for a file, a file for a directory, a path under a file, an empty path', async () => {
    const d = fresh();
    writeFileSync(join(d, 'file'), 'x');
    await expect(checkWritable(d, 'file', '--json')).rejects.toMatchObject({ code: 'BAD_OPTION', argument: '--json', message: expect.stringMatching(/is a directory/) });
    await expect(checkWritable(join(d, 'file'), 'directory', '--out')).rejects.toMatchObject({ code: 'BAD_OPTION', argument: '--out' });
    await expect(checkWritable(join(d, 'file', 'x.json'), 'file', '--json')).rejects.toMatchObject({ code: 'BAD_OPTION', message: expect.stringMatching(/not a directory/) });
    await expect(checkWritable('', 'file', '--json')).rejects.toMatchObject({ code: 'BAD_OPTION' });
  });

  it('refuses a folder without write permission', async () => {
    const d = fresh();
    const locked = join(d, 'locked');
    mkdirSync(locked);
    for (const open of [root, d]) chmodSync(open, 0o755); // the child runs as 'nobody'
    chmodSync(locked, 0o555);
    try {
      if (process.getuid?.() !== 0) {
        await expect(checkWritable(join(locked, 'x.json'), 'file', '--json')).rejects.toMatchObject({ code: 'BAD_OPTION', message: expect.stringMatching(/not writable/) });
        return;
      }
      // Root writes anywhere, so ask as the unprivileged user 'nobody' in a child process.
      const script = join(d, 'check.mts');
      writeFileSync(
        script,
        `import { checkWritable } from ${JSON.stringify(pathToFileURL(join(__dirname, '../../src/core/files.ts')).href)};\n` +
          `await checkWritable(${JSON.stringify(join(locked, 'x.json'))}, 'file', '--json').then(() => console.log('written'), (e) => console.log(e.code, e.message));\n`,
      );
      chmodSync(script, 0o644);
      const r = spawnSync(process.execPath, ['--import', 'tsx', script], { uid: 65534, gid: 65534, cwd: join(__dirname, '../..'), encoding: 'utf8' });
      expect(r.stderr).toBe('');
      expect(r.stdout).toMatch(/^BAD_OPTION --json: .*not writable/);
    } finally {
      chmodSync(locked, 0o700);
    }
  });
});
