import { describe, expect, it } from 'vitest';
import {
  fixedProblemReason,
  hiddenActionReason,
  parseTeacherLink,
  teacherQuery,
  withTeacherQuery,
} from './teacherLink.ts';

const PANELS = ['problem', 'nest', 'graph', 'code', 'perf', 'lesson'];

describe('teacher links', () => {
  it('reads every option', () => {
    const r = parseTeacherLink(
      '?lesson=loop-order&fixed=problem&hide=graph,code&hideActions=split,swap&present=1&handout=1',
      PANELS,
    );
    expect(r.errors).toEqual([]);
    expect(r.options).toEqual({
      lesson: 'loop-order',
      fixed: ['problem'],
      hide: ['graph', 'code'],
      hideActions: ['split', 'swap'],
      present: true,
      handout: true,
    });
  });

  it('reads the embed mode, keeps it in its query, and refuses a value that is not a flag', () => {
    const r = parseTeacherLink('?embed=1&present=1', PANELS);
    expect(r.errors).toEqual([]);
    expect(r.options.embed).toBe(true);
    expect(r.options.present).toBe(true);
    expect(teacherQuery(r.options)).toBe('?present=1&embed=1');
    expect(parseTeacherLink('?embed=0', PANELS).options.embed).toBeUndefined();
    expect(parseTeacherLink('?embed=yes', PANELS).errors).toEqual([
      "the link's 'embed=yes' is neither 1 nor 0; write embed=1 to turn it on",
    ]);
  });

  it('an empty or foreign query sets nothing', () => {
    for (const q of ['', '?', '?kernel-time-limit-ms=500']) {
      const r = parseTeacherLink(q, PANELS);
      expect(r.errors).toEqual([]);
      expect(r.options.lesson).toBeNull();
      expect(r.options.hide).toEqual([]);
      expect(r.options.present).toBe(false);
    }
  });

  it('drops each bad value with a sentence naming the valid ones, and keeps the rest', () => {
    const r = parseTeacherLink('?lesson=nope&hide=graph,graf&hideActions=split,jump&present=yes&fixed=sizes', PANELS);
    expect(r.options.lesson).toBeNull();
    expect(r.options.hide).toEqual(['graph']);
    expect(r.options.hideActions).toEqual(['split']);
    expect(r.options.present).toBe(false);
    expect(r.options.fixed).toEqual([]);
    expect(r.errors).toEqual([
      "the link's lesson 'nope' is not a lesson; the lessons are loop-order, tiling, conflicts, packing, vectorize, register-tile, tails, parallel, agent",
      "the link hides 'graf', which is not a panel; the panels are problem, nest, graph, code, perf, lesson",
      "the link hides the action 'jump', which is not one; the actions are move, swap, split, merge, parallel, pack, undo",
      "the link's 'present=yes' is neither 1 nor 0; write present=1 to turn it on",
      "the link's 'fixed=sizes' can't be fixed; write fixed=problem or fixed=lesson",
    ]);
  });

  it('a key given twice, or a fixed lesson without a lesson, is reported', () => {
    expect(parseTeacherLink('?present=1&present=0', PANELS).errors).toEqual([
      "the link gives 'present' twice; keep one",
    ]);
    const r = parseTeacherLink('?fixed=lesson', PANELS);
    expect(r.options.fixed).toEqual([]);
    expect(r.errors[0]).toMatch(/fixes the lesson but names none/);
  });

  it('round-trips through its query, keeping foreign keys', () => {
    const { options } = parseTeacherLink('?lesson=tails&hide=code&hideActions=merge&present=1', PANELS);
    expect(parseTeacherLink(teacherQuery(options), PANELS).options).toEqual(options);
    const search = withTeacherQuery('?kernel-time-limit-ms=500&lesson=tiling', options);
    expect(search).toBe('?lesson=tails&hide=code&hideActions=merge&present=1&kernel-time-limit-ms=500');
    expect(
      withTeacherQuery('?lesson=tiling', { ...options, lesson: null, hide: [], hideActions: [], present: false }),
    ).toBe('');
  });

  it("fixes the memory view's machine, refusing one it does not simulate", () => {
    const r = parseTeacherLink('?machine=teaching', PANELS);
    expect(r.errors).toEqual([]);
    expect(r.options.machine).toBe('teaching');
    expect(teacherQuery(r.options)).toBe('?machine=teaching');
    const bad = parseTeacherLink('?machine=cray&present=1', PANELS);
    expect(bad.options.machine).toBeUndefined();
    expect(bad.options.present).toBe(true);
    expect(bad.errors[0]).toMatch(
      /^the link's machine 'cray' is not one the memory view simulates; the machines are zen4, zen3, golden-cove/,
    );
  });

  it('says why a hidden action or a fixed problem is refused', () => {
    const o = { hideActions: ['split', 'undo', 'move'] as const };
    const opts = { hideActions: [...o.hideActions] };
    expect(hiddenActionReason(opts, 'split_16')).toBe('this lesson hides split');
    expect(hiddenActionReason(opts, 'redo')).toBe('this lesson hides undo and redo');
    expect(hiddenActionReason(opts, 'down')).toBe('this lesson hides move');
    expect(hiddenActionReason(opts, 'swap_up')).toBeNull();
    expect(hiddenActionReason(opts, 'parallel')).toBeNull();
    expect(hiddenActionReason({ hideActions: ['parallel'] }, 'parallel')).toBe('this lesson hides parallel');
    expect(hiddenActionReason(null, 'split_2')).toBeNull();
    expect(fixedProblemReason({ fixed: ['problem'] })).toMatch(/fixes the problem/);
    expect(fixedProblemReason({ fixed: [] })).toBeNull();
  });
});
