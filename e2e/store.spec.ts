// History, sharing, saving: share links, saved sessions, export/import and comparison, and the
// bad inputs of each (hand-edited or truncated links, a damaged saved session, invalid imports).
import type { Page } from '@playwright/test';
import { collectErrors, expect, test } from './fixtures';

const MATMUL_64 = 'C[m,n] += A[m,k] * B[k,n]\nm=64, n=64, k=64';

function exportFile(fields: Record<string, unknown>): string {
  return JSON.stringify({ format: 'looplab-schedule', version: 1, ...fields });
}

async function importPasted(page: Page, text: string) {
  await page.getByTestId('import-text').fill(text);
  await page.getByTestId('import-apply').click();
}

/** The export's preview; for schedule text, its schedule line (without the `#` lines naming the problem). */
async function exported(page: Page, format: 'text' | 'json' | 'c'): Promise<string> {
  await page.getByTestId('export-format').selectOption(format);
  const text = (await page.getByTestId('export-preview').textContent()) ?? '';
  if (format !== 'text') return text;
  return text
    .split('\n')
    .filter((line) => !line.startsWith('#'))
    .join('\n');
}

function errorNotice(page: Page, text: string | RegExp) {
  return page.getByTestId('notice').filter({ hasText: text }).and(page.getByRole('alert'));
}

