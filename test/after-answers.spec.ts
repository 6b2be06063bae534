import { AfterAnswers } from '../src/local-cognito/after-answers';

// The embedded emulator's code lines wait for the requests in flight (see after-answers.ts);
// test/security/enumeration.e2e-spec.ts shows why, end to end.
describe('AfterAnswers', () => {
  const turn = () => new Promise((resolve) => setImmediate(resolve));

  it('runs work at once when no request is in flight', () => {
    const done: string[] = [];
    new AfterAnswers().run(() => done.push('now'));
    expect(done).toEqual(['now']);
  });

  it('holds work until every request in flight is answered, then runs it in order', async () => {
    const gate = new AfterAnswers();
    const done: string[] = [];
    gate.started();
    gate.started();
    gate.run(() => done.push('a'));
    gate.run(() => done.push('b'));
    gate.answered();
    await turn();
    expect(done).toEqual([]);
    gate.answered();
    expect(done).toEqual([]); // not in the answering turn: the request's own log line goes first
    await turn();
    expect(done).toEqual(['a', 'b']);
  });

  it('runs held work after a second at the latest, under steady load', () => {
    jest.useFakeTimers();
    try {
      const gate = new AfterAnswers();
      const done: string[] = [];
      gate.started();
      gate.run(() => done.push('late'));
      jest.advanceTimersByTime(999);
      expect(done).toEqual([]);
      jest.advanceTimersByTime(1);
      expect(done).toEqual(['late']);
    } finally {
      jest.useRealTimers();
    }
  });
});
