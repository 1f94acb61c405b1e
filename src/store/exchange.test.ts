import { describe, expect, it } from 'vitest';
import { printSchedule } from '../core/schedule.ts';
import { createLooplabStore } from './createStore.ts';
import {
  exportC,
  exportFile,
  exportFileName,
  exportJson,
  exportScheduleText,
  exportText,
  importExport,
  importJson,
} from './exchange.ts';
import { exportHalide, exportSimdC } from './compiledExports.ts';
import { currentKey } from './measureSlice.ts';

function worked() {
  const store = createLooplabStore();
  const { act } = store.getState();
  act('split_16');
  act('down', 'agent');
  act('down');
  act('swap_up');
  act('split_2'); // undone below: not exported
  store.getState().undo();
  return store;
}

const MATMUL = 'C[m,n] += A[m,k] * B[k,n]\nm=256, n=256, k=256';

describe('export', () => {
  it('text is the current schedule in schedule notation', () => {
    expect(exportText(worked().getState())).toBe('m:16 n:256 m:16 k:256');
  });

  it('JSON holds format, version, problem, schedule and the log up to the position', () => {
    const store = worked();
    const s = store.getState();
    store.setState({ measurements: { [currentKey(s)]: { key: currentKey(s), status: 'done', gflops: 12.5 } } });
    expect(JSON.parse(exportJson(store.getState()))).toEqual({
      format: 'looplab-schedule',
      version: 1,
      problem: MATMUL,
      schedule: 'm:16 n:256 m:16 k:256',
      log: [
        { action: 'split_16', by: 'person' },
        { action: 'down', by: 'agent' },
        { action: 'down', by: 'person' },
        { action: 'swap_up', by: 'person' },
      ],
      gflops: 12.5,
      gflopsStatistic: 'best',
      gflopsThreads: 1,
    });
    expect(exportFileName(s, 'json')).toBe('looplab-m16n256m16k256.json');
  });

  it('a refined figure is exported as the median it is, with its samples', () => {
    const store = worked();
    const s = store.getState();
    const key = currentKey(s);
    store.setState({
      measurements: {
        [key]: { key, status: 'done', gflops: 20.25, quickGflops: 24, stage: 'refined', samples: 40 },
      },
    });
    expect(JSON.parse(exportJson(store.getState()))).toMatchObject({ gflops: 20.25, gflopsStatistic: 'median' });
    expect(exportScheduleText(store.getState())).toContain(
      '# measured: 20.3 GFLOPS (median of 40 samples) on 1 thread\n',
    );
    expect(exportScheduleText(store.getState())).not.toContain('best');
  });

  it("a slice's figure says which part of the kernel was timed, in both exports, and still imports", () => {
    const store = worked();
    const s = store.getState();
    const key = currentKey(s);
    const slice = { loop: 0, variable: 'm', iterations: 3, of: 1024, covered: 3, size: 1024, fraction: 3 / 1024 };
    store.setState({ measurements: { [key]: { key, status: 'done', gflops: 0.33, slice } } });
    const text = exportScheduleText(store.getState());
    expect(text).toContain(
      '# measured: 0.330 GFLOPS (best sample of a quick run) on 1 thread, timed on 3 of 1024 iterations of m\n',
    );
    expect(JSON.parse(exportJson(store.getState()))).toMatchObject({ gflopsSlice: 'on 3 of 1024 iterations of m' });
    for (const exported of [text, exportJson(store.getState())])
      expect(importExport(exported, 'the file', MATMUL).ok).toBe(true);
  });

  it('round trip: importing an export gives the same problem, log and schedule', () => {
    const store = worked();
    const r = importJson(exportJson(store.getState()));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const b = createLooplabStore();
    b.getState().restore(r.value);
    expect(b.getState().problemKey).toBe(store.getState().problemKey);
    expect(b.getState().log).toEqual(store.getState().log.slice(0, 4));
    expect(b.getState().current).toEqual(store.getState().current);
  });

  it('round trip with an imported base', () => {
    const store = createLooplabStore({ initial: { base: 'm:4 n k m:64' } });
    store.getState().act('split_2');
    const file = exportFile(store.getState());
    expect(file.base).toBe('m:4 n:256 k:256 m:64');
    const r = importJson(JSON.stringify(file));
    expect(r.ok && printSchedule(r.value.states[r.value.position].schedule)).toBe(
      printSchedule(store.getState().current.schedule),
    );
  });
});

