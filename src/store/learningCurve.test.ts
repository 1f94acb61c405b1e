import { describe, expect, it } from 'vitest';
import { parseLearningCurve } from './learningCurve.ts';

describe('parseLearningCurve', () => {
  it('reads the columns it needs in any order, CRLF lines and blank cells (NaN)', () => {
    const text =
      'episode,loss,wall_s,train_return,val_speedup,val_final_speedup\r\n10,,1.5,0.25,2,1.75\r\n20,0.1," 3",0.5,3,2.5\r\n';
    expect(parseLearningCurve(text)).toEqual([
      { wall_s: 1.5, val_speedup: 2, val_final_speedup: 1.75, train_return: 0.25, episode: 10 },
      { wall_s: 3, val_speedup: 3, val_final_speedup: 2.5, train_return: 0.5, episode: 20 },
    ]);
    expect(
      parseLearningCurve('wall_s,val_speedup,val_final_speedup,train_return,episode\n,1,1,0,1')[0].wall_s,
    ).toBeNaN();
  });

  it('says which columns are missing and which row is short', () => {
    expect(() => parseLearningCurve('')).toThrow(
      /no column wall_s, val_speedup, val_final_speedup, train_return, episode/,
    );
    expect(() =>
      parseLearningCurve('wall_s,val_speedup,val_final_speedup,train_return,episode\n1,2,3,4,5\n1,2'),
    ).toThrow(/row 3 has 2 cells, not 5/);
  });
});