test('a share link opened in a new page restores the same state', async ({ page, context, shot }) => {
  await page.goto('/');
  await expect(page.getByTestId('exchange-panel')).toBeVisible();
  await importPasted(
    page,
    exportFile({
      problem: MATMUL_64,
      schedule: 'm:16 n:64 m:4 k:64',
      log: ['split_4', 'agent:down', 'down', 'swap_up'],
    }),
  );
  // Also rewind one step by editing the link in the address bar (hashchange).
  await expect(page).toHaveURL(/a=split_4,agent:down,down,swap_up/);
  const edited =
    page.url().replace(/#.*/, '') +
    '#p=' +
    encodeURIComponent(MATMUL_64) +
    '&a=split_4,agent:down,down,swap_up&at=3&panels=problem,nest,perf,compare';
  await page.goto(edited);
  await expect.poll(() => exported(page, 'text')).toBe('m:16 m:4 n:64 k:64\n');
  // The measured speed is not part of the state: it appears once the page has measured.
  const state = async (p: Page) => {
    const {
      gflops: _measured,
      gflopsStatistic: _statistic,
      gflopsThreads: _measuredOn,
      ...rest
    } = JSON.parse(await exported(p, 'json'));
    return rest;
  };
  const json = await state(page);
  expect(json).toMatchObject({
    problem: MATMUL_64,
    schedule: 'm:16 m:4 n:64 k:64',
    log: [
      { action: 'split_4', by: 'person' },
      { action: 'down', by: 'agent' },
      { action: 'down', by: 'person' },
    ],
  });
  const link = page.url();

  const other = await context.newPage();
  const otherErrors = collectErrors(other);
  await other.goto(link);
  await expect.poll(() => exported(other, 'text')).toBe('m:16 m:4 n:64 k:64\n');
  expect(await state(other)).toEqual(json);
  await expect(other.getByTestId('loop-nest')).toHaveText((await page.getByTestId('loop-nest').textContent()) ?? '');
  // The new page keeps the redo tail too: importing nothing, its link is the same.
  await other.waitForTimeout(300);
  expect(other.url()).toBe(link);
  await shot('store-share-link', other.getByTestId('exchange-panel'));
  await other.close();
  expect(otherErrors).toEqual([]);
});

test('a saved session survives a reload and opens', async ({ page, shot }) => {
  await page.goto('/#preset=matmul-128&a=split_8,down');
  await expect.poll(() => exported(page, 'text')).toBe('m:16 m:8 n:128 k:128\n');
  await page.getByTestId('session-name').fill('my tiles');
  await page.getByTestId('session-save').click();
  await expect(page.getByTestId('session-item').filter({ hasText: 'my tiles' })).toBeVisible();

  await page.goto('about:blank');
  await page.goto('/');
  await expect.poll(() => exported(page, 'text')).toBe('m:256 n:256 k:256\n');
  const item = page.getByTestId('session-item').filter({ hasText: 'my tiles' });
  await expect(item).toContainText('m:16 m:8 n:128 k:128');
  await shot('store-sessions', page.getByTestId('sessions-panel'));
  await item.getByTestId('session-open').click();
  await expect.poll(() => exported(page, 'text')).toBe('m:16 m:8 n:128 k:128\n');
  await expect(page).toHaveURL(/#preset=matmul-128&a=split_8,down/);

  // Rename and delete.
  await item.getByTestId('session-rename').click();
  await page.getByTestId('session-rename-input').fill('renamed tiles');
  await page.getByTestId('session-rename-save').click();
  const renamed = page.getByTestId('session-item').filter({ hasText: 'renamed tiles' });
  await expect(renamed).toBeVisible();
  await renamed.getByTestId('session-delete').click();
  await renamed.getByTestId('session-delete-confirm').click();
  await expect(page.getByTestId('session-item').filter({ hasText: 'renamed tiles' })).toHaveCount(0);
});

// A bad link: its notice and the schedule it lands on. A bad action keeps the problem and the
// actions before it, a part cut short is left out; a link whose problem the page can't read keeps
// the default.
const BAD_LINKS: [string, string, string][] = [
  [
    '#preset=matmul-256&a=down,swap_up,down,down,up,up,splt_4',
    "the link's action 7 'splt_4' is not an action (was the link cut short?); kept the problem and the 6 actions before it",
    'n:256 m:256 k:256',
  ],
  ['#p=C[m,n]+%2B=+A[m', "the link's problem has an error: line 1, col", 'm:256 n:256 k:256'],
  [
    '#p=C%5Bm,n%5D+%2B%3D+A%5Bm,k%5D+*+B%5Bk,n%5D%0Am%3D8,+n%3D8,+k%3D8&a=down,up,down,up,split_16',
    "the link's history stops at action 5: can't split m:8 by 16",
    'm:8 n:8 k:8',
  ],
  ['#preset=matmul-256&a=split_4&at=9', "the link's position 9 is past the end of its history", 'm:64 m:4 n:256 k:256'],
  ['#preset=matmul-256&a=split_4,dow', "the link's action 2 'dow' is not an action", 'm:64 m:4 n:256 k:256'],
  ['#p=C[m,n]%2', "the link is damaged: its part 'p' has a broken %-escape", 'm:256 n:256 k:256'],
  // Cut short after the problem: the problem and every part that still reads are kept.
  [
    '#preset=matmul-64&a=split_4,down&at=',
    "the link's position 'at=' is not a whole number; it is shown at the end of its history",
    'm:16 m:4 n:64 k:64',
  ],
  ['#preset=matmul-64&s=k+m', "the link's schedule 'k m' has an error: col 5: loop over n missing", 'm:64 n:64 k:64'],
];

test('hand-edited and truncated links say what is wrong and the page keeps working', async ({ page, shot }) => {
  for (const [hash, message, schedule] of BAD_LINKS) {
    await page.goto('about:blank');
    await page.goto(`/${hash}`);
    await expect(errorNotice(page, message)).toBeVisible();
    await expect.poll(() => exported(page, 'text')).toBe(`${schedule}\n`);
    // The person's link stays in the address bar until they act.
    await page.waitForTimeout(300);
    expect(new URL(page.url()).hash).toBe(hash);
    if (hash === BAD_LINKS[0][0]) await shot('store-bad-link');
  }
  // Still working: an import changes the state and the link.
  await importPasted(page, exportFile({ problem: MATMUL_64, schedule: 'm:32 m:2 n k' }));
  await expect.poll(() => exported(page, 'text')).toBe('m:32 m:2 n:64 k:64\n');
  await expect(page).toHaveURL(/s=m:32\+m:2\+n:64\+k:64/);
  // Dismissing a notice removes it.
  const notice = page.getByTestId('notice').first();
  const text = await notice.textContent();
  await notice.getByTestId('notice-dismiss').click();
  await expect(page.getByTestId('notice').filter({ hasText: text ?? '' })).toHaveCount(0);
});

test('a corrupted saved session is reported when opened, left as it is, and the others still work', async ({
  page,
  shot,
}) => {
  await page.goto('/');
  await expect(page.getByTestId('sessions-panel')).toBeVisible();
  await page.getByTestId('session-name').fill('good one');
  await page.getByTestId('session-save').click();
  await expect(page.getByTestId('session-item').filter({ hasText: 'good one' })).toBeVisible();

  const write = (records: unknown[]) =>
    page.evaluate(
      (rs) =>
        new Promise<void>((resolve, reject) => {
          const open = indexedDB.open('looplab', 1);
          open.onerror = () => reject(open.error);
          open.onsuccess = () => {
            const db = open.result;
            const tx = db.transaction('sessions', 'readwrite');
            for (const r of rs) tx.objectStore('sessions').put(r);
            tx.oncomplete = () => {
              db.close();
              resolve();
            };
            tx.onerror = () => reject(tx.error);
          };
        }),
      records,
    );
  await write([
    {
      id: 'bad-problem',
      name: 'broken problem',
      savedAt: 2,
      problemText: 'C[m,n] += A[m',
      log: [],
      position: 0,
      panels: {},
    },
    {
      id: 'bad-action',
      name: 'broken action',
      savedAt: 3,
      problemText: MATMUL_64,
      log: [{ action: 'splt_4', by: 'person' }],
      position: 1,
      panels: {},
    },
    { id: 'bad-shape', name: 'broken shape', savedAt: 4, log: 'nonsense' },
  ]);
  await page.reload();
  await expect(page.getByTestId('session-item')).toHaveCount(4);
  await expect(page.getByTestId('session-damaged')).toHaveCount(3);
  await shot('store-damaged-session', page.getByTestId('sessions-panel'));

  const cases: [string, string | RegExp][] = [
    [
      'broken problem',
      /session 'broken problem' is damaged: its problem has an error: line 1, col \d+: .*; it was left as it is/,
    ],
    [
      'broken action',
      "session 'broken action' is damaged: its action 1 'splt_4' is not an action; it was left as it is",
    ],
    ['broken shape', "session 'broken shape' is damaged: it has no problem text; it was left as it is"],
  ];
  for (const [name, message] of cases) {
    await page.getByTestId('session-item').filter({ hasText: name }).getByTestId('session-open').click();
    await expect(errorNotice(page, message)).toBeVisible();
  }
  await expect.poll(() => exported(page, 'text')).toBe('m:256 n:256 k:256\n');
  // Nothing was deleted, and the good session opens.
  expect(
    await page.evaluate(
      () =>
        new Promise<number>((resolve, reject) => {
          const open = indexedDB.open('looplab', 1);
          open.onerror = () => reject(open.error);
          open.onsuccess = () => {
            const req = open.result.transaction('sessions').objectStore('sessions').count();
            req.onsuccess = () => {
              open.result.close();
              resolve(req.result);
            };
          };
        }),
    ),
  ).toBe(4);
  await page.goto('/#preset=matmul-64');
  await page.getByTestId('session-item').filter({ hasText: 'good one' }).getByTestId('session-open').click();
  await expect.poll(() => exported(page, 'text')).toBe('m:256 n:256 k:256\n');
});

test('invalid imports say why and change nothing; a valid file imports', async ({ page, shot }) => {
  await page.goto('/#preset=matmul-64&a=split_2');
  await expect.poll(() => exported(page, 'text')).toBe('m:32 m:2 n:64 k:64\n');
  const bad: [string, string][] = [
    [
      'this is not json',
      "the pasted text is neither a JSON export nor schedule text for the current problem: 'this is not json': ",
    ],
    ['{"format": ', 'the pasted text is not JSON: '],
    [
      '{"format": "something-else", "version": 1}',
      'the pasted text\'s format is "something-else", not "looplab-schedule"',
    ],
    [
      exportFile({ problem: 'C[m,n] += A[m,k] * B[k,n]\nm=64', schedule: 'm n k' }),
      "the pasted text's problem has an error: ",
    ],
    [exportFile({ problem: MATMUL_64, schedule: 'm:3 n k' }), "the pasted text's schedule 'm:3 n k' has an error: "],
    [
      exportFile({ problem: MATMUL_64, log: ['up'] }),
      "the pasted text's history stops at action 1: the cursor is already on the outermost loop",
    ],
  ];
  for (const [text, message] of bad) {
    await importPasted(page, text);
    await expect(page.getByTestId('import-error')).toContainText(message);
    expect(await exported(page, 'text')).toBe('m:32 m:2 n:64 k:64\n');
  }
  await shot('store-bad-import', page.getByTestId('exchange-panel'));

  // A file: first a broken one, then a good one.
  await page.getByTestId('import-file').setInputFiles({
    name: 'broken.json',
    mimeType: 'application/json',
    buffer: Buffer.from('{"format": "looplab-schedule", "version": 1, "problem":'),
  });
  await expect(page.getByTestId('import-error')).toContainText('the file is not JSON');
  await page.getByTestId('import-file').setInputFiles({
    name: 'good.json',
    mimeType: 'application/json',
    buffer: Buffer.from(exportFile({ problem: MATMUL_64, schedule: 'n:16 m n:4 k', log: [] })),
  });
  await expect.poll(() => exported(page, 'text')).toBe('n:16 m:64 n:4 k:64\n');
  await expect(page.getByTestId('import-error')).toHaveCount(0);
});

test('export: download and copy; compare two schedules side by side', async ({ page, context, shot }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.goto('/#preset=matmul-64&a=split_4&panels=problem,nest,graph,code,perf,compare');
  await expect.poll(() => exported(page, 'text')).toBe('m:16 m:4 n:64 k:64\n');
  const download = page.waitForEvent('download');
  await page.getByTestId('export-download').click();
  expect((await download).suggestedFilename()).toBe('looplab-m16m4n64k64.txt');
  const c = await exported(page, 'c');
  expect(c).toContain('// schedule: m:16 m:4 n:64 k:64');
  expect(c).toContain('void kernel(');
  const cDownload = page.waitForEvent('download');
  await page.getByTestId('export-download').click();
  expect((await cDownload).suggestedFilename()).toBe('looplab-m16m4n64k64.c');
  await page.getByTestId('export-format').selectOption('json');
  await page.getByTestId('export-copy').click();
  await expect(page.getByTestId('notice').filter({ hasText: 'copied the JSON' })).toBeVisible();
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  expect(JSON.parse(copied)).toMatchObject({ format: 'looplab-schedule', schedule: 'm:16 m:4 n:64 k:64' });

  // Pin, change the schedule, and compare.
  await expect(page.getByTestId('compare-panel')).toBeVisible();
  await page.getByTestId('compare-pin').click();
  await importPasted(
    page,
    exportFile({ problem: MATMUL_64, log: ['split_4', 'down', 'down', 'swap_up'], schedule: 'm:16 n:64 m:4 k:64' }),
  );
  await expect(page.getByTestId('compare-current')).toContainText('for n:64');
  await expect(page.getByTestId('compare-pinned').locator('[data-diff="true"]')).toHaveCount(1);
  await expect(page.getByTestId('compare-current').locator('[data-diff="true"]')).toHaveCount(1);
  await expect(page.getByTestId('compare-current-gflops')).toHaveText(/GFLOPS|measuring|failed|incorrect/);
  await shot('store-compare', page.getByTestId('compare-panel'));
  await page.getByTestId('compare-unpin').click();
  await expect(page.getByTestId('compare-pinned')).toHaveCount(0);
});