describe('parallel loops in files', () => {
  it('round trip: the `parallel` action in the log, `||` in base and schedule, the pragma in C', () => {
    const store = createLooplabStore({ initial: { base: '||m:4 n k m:64' } });
    store.getState().act('parallel');
    store.getState().act('down');
    store.getState().act('parallel');
    expect(exportText(store.getState())).toBe('m:4 ||n:256 k:256 m:64');
    const file = exportFile(store.getState());
    expect(file.base).toBe('||m:4 n:256 k:256 m:64');
    expect(file.log?.map((e) => e.action)).toEqual(['parallel', 'down', 'parallel']);
    const r = importJson(JSON.stringify(file));
    expect(r.ok && printSchedule(r.value.states[r.value.position].schedule)).toBe('m:4 ||n:256 k:256 m:64');
    expect(exportC(store.getState())).toContain('#pragma omp parallel for');
  });

  it('a file without any parallel mark still loads', () => {
    const r = importJson(
      JSON.stringify({ format: 'looplab-schedule', version: 1, problem: MATMUL, schedule: 'm:64 n k m:4' }),
    );
    expect(r.ok && r.value.states[0].schedule.loops.some((l) => l.parallel)).toBe(false);
  });
});

describe('import', () => {
  const file = (over: Record<string, unknown>) =>
    JSON.stringify({ format: 'looplab-schedule', version: 1, problem: MATMUL, ...over });

  it('a schedule alone becomes the start of the history', () => {
    const r = importJson(file({ schedule: 'm:64 n k m:4' }));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(printSchedule(r.value.base)).toBe('m:64 n:256 k:256 m:4');
    expect(r.value.log).toEqual([]);
    expect(r.value.states[0].cursor).toBe(0);
  });

  it("keeps who was credited: a search's, LoopTune's and the expert's entries, as objects or text", () => {
    const r = importJson(
      file({
        log: [{ action: 'split_4', by: 'greedy2' }, 'looptune:down', { action: 'down', by: 'expert' }],
      }),
    );
    expect(r.ok && r.value.log).toEqual([
      { action: 'split_4', by: 'greedy2' },
      { action: 'down', by: 'looptune' },
      { action: 'down', by: 'expert' },
    ]);
    const bad = importJson(file({ log: [{ action: 'down', by: 'somebody' }] }));
    expect(bad.ok).toBe(false);
  });

  it('accepts log entries written as in links', () => {
    const r = importJson(file({ schedule: 'm:128 m:2 n k', log: ['split_2', 'agent:down'] }));
    expect(r.ok && r.value.log).toEqual([
      { action: 'split_2', by: 'person' },
      { action: 'down', by: 'agent' },
    ]);
  });

  const bad: [string, string, string][] = [
    ['empty', '  ', 'the file is empty; paste or choose a looplab export (JSON or schedule text)'],
    ['not JSON', '{"format": ', 'the file is not JSON: '],
    ['a list', '[1,2]', 'the file holds a list, not a looplab schedule (an object with "format": "looplab-schedule")'],
    [
      'no format',
      '{"problem": "x"}',
      'the file has no "format" field; a looplab export has "format": "looplab-schedule"',
    ],
    ['wrong format', file({ format: 'tvm-schedule' }), 'the file\'s format is "tvm-schedule", not "looplab-schedule"'],
    ['wrong version', file({ version: 2, schedule: 'm n k' }), "the file's version is 2; this page reads version 1"],
    ['no problem', file({ problem: undefined, schedule: 'm n k' }), 'the file has no problem text ("problem")'],
    [
      'invalid problem',
      file({ problem: 'C[m,n] += A[m,k] * B[k,n]\nm=256', schedule: 'm n k' }),
      "the file's problem has an error: ",
    ],
    ['invalid schedule', file({ schedule: 'm:3 n k' }), "the file's schedule 'm:3 n k' has an error: col "],
    ['schedule not text', file({ schedule: 42 }), "the file's schedule is a number, not schedule text"],
    ['log not a list', file({ schedule: 'm n k', log: 'down' }), "the file's log is a string, not a list of actions"],
    [
      'unknown action',
      file({ schedule: 'm n k', log: ['down', 'jump'] }),
      "the file's action 2 'jump' is not an action",
    ],
    [
      'refused action',
      file({ schedule: 'm n k', log: ['up'] }),
      "the file's history stops at action 1: the cursor is already on the outermost loop",
    ],
    [
      'log and schedule disagree',
      file({ schedule: 'm n k', log: ['split_2'] }),
      "the file's log leads to 'm:128 m:2 n:256 k:256', not to its schedule 'm:256 n:256 k:256'",
    ],
    ['neither', file({}), 'the file has neither a schedule nor a log'],
  ];
  it.each(bad)('%s: refused with a message', (_name, text, message) => {
    const r = importJson(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.startsWith(message)).toBe(true);
  });
});

