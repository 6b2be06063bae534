import type { Context } from 'cognito-local/lib/services/context';
import type { User } from 'cognito-local/lib/services/userPoolService';
import { parseCodeDelivery } from '../src/local-cognito/code-delivery';

// The embedded emulator "sends" a code by logging a box of lines; the server reads the code from it.
describe('reading a code from the emulator’s message', () => {
  /** The message exactly as cognito-local's console sender logs it. */
  async function messageOf(username: string, destination: string, code: string): Promise<string> {
    const { ConsoleMessageSender } = await import('cognito-local/lib/services/messageDelivery/consoleMessageSender.js');
    let logged = '';
    // Of a context and a user, the sender reads the logger's `info` and the username alone.
    const ctx = { logger: { info: (message: string) => (logged = message) } } as unknown as Context;
    await new ConsoleMessageSender().sendEmail(ctx, { Username: username } as User, destination, { __code: code });
    return logged;
  }

  it('finds the username, the destination and the code', async () => {
    expect(parseCodeDelivery(await messageOf('alice', 'alice@example.com', '123456'))).toEqual({
      username: 'alice',
      destination: 'alice@example.com',
      code: '123456',
    });
  });

  it('takes time in proportion to the message: 16,000 newlines cost what 16,000 short lines do', () => {
    const time = (message: string) => {
      const started = performance.now();
      parseCodeDelivery(message);
      return performance.now() - started;
    };
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
    const newlines = `${'\n'.repeat(16000)}│ Code: 1`;
    const lines = `${'x\n'.repeat(16000)}│ Code: 1`;
    const times: [number[], number[]] = [[], []];
    for (let i = 0; i < 15; i++) {
      times[0].push(time(lines));
      times[1].push(time(newlines));
    }
    // On 921f6c3 (one pattern with the `m` flag over the whole message): 2,000 times as long (~500 ms).
    expect(median(times[1]) / median(times[0])).toBeLessThan(10);
  });
});