describe('C export', () => {
  it('is the current schedule as C (scheduleToC), with its schedule in the header', () => {
    const c = exportC(worked().getState());
    expect(c).toContain('// schedule: m:16 n:256 m:16 k:256\n');
    expect(c.endsWith('}\n')).toBe(true);
    expect(c).toMatch(/for \(int /);
    expect(c).toContain('C[m][n] += A[m][k] * B[k][n]');
  });
});

describe('Halide and SIMD C exports', () => {
  it('Halide: the current problem and schedule, headed by the looplab version that wrote it', () => {
    const halide = exportHalide(worked().getState());
    expect(halide).toMatch(/^\/\/ Halide C\+\+ pipeline and schedule, written by looplab \d+\.\d+\.\d+\n/);
    expect(halide).toContain('// problem: C[m,n] += A[m,k] * B[k,n]\n// sizes: m=256, n=256, k=256\n');
    expect(halide).toContain('// schedule: m:16 n:256 m:16 k:256\n');
  });

  it('C with SIMD intrinsics waits for the measured kernel, whose report it is written from', () => {
    expect(() => exportSimdC(worked().getState())).toThrow(/wait for the GFLOPS figure/);
  });
});

describe('schedule text: import what export writes', () => {
  const MATMUL_64 = 'C[m,n] += A[m,k] * B[k,n]\nm=64, n=64, k=64';

  it('the text export names its problem in comment lines; importing it gives the same problem and schedule', () => {
    const store = worked();
    const text = exportScheduleText(store.getState());
    expect(text).toBe(
      '# looplab schedule\n# problem: C[m,n] += A[m,k] * B[k,n]\n# sizes: m=256, n=256, k=256\nm:16 n:256 m:16 k:256\n',
    );
    // Imported while another problem is on screen: the file's problem wins.
    const r = importExport(text, 'the file', MATMUL_64);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.problemKey).toBe(store.getState().problemKey);
    expect(printSchedule(r.value.states[r.value.position].schedule)).toBe('m:16 n:256 m:16 k:256');
  });

  it('a bare schedule line is for the current problem and becomes the start of the history', () => {
    const r = importExport('  ||m:16 n k m:4 \n', 'the pasted text', MATMUL_64);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.problemKey).toBe(MATMUL_64);
    expect(printSchedule(r.value.base)).toBe('||m:16 n:64 k:64 m:4');
    expect(r.value.log).toEqual([]);
  });

  it('JSON still imports through the same door', () => {
    const r = importExport(exportJson(worked().getState()), 'the file', MATMUL_64);
    expect(r.ok && r.value.log.length).toBe(4);
  });

  const bad: [string, string, string][] = [
    ['empty pasted', ' \n ', 'the pasted text is empty; paste or choose a looplab export (JSON or schedule text)'],
    [
      'not a schedule',
      'hello there',
      "the pasted text is neither a JSON export nor schedule text for the current problem: 'hello there': col 1: ",
    ],
    [
      "another problem's schedule",
      'b:2 m n k',
      "the pasted text is neither a JSON export nor schedule text for the current problem: 'b:2 m n k': ",
    ],
    [
      'two lines',
      'm n k\nm:32 n k',
      'the pasted text has 2 lines that are not comments; schedule text is one schedule line',
    ],
    ['only comments', '# problem: x', 'the pasted text has no schedule line; schedule text is one line such as'],
    [
      'half a problem',
      '# problem: C[m,n] += A[m,k] * B[k,n]\nm n k',
      "the pasted text gives its problem's statement only; give both '# problem:' and '# sizes:' lines, or neither",
    ],
    ['broken JSON', '{"format": ', 'the pasted text is not JSON: '],
    [
      'pasted JSON with a bad schedule',
      JSON.stringify({ format: 'looplab-schedule', version: 1, problem: MATMUL_64, schedule: 'm:3 n k' }),
      "the pasted text's schedule 'm:3 n k' has an error: ",
    ],
    [
      'pasted JSON with a bad action',
      JSON.stringify({ format: 'looplab-schedule', version: 1, problem: MATMUL_64, log: ['jump'] }),
      "the pasted text's action 1 'jump' is not an action",
    ],
  ];
  it.each(bad)('%s: refused with a message that calls it the pasted text', (_name, text, message) => {
    const r = importExport(text, 'the pasted text', MATMUL_64);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.startsWith(message), r.error).toBe(true);
      expect(r.error).not.toContain('the file');
    }
  });
});

describe('threads in exports', () => {
  const isolated = { isolated: true, hardware: 8 };

  it("the chosen count and the figure's threads are in both exports, and import restores the count", () => {
    const store = createLooplabStore();
    store.setState({ threadSupport: isolated });
    store.getState().act('parallel');
    store.getState().setThreads(4);
    const s = store.getState();
    store.setState({
      measurements: { [currentKey(s)]: { key: currentKey(s), status: 'done', gflops: 80.5, threads: 4 } },
    });
    const file = JSON.parse(exportJson(store.getState()));
    expect(file).toMatchObject({ threads: 4, gflops: 80.5, gflopsThreads: 4 });
    const text = exportScheduleText(store.getState());
    expect(text).toContain(
      '# threads: 4\n# measured: 80.5 GFLOPS (best sample of a quick run) on 4 threads\n||m:256 n:256 k:256\n',
    );

    for (const exported of [exportJson(store.getState()), text]) {
      const r = importExport(exported, 'the file', MATMUL);
      expect(r.ok && r.value.threads).toBe(4);
      const b = createLooplabStore();
      if (r.ok) b.getState().restore(r.value);
      expect(b.getState().threadsChosen).toBe(4);
    }
  });

  it("without a chosen count nothing is written and import leaves the page's choice", () => {
    const store = createLooplabStore();
    const s = store.getState();
    store.setState({ measurements: { [currentKey(s)]: { key: currentKey(s), status: 'done', gflops: 1.5 } } });
    expect(JSON.parse(exportJson(store.getState()))).not.toHaveProperty('threads');
    expect(exportScheduleText(store.getState())).toContain(
      '# measured: 1.50 GFLOPS (best sample of a quick run) on 1 thread\n',
    );
    const r = importExport(exportJson(store.getState()), 'the file', MATMUL);
    expect(r.ok && r.value.threads).toBe(undefined);
  });

  it('an absurd count in a file or pasted text keeps the rest, as a link does, and says why', () => {
    const text = '# problem: C[m,n] += A[m,k] * B[k,n]\n# sizes: m=64, n=64, k=64\n# threads: 999\nm n k m:4';
    const r = importExport(text, 'the file', MATMUL);
    if (!r.ok) throw new Error(r.error);
    expect(printSchedule(r.value.base)).toBe('m:16 n:64 k:64 m:4');
    expect(r.value.threads).toBe(null);
    expect(r.value.notice).toBe(
      "the file's thread count 999 is not a whole number from 1 to 64; parallel loops run on one thread per processor instead (choose another count in the performance panel)",
    );
    const json = JSON.stringify({
      format: 'looplab-schedule',
      version: 1,
      problem: MATMUL,
      schedule: 'm m:4 n k',
      log: [{ action: 'split_4', by: 'person' }],
      threads: 'many',
    });
    const pasted = importExport(json, 'the pasted text', MATMUL);
    if (!pasted.ok) throw new Error(pasted.error);
    expect(pasted.value.log.map((e) => e.action)).toEqual(['split_4']);
    expect(pasted.value.notice).toMatch(/^the pasted text's thread count 'many' is not a whole number from 1 to 64; /);
  });
});
